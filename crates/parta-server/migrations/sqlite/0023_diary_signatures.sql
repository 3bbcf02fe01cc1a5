-- A parent's signature under a week of the diary («ознакомлен», like the paper diary's).
CREATE TABLE diary_signatures (
    org_id     INTEGER NOT NULL REFERENCES organizations(id),
    student_id INTEGER NOT NULL REFERENCES users(id),
    monday     TEXT NOT NULL,
    parent_id  INTEGER NOT NULL REFERENCES users(id),
    signed_at  INTEGER NOT NULL,
    PRIMARY KEY (student_id, monday, parent_id)
);
