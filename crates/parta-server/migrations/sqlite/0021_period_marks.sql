-- Period marks («четвертная», «триместровая», «полугодовая») and the year mark (period 0),
-- set by the teacher of an assignment; after the administration closes the period
-- only an admin changes them, with a reason the audit log keeps. Each change keeps
-- the mark before it.
CREATE TABLE period_marks (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER NOT NULL REFERENCES organizations(id),
    assignment_id INTEGER NOT NULL REFERENCES teaching_assignments(id),
    period        INTEGER NOT NULL,
    student_id    INTEGER NOT NULL REFERENCES users(id),
    mark          TEXT NOT NULL,
    set_by        INTEGER NOT NULL REFERENCES users(id),
    set_at        INTEGER NOT NULL,
    UNIQUE (assignment_id, period, student_id)
);

CREATE TABLE period_mark_history (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER NOT NULL REFERENCES organizations(id),
    assignment_id INTEGER NOT NULL,
    period        INTEGER NOT NULL,
    student_id    INTEGER NOT NULL,
    -- The mark before the change; none when there was none.
    mark          TEXT,
    reason        TEXT,
    changed_by    INTEGER NOT NULL REFERENCES users(id),
    changed_at    INTEGER NOT NULL
);
