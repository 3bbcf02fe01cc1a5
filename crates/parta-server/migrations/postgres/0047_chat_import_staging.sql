-- A chat import between its upload and its end. The upload itself (the export, or
-- its zip) is kept in the blob store under upload_key, so any node can apply it and
-- answer its progress. One per importer: a new upload replaces the last one that is
-- not running. Rows and their uploads are removed an hour after their last step.
CREATE TABLE chat_imports (
    id          TEXT PRIMARY KEY,
    org_id      BIGINT NOT NULL REFERENCES organizations(id),
    chat_id     BIGINT NOT NULL REFERENCES chats(id),
    importer_id BIGINT NOT NULL REFERENCES users(id),
    upload_key  TEXT NOT NULL,
    -- 'staged', 'running', 'done' or 'failed' (error: its code).
    state       TEXT NOT NULL,
    total       BIGINT NOT NULL DEFAULT 0,
    done        BIGINT NOT NULL DEFAULT 0,
    imported    BIGINT NOT NULL DEFAULT 0,
    files       BIGINT NOT NULL DEFAULT 0,
    error       TEXT,
    -- A running import whose node last spoke before now minus ten minutes was cut
    -- off (its node stopped); it may be applied again.
    updated_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX chat_imports_importer ON chat_imports(importer_id);
CREATE INDEX chat_imports_expiry ON chat_imports(expires_at);
