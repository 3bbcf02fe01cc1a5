-- A lesson's homework is posted into the class's chat as a card that follows it:
-- the message says which lesson it is the card of.
ALTER TABLE messages ADD COLUMN lesson_id INTEGER REFERENCES lessons(id);
CREATE INDEX messages_lesson ON messages(lesson_id) WHERE lesson_id IS NOT NULL;
