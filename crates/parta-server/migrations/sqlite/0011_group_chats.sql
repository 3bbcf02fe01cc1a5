-- Chats people make: group chats (administration, committees, anything) and subject
-- chats (a teacher and the students of a class, kept in step with the class).
-- Appointed roles (channel authors, chat moderators) outlive directory changes.
-- Chat invite links work only for members of the chat's school.

DROP INDEX chats_of_class;
CREATE UNIQUE INDEX chats_of_class ON chats(class_id, kind) WHERE class_id IS NOT NULL AND kind <> 'subject';
ALTER TABLE chats ADD COLUMN owner_id INTEGER REFERENCES users(id);
ALTER TABLE chat_members ADD COLUMN appointed_role TEXT;
-- Supervised: a student's conversations always include a teacher (no student-to-student direct chats).
ALTER TABLE organizations ADD COLUMN students_supervised INTEGER NOT NULL DEFAULT 0;

CREATE TABLE chat_invites (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES organizations(id),
    chat_id     INTEGER NOT NULL REFERENCES chats(id),
    token_hash  TEXT NOT NULL UNIQUE,
    created_by  INTEGER NOT NULL REFERENCES users(id),
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER,
    uses        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX chat_invites_chat ON chat_invites(chat_id);
