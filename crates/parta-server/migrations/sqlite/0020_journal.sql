-- The class journal. A lesson is written down when its teacher first records it (a
-- topic, attendance, marks): one row per timetable lesson held, with its date and
-- its instants (Unix milliseconds, from the bells in the school's time zone).
CREATE TABLE grade_types (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES organizations(id),
    name         TEXT NOT NULL,
    -- The weight in hundredths: 150 weighs 1.5.
    weight_centi INTEGER NOT NULL,
    archived_at  INTEGER,
    UNIQUE (org_id, name)
);

CREATE TABLE lessons (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER NOT NULL REFERENCES organizations(id),
    year_id       INTEGER NOT NULL REFERENCES academic_years(id),
    assignment_id INTEGER NOT NULL REFERENCES teaching_assignments(id),
    class_id      INTEGER NOT NULL REFERENCES classes(id),
    group_id      INTEGER REFERENCES class_groups(id),
    subject_id    INTEGER NOT NULL REFERENCES subjects(id),
    teacher_id    INTEGER NOT NULL REFERENCES users(id),
    held_on       TEXT NOT NULL,
    shift         INTEGER NOT NULL,
    number        INTEGER NOT NULL,
    starts_at     INTEGER NOT NULL,
    ends_at       INTEGER NOT NULL,
    topic         TEXT,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    UNIQUE (assignment_id, held_on, shift, number)
);
CREATE INDEX lessons_class ON lessons(class_id, held_on);
CREATE INDEX lessons_teacher ON lessons(teacher_id, held_on);

-- Who was not at a lesson (or late); everyone else was there. A legal record: each
-- change keeps the value before it.
CREATE TABLE attendance (
    lesson_id    INTEGER NOT NULL REFERENCES lessons(id),
    org_id       INTEGER NOT NULL REFERENCES organizations(id),
    student_id   INTEGER NOT NULL REFERENCES users(id),
    absence      TEXT NOT NULL,
    minutes_late INTEGER,
    reason       TEXT,
    set_by       INTEGER NOT NULL REFERENCES users(id),
    set_at       INTEGER NOT NULL,
    PRIMARY KEY (lesson_id, student_id)
);

CREATE TABLE attendance_history (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES organizations(id),
    lesson_id    INTEGER NOT NULL REFERENCES lessons(id),
    student_id   INTEGER NOT NULL REFERENCES users(id),
    -- The entry before the change; none when the student had been present.
    absence      TEXT,
    minutes_late INTEGER,
    reason       TEXT,
    changed_by   INTEGER NOT NULL REFERENCES users(id),
    changed_at   INTEGER NOT NULL
);
CREATE INDEX attendance_history_lesson ON attendance_history(lesson_id, student_id);

CREATE TABLE grades (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER NOT NULL REFERENCES organizations(id),
    lesson_id     INTEGER NOT NULL REFERENCES lessons(id),
    student_id    INTEGER NOT NULL REFERENCES users(id),
    mark          TEXT NOT NULL,
    grade_type_id INTEGER NOT NULL REFERENCES grade_types(id),
    weight_centi  INTEGER NOT NULL,
    comment       TEXT,
    given_by      INTEGER NOT NULL REFERENCES users(id),
    given_at      INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    deleted_at    INTEGER
);
CREATE INDEX grades_lesson ON grades(lesson_id);
CREATE INDEX grades_student ON grades(student_id, lesson_id);

CREATE TABLE grade_history (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER NOT NULL REFERENCES organizations(id),
    grade_id      INTEGER NOT NULL REFERENCES grades(id),
    -- The grade before the change.
    mark          TEXT NOT NULL,
    grade_type_id INTEGER NOT NULL,
    comment       TEXT,
    change        TEXT NOT NULL,
    changed_by    INTEGER NOT NULL REFERENCES users(id),
    changed_at    INTEGER NOT NULL
);
CREATE INDEX grade_history_grade ON grade_history(grade_id);
