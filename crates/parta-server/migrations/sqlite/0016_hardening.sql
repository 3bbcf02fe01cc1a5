-- Login attempts are counted per key (an account, a login no account has, a client
-- address, a device) in a window that starts with its first attempt. An attempt is
-- reserved before the password is checked, by one conditional upsert, so concurrent
-- guesses cannot all pass the check before any of them is counted.
CREATE TABLE login_attempts (
    key          TEXT PRIMARY KEY,
    window_start INTEGER NOT NULL,
    attempts     INTEGER NOT NULL
);
DROP TABLE login_failures;

-- Browsers someone has logged in from: a random token in a long-lived cookie, kept
-- here as SHA-256, one row per person who logged in with it. A known device keeps
-- its own failure count, so guesses from elsewhere cannot lock its owner out.
CREATE TABLE known_devices (
    token_hash   TEXT NOT NULL,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL,
    PRIMARY KEY (token_hash, user_id)
);
CREATE INDEX known_devices_user ON known_devices(user_id);

-- An edit written during quiet hours waits with its message's other held posts: the
-- message keeps its delivered body until the window ends.
ALTER TABLE messages ADD COLUMN pending_body TEXT;
ALTER TABLE messages ADD COLUMN pending_until INTEGER;
CREATE INDEX messages_pending ON messages(pending_until) WHERE pending_until IS NOT NULL;

-- An edit is a post: it counts against its author's send limit, by these.
ALTER TABLE message_versions ADD COLUMN edited_by INTEGER;
ALTER TABLE message_versions ADD COLUMN edited_at INTEGER;
CREATE INDEX message_versions_editor ON message_versions(edited_by, edited_at) WHERE edited_by IS NOT NULL;
