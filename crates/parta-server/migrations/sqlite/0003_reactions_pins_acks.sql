-- Reactions, pinned messages and must-acknowledge posts («ознакомиться»).

ALTER TABLE messages ADD COLUMN pinned_at INTEGER;
ALTER TABLE messages ADD COLUMN pinned_by INTEGER REFERENCES users(id);
ALTER TABLE messages ADD COLUMN needs_ack INTEGER NOT NULL DEFAULT 0;

CREATE TABLE message_reactions (
    message_id INTEGER NOT NULL REFERENCES messages(id),
    user_id    INTEGER NOT NULL REFERENCES users(id),
    emoji      TEXT NOT NULL,
    org_id     INTEGER NOT NULL REFERENCES organizations(id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (message_id, user_id, emoji)
);

-- Who confirmed a must-acknowledge post, and when.
CREATE TABLE message_acks (
    message_id INTEGER NOT NULL REFERENCES messages(id),
    user_id    INTEGER NOT NULL REFERENCES users(id),
    org_id     INTEGER NOT NULL REFERENCES organizations(id),
    at         INTEGER NOT NULL,
    PRIMARY KEY (message_id, user_id)
);
