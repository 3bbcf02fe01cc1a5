-- The weekly timetable of each class in a year: a teaching assignment (teacher,
-- subject, class or group) in a slot of the bells on a weekday (Monday 1), in a room.
CREATE TABLE timetable_entries (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER NOT NULL REFERENCES organizations(id),
    year_id       INTEGER NOT NULL REFERENCES academic_years(id),
    class_id      INTEGER NOT NULL REFERENCES classes(id),
    weekday       INTEGER NOT NULL,
    shift         INTEGER NOT NULL,
    number        INTEGER NOT NULL,
    assignment_id INTEGER NOT NULL REFERENCES teaching_assignments(id),
    room          TEXT
);
CREATE INDEX timetable_entries_class ON timetable_entries(year_id, class_id);
