-- The notes the guide's examples keep.
CREATE TABLE notes (id INTEGER NOT NULL PRIMARY KEY, body VARCHAR(200) NOT NULL);
