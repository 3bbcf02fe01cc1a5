-- Accounts, sessions, school applications, the school directory and the audit log.
-- Times are Unix milliseconds (UTC); calendar dates are 'YYYY-MM-DD' text.
-- Flags are 0/1 integers: the driver layer shared by both backends has no SQLite boolean.
-- Every table that belongs to one school carries org_id.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    family_name   TEXT NOT NULL,
    given_name    TEXT NOT NULL,
    patronymic    TEXT,
    email         TEXT UNIQUE,
    phone         TEXT UNIQUE,
    password_hash TEXT,
    is_operator   INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    deleted_at    INTEGER
);

CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash   TEXT NOT NULL UNIQUE,
    csrf_token   TEXT NOT NULL,
    user_agent   TEXT,
    ip           TEXT,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE password_tokens (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);

CREATE TABLE login_failures (
    id  INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    at  INTEGER NOT NULL
);
CREATE INDEX login_failures_key_at ON login_failures(key, at);

CREATE TABLE organizations (
    id                     INTEGER PRIMARY KEY,
    name                   TEXT NOT NULL,
    short_name             TEXT NOT NULL,
    address                TEXT NOT NULL,
    inn                    TEXT NOT NULL,
    ogrn                   TEXT NOT NULL,
    region                 TEXT NOT NULL,
    time_zone              TEXT NOT NULL,
    join_approval_required INTEGER NOT NULL DEFAULT 0,
    created_at             INTEGER NOT NULL
);

-- Uploaded files; the bytes live in blob storage under storage_key, never under a user's name.
CREATE TABLE files (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER REFERENCES organizations(id),
    storage_key   TEXT NOT NULL UNIQUE,
    content_type  TEXT NOT NULL,
    size          INTEGER NOT NULL,
    original_name TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    uploaded_by   INTEGER REFERENCES users(id),
    created_at    INTEGER NOT NULL
);

CREATE TABLE school_applications (
    id                INTEGER PRIMARY KEY,
    school_name       TEXT NOT NULL,
    short_name        TEXT NOT NULL,
    address           TEXT NOT NULL,
    inn               TEXT NOT NULL,
    ogrn              TEXT NOT NULL,
    region            TEXT NOT NULL,
    time_zone         TEXT NOT NULL,
    admin_family_name TEXT NOT NULL,
    admin_given_name  TEXT NOT NULL,
    admin_patronymic  TEXT,
    admin_email       TEXT NOT NULL,
    admin_phone       TEXT NOT NULL,
    order_file_id     INTEGER NOT NULL REFERENCES files(id),
    status            TEXT NOT NULL,
    reject_reason     TEXT,
    decided_by        INTEGER REFERENCES users(id),
    decided_at        INTEGER,
    org_id            INTEGER REFERENCES organizations(id),
    created_at        INTEGER NOT NULL
);
CREATE INDEX school_applications_status ON school_applications(status, id);

CREATE TABLE units (
    id         INTEGER PRIMARY KEY,
    org_id     INTEGER NOT NULL REFERENCES organizations(id),
    name       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (org_id, name)
);

-- kind: 'class' or 'staff_room' (the built-in «Учительская», one per school).
CREATE TABLE classes (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER NOT NULL REFERENCES organizations(id),
    unit_id       INTEGER REFERENCES units(id),
    kind          TEXT NOT NULL,
    name          TEXT NOT NULL,
    grade         INTEGER,
    academic_year INTEGER,
    created_at    INTEGER NOT NULL
);
CREATE INDEX classes_org ON classes(org_id);
CREATE UNIQUE INDEX classes_name_per_year ON classes(org_id, academic_year, name) WHERE kind = 'class';

-- A person's place in a school; never deleted, only ended, so history stays answerable.
CREATE TABLE memberships (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER NOT NULL REFERENCES organizations(id),
    user_id       INTEGER NOT NULL REFERENCES users(id),
    role          TEXT NOT NULL,
    class_id      INTEGER NOT NULL REFERENCES classes(id),
    child_user_id INTEGER REFERENCES users(id),
    started_at    INTEGER NOT NULL,
    started_on    TEXT NOT NULL,
    ended_at      INTEGER,
    ended_on      TEXT,
    end_reason    TEXT,
    created_by    INTEGER REFERENCES users(id)
);
CREATE INDEX memberships_user ON memberships(user_id, org_id);
CREATE INDEX memberships_class ON memberships(class_id);

-- Per person per school: when they first joined and their teacher verification.
CREATE TABLE members (
    org_id              INTEGER NOT NULL REFERENCES organizations(id),
    user_id             INTEGER NOT NULL REFERENCES users(id),
    joined_at           INTEGER NOT NULL,
    teacher_verified_at INTEGER,
    teacher_verified_by INTEGER REFERENCES users(id),
    PRIMARY KEY (org_id, user_id)
);

CREATE TABLE org_admins (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES organizations(id),
    user_id      INTEGER NOT NULL REFERENCES users(id),
    appointed_by INTEGER REFERENCES users(id),
    appointed_at INTEGER NOT NULL,
    removed_by   INTEGER REFERENCES users(id),
    removed_at   INTEGER
);
CREATE INDEX org_admins_org ON org_admins(org_id, user_id);

CREATE TABLE class_teachers (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES organizations(id),
    class_id    INTEGER NOT NULL REFERENCES classes(id),
    user_id     INTEGER NOT NULL REFERENCES users(id),
    assigned_by INTEGER REFERENCES users(id),
    assigned_at INTEGER NOT NULL,
    removed_by  INTEGER REFERENCES users(id),
    removed_at  INTEGER
);
CREATE INDEX class_teachers_class ON class_teachers(class_id);
CREATE INDEX class_teachers_user ON class_teachers(user_id, org_id);

-- Invite links. Only the SHA-256 of the token is kept; grants_admin marks the
-- one-time link that approval of an application sends to the school's first admin.
CREATE TABLE invites (
    id                INTEGER PRIMARY KEY,
    org_id            INTEGER NOT NULL REFERENCES organizations(id),
    class_id          INTEGER NOT NULL REFERENCES classes(id),
    role              TEXT NOT NULL,
    child_user_id     INTEGER REFERENCES users(id),
    grants_admin      INTEGER NOT NULL DEFAULT 0,
    token_hash        TEXT NOT NULL UNIQUE,
    created_by        INTEGER REFERENCES users(id),
    created_at        INTEGER NOT NULL,
    expires_at        INTEGER NOT NULL,
    max_uses          INTEGER NOT NULL,
    use_count         INTEGER NOT NULL DEFAULT 0,
    requires_approval INTEGER NOT NULL,
    revoked_at        INTEGER,
    revoked_by        INTEGER REFERENCES users(id)
);
CREATE INDEX invites_org ON invites(org_id, class_id);

CREATE TABLE join_requests (
    id         INTEGER PRIMARY KEY,
    org_id     INTEGER NOT NULL REFERENCES organizations(id),
    invite_id  INTEGER NOT NULL REFERENCES invites(id),
    user_id    INTEGER NOT NULL REFERENCES users(id),
    status     TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    decided_by INTEGER REFERENCES users(id),
    decided_at INTEGER,
    reason     TEXT
);
CREATE INDEX join_requests_org ON join_requests(org_id, status);

-- Who did what to whom, and when. org_id is empty for platform actions.
CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER REFERENCES organizations(id),
    actor_user_id INTEGER REFERENCES users(id),
    action        TEXT NOT NULL,
    target_type   TEXT NOT NULL,
    target_id     INTEGER,
    details       TEXT NOT NULL,
    at            INTEGER NOT NULL
);
CREATE INDEX audit_log_org ON audit_log(org_id, id);
