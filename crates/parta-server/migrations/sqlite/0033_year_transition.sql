-- The new school year: a year the school has moved on from is archived (its journal
-- read-only), each class of the new year remembers the class it continues, and
-- chats that ended with their year (subject chats, a graduating class's) are archives:
-- read-only, kept with their seats, never deleted.
ALTER TABLE academic_years ADD COLUMN archived_at INTEGER;
ALTER TABLE academic_years ADD COLUMN archived_by INTEGER REFERENCES users(id);
ALTER TABLE classes ADD COLUMN previous_class_id INTEGER REFERENCES classes(id);
ALTER TABLE chats ADD COLUMN archived_at INTEGER;
