-- Earlier texts of edited messages, for the chat's moderators.

CREATE TABLE message_versions (
    id         INTEGER PRIMARY KEY,
    message_id INTEGER NOT NULL REFERENCES messages(id),
    org_id     INTEGER NOT NULL REFERENCES organizations(id),
    body       TEXT NOT NULL,
    written_at INTEGER NOT NULL
);
CREATE INDEX message_versions_message ON message_versions(message_id, id);
CREATE INDEX messages_sender_time ON messages(sender_id, created_at);
