-- Every row that belongs to one school names it, so a PostgreSQL sharded by school
-- keeps a message's attachments and a poll's options beside them.

ALTER TABLE attachments ADD COLUMN org_id BIGINT REFERENCES organizations(id);
UPDATE attachments SET org_id = (SELECT m.org_id FROM messages m WHERE m.id = attachments.message_id);
ALTER TABLE poll_options ADD COLUMN org_id BIGINT REFERENCES organizations(id);
UPDATE poll_options SET org_id = (SELECT p.org_id FROM polls p WHERE p.id = poll_options.poll_id);
