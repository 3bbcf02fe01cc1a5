-- Web push. The deployment's VAPID key pair, made once and shared by every node.
CREATE TABLE push_keys (
    name       TEXT PRIMARY KEY,
    pkcs8      TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
-- A browser that agreed to be told, for the session that subscribed it: signing out
-- there stops it. A push service that says the subscription is gone removes it.
CREATE TABLE push_subscriptions (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    session_id   INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    endpoint     TEXT NOT NULL UNIQUE,
    p256dh       TEXT NOT NULL,
    auth         TEXT NOT NULL,
    -- Kinds this device is not told of, comma-separated (`message`, `mark`, …).
    kinds_off    TEXT NOT NULL DEFAULT '',
    user_agent   TEXT,
    created_at   INTEGER NOT NULL,
    last_sent_at INTEGER
);
CREATE INDEX push_subscriptions_user ON push_subscriptions(user_id);
CREATE INDEX push_subscriptions_session ON push_subscriptions(session_id);
-- What happened that devices may hear of, queued in the work that did it (one row per
-- message or notification, not per device, so a send stays one insert); a sender
-- takes each once and turns it into deliveries.
CREATE TABLE push_events (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL,
    message_id      INTEGER,
    notification_id INTEGER,
    created_at      INTEGER NOT NULL
);
-- One push to one device, tried until the push service takes it.
CREATE TABLE push_deliveries (
    id              INTEGER PRIMARY KEY,
    subscription_id INTEGER NOT NULL REFERENCES push_subscriptions(id) ON DELETE CASCADE,
    payload         TEXT NOT NULL,
    topic           TEXT,
    urgency         TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT
);
CREATE INDEX push_deliveries_due ON push_deliveries(next_attempt_at);
CREATE INDEX push_deliveries_subscription ON push_deliveries(subscription_id, topic);
-- Who a message's mentions and replies told: their push comes from the notification.
CREATE INDEX notifications_message ON notifications(message_id) WHERE message_id IS NOT NULL;
-- A lock screen is public: message text from chats with students shows only where the school allows it.
ALTER TABLE organizations ADD COLUMN push_previews INTEGER NOT NULL DEFAULT 0;
