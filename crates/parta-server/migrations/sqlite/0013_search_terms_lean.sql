-- The search index is derived from its messages: a term's chat and school are its
-- message's, already checked there, so they need no foreign keys of their own (each
-- is a lookup per row). SQLite drops a constraint by rebuilding the table.
CREATE TABLE message_terms_lean (
    term        TEXT NOT NULL,
    message_id  INTEGER NOT NULL REFERENCES messages(id),
    chat_id     INTEGER NOT NULL,
    org_id      INTEGER NOT NULL,
    PRIMARY KEY (term, message_id)
);
INSERT INTO message_terms_lean (term, message_id, chat_id, org_id)
    SELECT term, message_id, chat_id, org_id FROM message_terms;
DROP TABLE message_terms;
ALTER TABLE message_terms_lean RENAME TO message_terms;
CREATE INDEX message_terms_message ON message_terms(message_id);
