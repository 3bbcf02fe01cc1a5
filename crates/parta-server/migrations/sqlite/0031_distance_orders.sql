-- Orders («приказы») putting classes, or the whole school, on remote learning for a
-- period (seed 001 §4–6). Ended early, an order holds through `in_force_until` (NULL
-- when it was ended before it began) and the normal timetable is back the next day;
-- nothing done under it is undone. Its signed document is a journal file
-- (`document_file_id`), and its must-acknowledge announcements are kept per chat.
CREATE TABLE distance_orders (
    id               INTEGER PRIMARY KEY,
    org_id           INTEGER NOT NULL REFERENCES organizations(id),
    number           TEXT NOT NULL,
    issued_on        TEXT NOT NULL,
    reason           TEXT NOT NULL,
    starts_on        TEXT NOT NULL,
    ends_on          TEXT NOT NULL,
    whole_school     INTEGER NOT NULL,
    document_file_id INTEGER REFERENCES files(id),
    issued_by        INTEGER NOT NULL REFERENCES users(id),
    created_at       INTEGER NOT NULL,
    ended_early_at   INTEGER,
    ended_by         INTEGER REFERENCES users(id),
    in_force_until   TEXT
);
CREATE INDEX distance_orders_org ON distance_orders(org_id, starts_on);
CREATE TABLE distance_order_classes (
    order_id INTEGER NOT NULL REFERENCES distance_orders(id),
    class_id INTEGER NOT NULL REFERENCES classes(id),
    PRIMARY KEY (order_id, class_id)
);
CREATE TABLE distance_order_posts (
    order_id   INTEGER NOT NULL REFERENCES distance_orders(id),
    chat_id    INTEGER NOT NULL REFERENCES chats(id),
    message_id INTEGER NOT NULL REFERENCES messages(id),
    PRIMARY KEY (order_id, chat_id)
);
