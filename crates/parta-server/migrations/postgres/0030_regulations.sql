-- A school's own numbers for the regulations' rules (`parta_domain::regulations::
-- Thresholds` as JSON), each no looser than the seeds'. A school without a row
-- follows the seeds.
CREATE TABLE school_regulations (
    org_id     BIGINT PRIMARY KEY REFERENCES organizations(id),
    thresholds TEXT NOT NULL,
    changed_by BIGINT NOT NULL REFERENCES users(id),
    changed_at BIGINT NOT NULL
);
-- When homework and a mark were due in the journal by the rules in force when they
-- were first entered (NULL: entered before the rules were kept): lateness is recorded
-- as it was, not judged again by numbers changed later.
ALTER TABLE homework ADD COLUMN due_by BIGINT;
ALTER TABLE grades ADD COLUMN due_by BIGINT;
