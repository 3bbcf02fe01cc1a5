-- A person's own profile: the language of their letters, their photo (a blob key),
-- a school's switch keeping its members' names to its register, and the e-mail or
-- phone changes waiting for their code (one per person and kind; a new request
-- replaces the one before). The code is kept only as a digest.
ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT 'ru';
ALTER TABLE users ADD COLUMN photo_key TEXT;
ALTER TABLE organizations ADD COLUMN names_locked INTEGER NOT NULL DEFAULT 0;

CREATE TABLE contact_changes (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    new_value   TEXT NOT NULL,
    code_hash   TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    UNIQUE (user_id, kind)
);
