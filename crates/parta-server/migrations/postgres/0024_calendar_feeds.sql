-- A person's calendar feed: one unguessable link (kept as SHA-256), revoked by
-- making a new one or taking it away.
CREATE TABLE calendar_feeds (
    user_id    BIGINT PRIMARY KEY REFERENCES users(id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);
