-- Polls: a message that asks a question with options to vote for.

CREATE TABLE polls (
    id         INTEGER PRIMARY KEY,
    org_id     INTEGER NOT NULL REFERENCES organizations(id),
    chat_id    INTEGER NOT NULL REFERENCES chats(id),
    message_id INTEGER NOT NULL UNIQUE REFERENCES messages(id),
    multiple   INTEGER NOT NULL,
    anonymous  INTEGER NOT NULL,
    closes_at  INTEGER,
    closed_at  INTEGER,
    created_by INTEGER NOT NULL REFERENCES users(id)
);

CREATE TABLE poll_options (
    id       INTEGER PRIMARY KEY,
    poll_id  INTEGER NOT NULL REFERENCES polls(id),
    position INTEGER NOT NULL,
    text     TEXT NOT NULL
);
CREATE INDEX poll_options_poll ON poll_options(poll_id, position);

CREATE TABLE poll_votes (
    poll_id   INTEGER NOT NULL REFERENCES polls(id),
    option_id INTEGER NOT NULL REFERENCES poll_options(id),
    user_id   INTEGER NOT NULL REFERENCES users(id),
    org_id    INTEGER NOT NULL REFERENCES organizations(id),
    at        INTEGER NOT NULL,
    PRIMARY KEY (poll_id, option_id, user_id)
);
