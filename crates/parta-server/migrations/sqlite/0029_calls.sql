-- Calls in chats, and online lessons (a call for a lesson of the journal, held in
-- its class's chat). A call runs on one node (`node`) until ended_at; at most one
-- call of a chat (not a lesson's) runs at a time, and at most one of a lesson. Who was in it and when is call_presence: one row per device
-- per stay, closed with why it ended (left, ended, removed, not_a_member, lost) —
-- the ground for attendance and statistics.
CREATE TABLE calls (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES organizations(id),
    chat_id     INTEGER NOT NULL REFERENCES chats(id),
    lesson_id   INTEGER REFERENCES lessons(id),
    started_by  INTEGER NOT NULL REFERENCES users(id),
    host_id     INTEGER NOT NULL REFERENCES users(id),
    node        TEXT NOT NULL,
    started_at  INTEGER NOT NULL,
    ended_at    INTEGER
);
CREATE UNIQUE INDEX calls_running ON calls(chat_id) WHERE ended_at IS NULL AND lesson_id IS NULL;
CREATE UNIQUE INDEX calls_running_lesson ON calls(lesson_id) WHERE ended_at IS NULL AND lesson_id IS NOT NULL;
CREATE INDEX calls_chat ON calls(chat_id, started_at);
CREATE INDEX calls_lesson ON calls(lesson_id) WHERE lesson_id IS NOT NULL;

CREATE TABLE call_presence (
    id          INTEGER PRIMARY KEY,
    call_id     INTEGER NOT NULL REFERENCES calls(id),
    user_id     INTEGER NOT NULL REFERENCES users(id),
    peer_id     INTEGER NOT NULL,
    joined_at   INTEGER NOT NULL,
    left_at     INTEGER,
    left_reason TEXT
);
CREATE INDEX call_presence_call ON call_presence(call_id, user_id);
