-- The school year as a school sets it up (the journal builds on it). Dates are
-- calendar dates of the school's own time zone, as YYYY-MM-DD; times of day are the
-- school's clock, as HH:MM.
CREATE TABLE academic_years (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES organizations(id),
    name        TEXT NOT NULL,
    starts_on   TEXT NOT NULL,
    ends_on     TEXT NOT NULL,
    school_days INTEGER NOT NULL,
    period_kind TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX academic_years_org ON academic_years(org_id, starts_on);

-- Четверти, триместры or полугодия, numbered from 1. A closed period's marks change
-- only by an admin with a reason.
CREATE TABLE academic_periods (
    id        INTEGER PRIMARY KEY,
    org_id    INTEGER NOT NULL REFERENCES organizations(id),
    year_id   INTEGER NOT NULL REFERENCES academic_years(id),
    number    INTEGER NOT NULL,
    name      TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on   TEXT NOT NULL,
    closed_at INTEGER,
    closed_by INTEGER REFERENCES users(id),
    UNIQUE (year_id, number)
);

-- Holidays («каникулы») and single days off inside a year.
CREATE TABLE days_off (
    id        INTEGER PRIMARY KEY,
    org_id    INTEGER NOT NULL REFERENCES organizations(id),
    year_id   INTEGER NOT NULL REFERENCES academic_years(id),
    starts_on TEXT NOT NULL,
    ends_on   TEXT NOT NULL,
    kind      TEXT NOT NULL,
    name      TEXT NOT NULL
);
CREATE INDEX days_off_year ON days_off(year_id, starts_on);

-- The bells («звонки»): numbered lesson slots of each shift.
CREATE TABLE bells (
    id        INTEGER PRIMARY KEY,
    org_id    INTEGER NOT NULL REFERENCES organizations(id),
    year_id   INTEGER NOT NULL REFERENCES academic_years(id),
    shift     INTEGER NOT NULL,
    number    INTEGER NOT NULL,
    starts_at TEXT NOT NULL,
    ends_at   TEXT NOT NULL,
    UNIQUE (year_id, shift, number)
);

-- The school's subjects: a catalogue it starts with and edits; archived ones stay
-- for the marks given in them.
CREATE TABLE subjects (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES organizations(id),
    name        TEXT NOT NULL,
    short_name  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    archived_at INTEGER,
    UNIQUE (org_id, name)
);
