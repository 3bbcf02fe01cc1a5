-- The administration side: statistics of reach and care, the education authorities
-- above schools, and consent to the processing of personal data.
--
-- Who was active on which day and week, once per person per school (days are counted
-- from 1970-01-01 in the school's time zone, weeks from Monday), and how many of each
-- group that was: a dashboard over a year reads the counts, not the rows.
CREATE TABLE active_days (
    org_id  INTEGER NOT NULL REFERENCES organizations(id),
    day     INTEGER NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (org_id, day, user_id)
) WITHOUT ROWID;
CREATE TABLE active_weeks (
    org_id  INTEGER NOT NULL REFERENCES organizations(id),
    week    INTEGER NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (org_id, week, user_id)
) WITHOUT ROWID;
-- kind: day | week; number: the day's or the week's number.
CREATE TABLE active_counts (
    org_id   INTEGER NOT NULL REFERENCES organizations(id),
    kind     TEXT NOT NULL,
    number   INTEGER NOT NULL,
    students INTEGER NOT NULL DEFAULT 0,
    parents  INTEGER NOT NULL DEFAULT 0,
    staff    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, kind, number)
) WITHOUT ROWID;

-- When a post quiet hours held went out (held_until is cleared then).
ALTER TABLE messages ADD COLUMN released_at INTEGER;
CREATE INDEX messages_released ON messages(org_id, created_at) WHERE released_at IS NOT NULL;
CREATE INDEX messages_ack_posts ON messages(org_id, created_at) WHERE needs_ack = 1;
CREATE INDEX memberships_org_started ON memberships(org_id, started_at);
-- A student's parents, found from the student (who is missing a parent).
CREATE INDEX memberships_child ON memberships(child_user_id) WHERE child_user_id IS NOT NULL;
CREATE INDEX invites_org_created ON invites(org_id, created_at);
CREATE INDEX reports_org_created ON reports(org_id, created_at);
CREATE INDEX join_requests_org_decided ON join_requests(org_id, decided_at);
-- A school's lessons over a period (the journal's figures).
CREATE INDEX lessons_org_day ON lessons(org_id, held_on);

-- Education authorities («управление образования»): the operator creates one, attaches
-- schools and adds its curators, who read the statistics of its schools only.
CREATE TABLE authorities (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    region     TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL
);
ALTER TABLE organizations ADD COLUMN authority_id INTEGER REFERENCES authorities(id);
CREATE INDEX organizations_authority ON organizations(authority_id);
-- The authority a school's application names (free text, matched by the operator).
ALTER TABLE school_applications ADD COLUMN authority_name TEXT;
CREATE TABLE authority_curators (
    id           INTEGER PRIMARY KEY,
    authority_id INTEGER NOT NULL REFERENCES authorities(id),
    user_id      INTEGER NOT NULL REFERENCES users(id),
    invited_by   INTEGER REFERENCES users(id),
    joined_at    INTEGER NOT NULL,
    removed_at   INTEGER
);
CREATE UNIQUE INDEX authority_curators_current ON authority_curators(authority_id, user_id) WHERE removed_at IS NULL;
CREATE INDEX authority_curators_user ON authority_curators(user_id);

-- Consent to the processing of personal data (152-ФЗ), with the version of the text
-- agreed to. kind: self | child (a parent's for their child, child_user_id set).
CREATE TABLE consents (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users(id),
    kind          TEXT NOT NULL,
    child_user_id INTEGER REFERENCES users(id),
    org_id        INTEGER REFERENCES organizations(id),
    version       TEXT NOT NULL,
    at            INTEGER NOT NULL
);
CREATE INDEX consents_user ON consents(user_id);
