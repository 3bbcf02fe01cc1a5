-- Files of homework and students' submissions. A journal file is uploaded to its
-- school first (files.chat_id NULL, uploaded_by set), then referenced by the homework
-- or the submission it belongs to; who may download it follows from that.
CREATE TABLE homework_files (
    org_id    INTEGER NOT NULL REFERENCES organizations(id),
    lesson_id INTEGER NOT NULL REFERENCES lessons(id),
    file_id   INTEGER NOT NULL UNIQUE REFERENCES files(id),
    position  INTEGER NOT NULL,
    PRIMARY KEY (lesson_id, file_id)
);

-- A student's work handed in for the homework of a lesson: one per student and lesson,
-- replaced when handed in again until it is graded. `late` is judged at hand-in against
-- the end of the due day in the school's time zone; the instant is kept beside it.
CREATE TABLE submissions (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES organizations(id),
    lesson_id    INTEGER NOT NULL REFERENCES lessons(id),
    student_id   INTEGER NOT NULL REFERENCES users(id),
    body         TEXT NOT NULL,
    handed_in_at INTEGER NOT NULL,
    late         INTEGER NOT NULL,
    status       TEXT NOT NULL,
    comment      TEXT,
    checked_by   INTEGER REFERENCES users(id),
    checked_at   INTEGER,
    grade_id     INTEGER REFERENCES grades(id),
    UNIQUE (lesson_id, student_id)
);
CREATE INDEX submissions_student ON submissions(student_id, lesson_id);

CREATE TABLE submission_files (
    org_id        INTEGER NOT NULL REFERENCES organizations(id),
    submission_id INTEGER NOT NULL REFERENCES submissions(id),
    file_id       INTEGER NOT NULL UNIQUE REFERENCES files(id),
    position      INTEGER NOT NULL,
    PRIMARY KEY (submission_id, file_id)
);
