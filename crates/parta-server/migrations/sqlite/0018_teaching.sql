-- Groups inside a class for subjects taught in halves («5А — английский, группа 1»),
-- and who teaches what: a teacher, a subject, a class or one of its groups, in a
-- school year. Both keep their history: a group is archived, an assignment ended.
CREATE TABLE class_groups (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES organizations(id),
    class_id    INTEGER NOT NULL REFERENCES classes(id),
    name        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    archived_at INTEGER
);
CREATE INDEX class_groups_class ON class_groups(class_id);

CREATE TABLE class_group_students (
    org_id     INTEGER NOT NULL REFERENCES organizations(id),
    group_id   INTEGER NOT NULL REFERENCES class_groups(id),
    student_id INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (group_id, student_id)
);

CREATE TABLE teaching_assignments (
    id         INTEGER PRIMARY KEY,
    org_id     INTEGER NOT NULL REFERENCES organizations(id),
    year_id    INTEGER NOT NULL REFERENCES academic_years(id),
    teacher_id INTEGER NOT NULL REFERENCES users(id),
    subject_id INTEGER NOT NULL REFERENCES subjects(id),
    class_id   INTEGER NOT NULL REFERENCES classes(id),
    group_id   INTEGER REFERENCES class_groups(id),
    created_at INTEGER NOT NULL,
    ended_at   INTEGER
);
CREATE INDEX teaching_assignments_year ON teaching_assignments(year_id, class_id);
CREATE INDEX teaching_assignments_teacher ON teaching_assignments(teacher_id, year_id);
