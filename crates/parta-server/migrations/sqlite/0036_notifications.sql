-- The notification centre: what each person is told about, read or not. `details`
-- keeps the words as they were (a chat's title, a message's first words, a mark), as
-- JSON; `subject_id` is the join request or report a notification is about.
CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    org_id     INTEGER REFERENCES organizations(id),
    kind       TEXT NOT NULL,
    chat_id    INTEGER REFERENCES chats(id),
    message_id INTEGER REFERENCES messages(id),
    lesson_id  INTEGER REFERENCES lessons(id),
    student_id INTEGER REFERENCES users(id),
    subject_id INTEGER,
    actor_id   INTEGER REFERENCES users(id),
    details    TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    read_at    INTEGER
);
CREATE INDEX notifications_user ON notifications(user_id, id);
CREATE INDEX notifications_unread ON notifications(user_id) WHERE read_at IS NULL;
-- A chat's posts to confirm (what waits for one's confirmation).
CREATE INDEX messages_ack_chat ON messages(chat_id, created_at) WHERE needs_ack = 1;
