-- PostgreSQL drops the terms' foreign key to their message (its
-- 0014_search_terms_no_fk.sql). SQLite keeps it: there the check costs next to
-- nothing, and dropping it would mean rebuilding the table.
SELECT 1;
