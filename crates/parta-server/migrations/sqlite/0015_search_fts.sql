-- On SQLite the search index moves from a B-tree of (term, message) into FTS5.
-- A send's terms landed at scattered places of that B-tree, so a batch of 64 sends
-- dirtied hundreds of pages, each written whole into the WAL and again at the
-- checkpoint. FTS5 writes a transaction's terms as one new segment and merges
-- segments later, in larger steps.
--
-- A row per message, its id as the rowid, its terms (`parta_domain::search`: letters
-- and digits only) joined by spaces: the `ascii` tokenizer takes each term whole. Only
-- which messages hold a term is kept (detail=none), not the text (content=''); an
-- edited or deleted message's row is removed by its id (contentless_delete).
CREATE VIRTUAL TABLE message_search USING fts5(
    terms, content='', contentless_delete=1, detail=none, tokenize='ascii'
);
INSERT INTO message_search (rowid, terms)
    SELECT message_id, group_concat(term, ' ') FROM message_terms GROUP BY message_id;
DROP TABLE message_terms;
