-- Reactions, pinned messages and must-acknowledge posts («ознакомиться»).

ALTER TABLE messages ADD COLUMN pinned_at BIGINT;
ALTER TABLE messages ADD COLUMN pinned_by BIGINT REFERENCES users(id);
ALTER TABLE messages ADD COLUMN needs_ack BIGINT NOT NULL DEFAULT 0;

CREATE TABLE message_reactions (
    message_id BIGINT NOT NULL REFERENCES messages(id),
    user_id    BIGINT NOT NULL REFERENCES users(id),
    emoji      TEXT NOT NULL,
    org_id     BIGINT NOT NULL REFERENCES organizations(id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (message_id, user_id, emoji)
);

-- Who confirmed a must-acknowledge post, and when.
CREATE TABLE message_acks (
    message_id BIGINT NOT NULL REFERENCES messages(id),
    user_id    BIGINT NOT NULL REFERENCES users(id),
    org_id     BIGINT NOT NULL REFERENCES organizations(id),
    at         BIGINT NOT NULL,
    PRIMARY KEY (message_id, user_id)
);
