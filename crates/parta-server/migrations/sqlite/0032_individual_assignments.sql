-- Under a remote-learning order, the students the class teacher marked as having no
-- device or connection, and the individual assignments their teachers set them
-- (seed 001 §4: «индивидуальные задания»), due after the order and marked when they
-- are back, apart from the class's lessons.
CREATE TABLE order_offline_students (
    order_id   INTEGER NOT NULL REFERENCES distance_orders(id),
    student_id INTEGER NOT NULL REFERENCES users(id),
    class_id   INTEGER NOT NULL REFERENCES classes(id),
    marked_by  INTEGER NOT NULL REFERENCES users(id),
    marked_at  INTEGER NOT NULL,
    PRIMARY KEY (order_id, student_id)
);
CREATE TABLE individual_assignments (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER NOT NULL REFERENCES organizations(id),
    order_id      INTEGER NOT NULL REFERENCES distance_orders(id),
    student_id    INTEGER NOT NULL REFERENCES users(id),
    assignment_id INTEGER NOT NULL REFERENCES teaching_assignments(id),
    body          TEXT NOT NULL,
    due_on        TEXT NOT NULL,
    set_by        INTEGER NOT NULL REFERENCES users(id),
    set_at        INTEGER NOT NULL,
    mark          TEXT,
    marked_by     INTEGER REFERENCES users(id),
    marked_at     INTEGER
);
CREATE INDEX individual_assignments_order ON individual_assignments(order_id, student_id);
