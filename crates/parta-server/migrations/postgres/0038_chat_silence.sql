-- A person's own quiet for a chat («не беспокоить»): until a time (forever is the
-- year 9999), and whether only mentions of them should reach them from it. Push and
-- the chat list honour it; a moderator's mute (`muted_until`) is another thing.
ALTER TABLE chat_members ADD COLUMN silenced_until BIGINT;
ALTER TABLE chat_members ADD COLUMN mentions_only BIGINT NOT NULL DEFAULT 0;
