-- The school's register as a roster system (OneRoster) knows it: the people it
-- expects, each under the roster's own id (sourcedId, kept across imports), and,
-- once they joined by their personal link, their account.
CREATE TABLE roster_people (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES organizations(id),
    sourced_id   TEXT NOT NULL,
    role         TEXT NOT NULL,
    family_name  TEXT NOT NULL,
    given_name   TEXT NOT NULL,
    patronymic   TEXT,
    email        TEXT,
    phone        TEXT,
    -- A student's class; the class a teacher leads («классный руководитель»).
    class_id     INTEGER REFERENCES classes(id),
    user_id      INTEGER REFERENCES users(id),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE UNIQUE INDEX roster_people_sourced ON roster_people(org_id, sourced_id);
CREATE UNIQUE INDEX roster_people_user ON roster_people(org_id, user_id);

-- A parent (or guardian) and their child, both of the register.
CREATE TABLE roster_guardians (
    org_id    INTEGER NOT NULL REFERENCES organizations(id),
    parent_id INTEGER NOT NULL REFERENCES roster_people(id),
    child_id  INTEGER NOT NULL REFERENCES roster_people(id),
    PRIMARY KEY (parent_id, child_id)
);
CREATE INDEX roster_guardians_child ON roster_guardians(child_id);

-- The roster's ids of the school itself and of its classes.
CREATE TABLE roster_ids (
    org_id     INTEGER NOT NULL REFERENCES organizations(id),
    kind       TEXT NOT NULL,
    local_id   INTEGER NOT NULL,
    sourced_id TEXT NOT NULL,
    PRIMARY KEY (org_id, kind, local_id)
);
CREATE UNIQUE INDEX roster_ids_sourced ON roster_ids(org_id, kind, sourced_id);

-- A person's own link, made for them by an import: it admits only them, as the
-- register says.
ALTER TABLE invites ADD COLUMN roster_person_id INTEGER REFERENCES roster_people(id);
