-- A letter summing up what happened for each child (a parent's digest), daily or weekly
-- as the person chose. `next_due_at` is when the next one is to be made. The link to
-- stop them carries `unsubscribe_token`, the same in every letter (an old letter's link
-- must work too); it can do nothing but stop this person's digest, so it is kept as is.
CREATE TABLE digest_settings (
    user_id          INTEGER PRIMARY KEY REFERENCES users(id),
    frequency        TEXT NOT NULL,
    next_due_at      INTEGER,
    last_sent_at     INTEGER,
    unsubscribe_token TEXT NOT NULL UNIQUE,
    changed_at       INTEGER NOT NULL
);
CREATE INDEX digest_settings_due ON digest_settings(next_due_at) WHERE next_due_at IS NOT NULL;
