-- Reverts the up step (PostgreSQL).

DROP TABLE IF EXISTS "loans";

DROP TABLE IF EXISTS "members";

DROP TABLE IF EXISTS "copies";

DROP TABLE IF EXISTS "books";
