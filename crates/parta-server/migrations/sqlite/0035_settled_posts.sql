-- Statistics over long periods without reading each post's readers again.
--
-- A post to confirm is counted once it has settled (two weeks after it was sent):
-- its recipients, readers and confirmations then are kept here, and the figures of a
-- term or a year add these rows up instead of joining every post with its chat's
-- members (`actions::statistics::count_settled_posts`).
CREATE TABLE settled_ack_posts (
    message_id       INTEGER PRIMARY KEY REFERENCES messages(id),
    org_id           INTEGER NOT NULL REFERENCES organizations(id),
    created_at       INTEGER NOT NULL,
    recipients       INTEGER NOT NULL,
    readers          INTEGER NOT NULL,
    confirmed        INTEGER NOT NULL,
    confirmed_in_day INTEGER NOT NULL,
    counted_at       INTEGER NOT NULL
);
CREATE INDEX settled_ack_posts_org ON settled_ack_posts(org_id, created_at);
-- Where the counting stopped: every post sent before the latest one counted is counted.
CREATE INDEX settled_ack_posts_time ON settled_ack_posts(created_at);
CREATE INDEX messages_ack_posts_time ON messages(created_at) WHERE needs_ack = 1;
-- A chat's posts over a period (the school channel's figures), without reading its
-- whole history.
CREATE INDEX IF NOT EXISTS messages_chat_time ON messages(chat_id, created_at);
