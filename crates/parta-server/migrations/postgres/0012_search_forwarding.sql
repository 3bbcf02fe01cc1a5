-- Search, forwarding, mentions and image thumbnails.

-- Word stems of each live message (Russian and English snowball stemmers), for search
-- limited to the chats a reader sits in. Rewritten on edit, removed on delete.
CREATE TABLE message_terms (
    term        TEXT COLLATE "C" NOT NULL,
    message_id  BIGINT NOT NULL REFERENCES messages(id),
    chat_id     BIGINT NOT NULL REFERENCES chats(id),
    org_id      BIGINT NOT NULL REFERENCES organizations(id),
    PRIMARY KEY (term, message_id)
);
CREATE INDEX message_terms_message ON message_terms(message_id);

-- A forwarded message names the one it copies; the copy is readable on its own.
ALTER TABLE messages ADD COLUMN forwarded_from BIGINT REFERENCES messages(id);

-- A smaller JPEG of an image, made at upload.
ALTER TABLE files ADD COLUMN thumbnail_key TEXT;

-- The relay reads the last minute of each log to find events committed but not published.
CREATE INDEX chat_events_created ON chat_events(created_at);
CREATE INDEX user_events_created ON user_events(created_at);
