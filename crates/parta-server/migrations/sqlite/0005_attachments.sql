-- Files posted in chats. A file is uploaded first, then attached to one message by its
-- uploader; who may download it follows from the chat that message is in.

ALTER TABLE files ADD COLUMN chat_id INTEGER REFERENCES chats(id);

CREATE TABLE attachments (
    message_id INTEGER NOT NULL REFERENCES messages(id),
    file_id    INTEGER NOT NULL UNIQUE REFERENCES files(id),
    position   INTEGER NOT NULL,
    PRIMARY KEY (message_id, file_id)
);
