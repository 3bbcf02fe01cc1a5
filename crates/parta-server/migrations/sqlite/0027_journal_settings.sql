-- The school's rounding rule for the marks the journal suggests: a fractional average
-- rounds up from `round_from_centi` (450: 4.5 is a «5» and 3.5 a «4»; stricter schools
-- use 460 or 470). A school without a row rounds from 4.5. Year marks («годовая»)
-- are kept in period_marks as period 0, with the same history.
CREATE TABLE journal_settings (
    org_id           INTEGER PRIMARY KEY REFERENCES organizations(id),
    round_from_centi INTEGER NOT NULL,
    changed_by       INTEGER NOT NULL REFERENCES users(id),
    changed_at       INTEGER NOT NULL
);
