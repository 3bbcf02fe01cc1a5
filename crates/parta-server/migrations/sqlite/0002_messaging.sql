-- Chats, their members, messages, and the event log that clients resume from.
-- A chat's events are numbered by chats.last_seq, taken under the chat row's lock,
-- so a reader never sees position N+1 before N is committed. A person's own events
-- (chats added or removed) are numbered by users.event_seq the same way.

ALTER TABLE users ADD COLUMN event_seq INTEGER NOT NULL DEFAULT 0;

-- kind: class | parents | class_teachers | staff_room | school_channel | staff_channel
CREATE TABLE chats (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES organizations(id),
    kind        TEXT NOT NULL,
    class_id    INTEGER REFERENCES classes(id),
    title       TEXT NOT NULL,
    read_only   INTEGER NOT NULL DEFAULT 0,
    last_seq    INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL
);
CREATE INDEX chats_org ON chats(org_id);
CREATE UNIQUE INDEX chats_of_class ON chats(class_id, kind) WHERE class_id IS NOT NULL;

-- role: member | moderator | author (may post in a channel). source: directory (kept
-- in step with the school directory) or manual. Rows are ended, never deleted.
CREATE TABLE chat_members (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER NOT NULL REFERENCES organizations(id),
    chat_id       INTEGER NOT NULL REFERENCES chats(id),
    user_id       INTEGER NOT NULL REFERENCES users(id),
    role          TEXT NOT NULL,
    source        TEXT NOT NULL,
    joined_at     INTEGER NOT NULL,
    left_at       INTEGER,
    last_read_seq INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX chat_members_current ON chat_members(chat_id, user_id) WHERE left_at IS NULL;
CREATE INDEX chat_members_user ON chat_members(user_id, left_at);

CREATE TABLE messages (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER NOT NULL REFERENCES organizations(id),
    chat_id       INTEGER NOT NULL REFERENCES chats(id),
    seq           INTEGER NOT NULL,
    sender_id     INTEGER NOT NULL REFERENCES users(id),
    client_msg_id TEXT NOT NULL,
    body          TEXT NOT NULL,
    reply_to      INTEGER REFERENCES messages(id),
    created_at    INTEGER NOT NULL,
    edited_at     INTEGER,
    deleted_at    INTEGER,
    deleted_by    INTEGER REFERENCES users(id),
    UNIQUE (sender_id, client_msg_id)
);
CREATE INDEX messages_chat ON messages(chat_id, seq);

-- The log a reconnecting client reads: every persisted event of a chat, in order.
CREATE TABLE chat_events (
    chat_id    INTEGER NOT NULL REFERENCES chats(id),
    seq        INTEGER NOT NULL,
    org_id     INTEGER NOT NULL REFERENCES organizations(id),
    payload    TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (chat_id, seq)
);

CREATE TABLE user_events (
    user_id    INTEGER NOT NULL REFERENCES users(id),
    seq        INTEGER NOT NULL,
    org_id     INTEGER REFERENCES organizations(id),
    payload    TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, seq)
);
