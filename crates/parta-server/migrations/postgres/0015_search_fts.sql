-- SQLite moves its search index into FTS5 (its 0015_search_fts.sql). PostgreSQL
-- keeps the B-tree of (term, message): a GIN index took a batch's terms faster but
-- could not tell the planner a rare word from a common one (BENCHMARKS.md, I).
SELECT 1;
