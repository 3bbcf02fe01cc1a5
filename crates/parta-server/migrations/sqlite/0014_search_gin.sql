-- PostgreSQL's search index moves to a GIN index (its 0014_search_gin.sql); SQLite
-- keeps its B-tree of terms (`message_terms`).
SELECT 1;
