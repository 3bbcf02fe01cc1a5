-- Chat history imported from another messenger's export (Telegram, WhatsApp). An
-- imported message keeps its export's key, unique in its chat, so the same export
-- twice adds nothing; an author matched to no member is a named guest (the message
-- is stored under the importer, shown with the guest's name); a forwarded message
-- keeps whose it was by name. Imported messages are never edited as their sender's.
ALTER TABLE messages ADD COLUMN import_key TEXT;
ALTER TABLE messages ADD COLUMN guest_name TEXT;
ALTER TABLE messages ADD COLUMN forwarded_name TEXT;
CREATE UNIQUE INDEX messages_import_key ON messages(chat_id, import_key) WHERE import_key IS NOT NULL;
