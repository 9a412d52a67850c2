-- Written by ambidex makemigrations for MySQL/MariaDB on 2026-12-06 20:53:31 UTC.
-- create table books
-- create table copies
-- create table members
-- create table loans

CREATE TABLE IF NOT EXISTS `books` (`id` BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, `title` LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL, `author` LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS `copies` (`id` BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, `book_id` BIGINT NOT NULL, CONSTRAINT `fk_copies_book_id` FOREIGN KEY (`book_id`) REFERENCES `books` (`id`) ON DELETE RESTRICT, INDEX `ix_copies_book_id` (`book_id`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS `members` (`id` BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, `name` LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL, `email` VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL, CONSTRAINT `members_email_key` UNIQUE (`email`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS `loans` (`id` BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, `copy_id` BIGINT NOT NULL, `member_id` BIGINT NOT NULL, `lent_at` DATETIME(6) NOT NULL, `returned_at` DATETIME(6), CONSTRAINT `fk_loans_copy_id` FOREIGN KEY (`copy_id`) REFERENCES `copies` (`id`) ON DELETE RESTRICT, CONSTRAINT `fk_loans_member_id` FOREIGN KEY (`member_id`) REFERENCES `members` (`id`) ON DELETE RESTRICT, INDEX `ix_loans_copy_id` (`copy_id`), INDEX `ix_loans_member_id` (`member_id`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
