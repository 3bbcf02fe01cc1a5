-- A school's webhooks: endpoints of its own systems told of chosen events.
CREATE TABLE webhooks (
    id              INTEGER PRIMARY KEY,
    org_id          INTEGER NOT NULL REFERENCES organizations(id),
    url             TEXT NOT NULL,
    -- The events it is told of, comma-separated (`member.joined,channel.message`).
    events          TEXT NOT NULL,
    -- The key deliveries are signed with (HMAC-SHA256); needed to sign, so kept as is.
    secret          TEXT NOT NULL,
    active          INTEGER NOT NULL DEFAULT 1,
    created_by      INTEGER REFERENCES users(id),
    created_at      INTEGER NOT NULL,
    last_success_at INTEGER,
    last_failure_at INTEGER,
    last_error      TEXT,
    deleted_at      INTEGER
);
CREATE INDEX webhooks_org ON webhooks(org_id);

-- Each event for each endpoint, delivered in order, one at a time per endpoint.
CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY,
    webhook_id      INTEGER NOT NULL REFERENCES webhooks(id),
    event           TEXT NOT NULL,
    body            TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_status     INTEGER,
    last_error      TEXT,
    delivered_at    INTEGER,
    failed_at       INTEGER
);
CREATE INDEX webhook_deliveries_waiting ON webhook_deliveries(webhook_id, id)
    WHERE delivered_at IS NULL AND failed_at IS NULL;
