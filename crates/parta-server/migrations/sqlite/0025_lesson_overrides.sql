-- Overrides of a class's lessons on a date: a replacement teacher ('substitute'), a
-- cancelled lesson ('cancel'), a lesson moved to another date or slot ('move', to the
-- place in to_*), an extra lesson ('extra'). The place (held_on, shift, number) is
-- the timetable lesson's, or the extra lesson's; teacher_id is who teaches it there
-- (or at the place it moved to).
CREATE TABLE lesson_overrides (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER NOT NULL REFERENCES organizations(id),
    year_id       INTEGER NOT NULL REFERENCES academic_years(id),
    class_id      INTEGER NOT NULL REFERENCES classes(id),
    assignment_id INTEGER NOT NULL REFERENCES teaching_assignments(id),
    kind          TEXT NOT NULL,
    held_on       TEXT NOT NULL,
    shift         INTEGER NOT NULL,
    number        INTEGER NOT NULL,
    teacher_id    INTEGER NOT NULL REFERENCES users(id),
    room          TEXT,
    reason        TEXT,
    to_held_on    TEXT,
    to_shift      INTEGER,
    to_number     INTEGER,
    set_by        INTEGER NOT NULL REFERENCES users(id),
    set_at        INTEGER NOT NULL,
    UNIQUE (assignment_id, held_on, shift, number)
);
CREATE INDEX lesson_overrides_on ON lesson_overrides(org_id, year_id, held_on);
CREATE INDEX lesson_overrides_to ON lesson_overrides(org_id, year_id, to_held_on);
