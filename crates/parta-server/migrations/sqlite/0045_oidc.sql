-- Sign-ins with OpenID Connect providers the deployment names in its config file.

-- A sign-in begun at a provider: what the callback needs to finish it, used once
-- (deleted when its callback comes) and good for 10 minutes. The state is stored as
-- its digest; the nonce and the PKCE verifier as they are (they are sent later).
CREATE TABLE oidc_states (
    state_hash      TEXT PRIMARY KEY,
    provider        TEXT NOT NULL,
    nonce           TEXT NOT NULL,
    code_verifier   TEXT NOT NULL,
    -- Digest of the browser's binding cookie: the callback must come from the browser
    -- that began it.
    browser_hash    TEXT NOT NULL,
    -- 'login', 'link' (user_id: who re-entered their password) or 'invite'.
    purpose         TEXT NOT NULL,
    user_id         INTEGER REFERENCES users(id),
    invite_token    TEXT,
    consent_version TEXT,
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL
);
CREATE INDEX oidc_states_expiry ON oidc_states(expires_at);

-- A provider's identity linked to a Parta account: one account per identity, one
-- identity per provider and account.
CREATE TABLE oidc_links (
    id              INTEGER PRIMARY KEY,
    provider        TEXT NOT NULL,
    subject         TEXT NOT NULL,
    user_id         INTEGER NOT NULL REFERENCES users(id),
    -- The claim the deployment names (e-mail or phone) as the provider told it, shown
    -- to the person in their profile.
    label           TEXT,
    created_at      INTEGER NOT NULL,
    last_used_at    INTEGER
);
CREATE UNIQUE INDEX oidc_links_identity ON oidc_links(provider, subject);
CREATE UNIQUE INDEX oidc_links_user ON oidc_links(user_id, provider);
