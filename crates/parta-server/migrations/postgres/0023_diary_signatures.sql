-- A parent's signature under a week of the diary («ознакомлен», like the paper diary's).
CREATE TABLE diary_signatures (
    org_id     BIGINT NOT NULL REFERENCES organizations(id),
    student_id BIGINT NOT NULL REFERENCES users(id),
    monday     TEXT NOT NULL,
    parent_id  BIGINT NOT NULL REFERENCES users(id),
    signed_at  BIGINT NOT NULL,
    PRIMARY KEY (student_id, monday, parent_id)
);
