-- Quiet hours: a school's night window ('HH:MM' in its time zone), and messages held
-- until it ends (they take their chat position when released).

ALTER TABLE organizations ADD COLUMN quiet_from TEXT;
ALTER TABLE organizations ADD COLUMN quiet_to TEXT;
ALTER TABLE messages ADD COLUMN held_until INTEGER;
CREATE INDEX messages_held ON messages(held_until) WHERE held_until IS NOT NULL;
