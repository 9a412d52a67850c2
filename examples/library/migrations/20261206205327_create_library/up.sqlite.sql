-- Written by ambidex makemigrations for SQLite on 2026-12-06 20:53:27 UTC.
-- create table books
-- create table copies
-- create table members
-- create table loans

CREATE TABLE IF NOT EXISTS "books" ("id" INTEGER PRIMARY KEY, "title" TEXT NOT NULL, "author" TEXT NOT NULL);

CREATE TABLE IF NOT EXISTS "copies" ("id" INTEGER PRIMARY KEY, "book_id" INTEGER NOT NULL, CONSTRAINT "fk_copies_book_id" FOREIGN KEY ("book_id") REFERENCES "books" ("id") ON DELETE RESTRICT);

CREATE INDEX IF NOT EXISTS "ix_copies_book_id" ON "copies" ("book_id");

CREATE TABLE IF NOT EXISTS "members" ("id" INTEGER PRIMARY KEY, "name" TEXT NOT NULL, "email" TEXT NOT NULL, CONSTRAINT "members_email_key" UNIQUE ("email"));

CREATE TABLE IF NOT EXISTS "loans" ("id" INTEGER PRIMARY KEY, "copy_id" INTEGER NOT NULL, "member_id" INTEGER NOT NULL, "lent_at" TEXT NOT NULL, "returned_at" TEXT, CONSTRAINT "fk_loans_copy_id" FOREIGN KEY ("copy_id") REFERENCES "copies" ("id") ON DELETE RESTRICT, CONSTRAINT "fk_loans_member_id" FOREIGN KEY ("member_id") REFERENCES "members" ("id") ON DELETE RESTRICT);

CREATE INDEX IF NOT EXISTS "ix_loans_copy_id" ON "loans" ("copy_id");

CREATE INDEX IF NOT EXISTS "ix_loans_member_id" ON "loans" ("member_id");
