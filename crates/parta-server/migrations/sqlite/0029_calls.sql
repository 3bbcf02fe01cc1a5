-- Calls in chats: a call started there ('call'), a lesson of the journal held online
-- in its class's chat ('lesson'), a meeting or a broadcast announced ahead with a
-- title and a time ('meeting', 'broadcast'; started_at stays empty until its host
-- opens it). A call runs on one node (`node`) from started_at until ended_at; at most
-- one call of a chat (not a lesson's) runs at a time, and at most one of a lesson.
-- Who was in it and when is call_presence: one row per device per stay, closed with
-- why it ended (left, ended, removed, not_a_member, lost) — the ground for attendance
-- and statistics.
CREATE TABLE calls (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES organizations(id),
    chat_id     INTEGER NOT NULL REFERENCES chats(id),
    lesson_id   INTEGER REFERENCES lessons(id),
    kind        TEXT NOT NULL DEFAULT 'call',
    title       TEXT,
    scheduled_at INTEGER,
    locked      INTEGER NOT NULL DEFAULT 0,
    waiting_room INTEGER NOT NULL DEFAULT 0,
    started_by  INTEGER NOT NULL REFERENCES users(id),
    host_id     INTEGER NOT NULL REFERENCES users(id),
    node        TEXT NOT NULL,
    started_at  INTEGER,
    ended_at    INTEGER
);
CREATE UNIQUE INDEX calls_running ON calls(chat_id) WHERE ended_at IS NULL AND lesson_id IS NULL AND started_at IS NOT NULL;
CREATE UNIQUE INDEX calls_running_lesson ON calls(lesson_id) WHERE ended_at IS NULL AND lesson_id IS NOT NULL;
CREATE INDEX calls_chat ON calls(chat_id, started_at);
CREATE INDEX calls_scheduled ON calls(chat_id, scheduled_at) WHERE started_at IS NULL AND ended_at IS NULL;
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
