-- Which instance built sessions last (see Sessions/SessionBuildLock.cs): an instance that finds another one built
-- since its own last build forgets the sessions it was keeping open in memory and reads them back instead.
CREATE TABLE session_builds (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    builder TEXT    NOT NULL,
    builds  BIGINT  NOT NULL
);
