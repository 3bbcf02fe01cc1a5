-- Moderation: muted members and reports of messages.

ALTER TABLE chat_members ADD COLUMN muted_until INTEGER;

-- status: open | dismissed | removed (the message was deleted by a moderator)
CREATE TABLE reports (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES organizations(id),
    chat_id     INTEGER NOT NULL REFERENCES chats(id),
    message_id  INTEGER NOT NULL REFERENCES messages(id),
    reporter_id INTEGER NOT NULL REFERENCES users(id),
    reason      TEXT NOT NULL,
    status      TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    resolved_by INTEGER REFERENCES users(id),
    resolved_at INTEGER,
    note        TEXT,
    UNIQUE (message_id, reporter_id)
);
CREATE INDEX reports_org ON reports(org_id, status, id);
