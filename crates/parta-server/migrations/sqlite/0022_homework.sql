-- Homework set at a lesson: its text, when it is due (a date, the school's calendar),
-- how long it should take, and when it was entered (the regulations time it).
CREATE TABLE homework (
    id         INTEGER PRIMARY KEY,
    org_id     INTEGER NOT NULL REFERENCES organizations(id),
    lesson_id  INTEGER NOT NULL UNIQUE REFERENCES lessons(id),
    class_id   INTEGER NOT NULL REFERENCES classes(id),
    body       TEXT NOT NULL,
    due_on     TEXT NOT NULL,
    minutes    INTEGER,
    set_by     INTEGER NOT NULL REFERENCES users(id),
    entered_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX homework_due ON homework(class_id, due_on);
