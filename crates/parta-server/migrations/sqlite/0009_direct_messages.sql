-- Direct conversations of two people, one per pair and school; student safe mode.

ALTER TABLE chats ADD COLUMN direct_key TEXT;
CREATE UNIQUE INDEX chats_direct_key ON chats(direct_key) WHERE direct_key IS NOT NULL;
ALTER TABLE organizations ADD COLUMN student_safe_mode INTEGER NOT NULL DEFAULT 1;
