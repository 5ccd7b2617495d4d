-- Hardening found by the security review (issue "Proof under faults").
--
-- One row per username tried: a login attempt locks it for its whole
-- transaction, so concurrent attempts on one username are checked one
-- after another and the lockout counts every failure before the next
-- password is verified (at most 5 are ever checked in 15 minutes).
CREATE TABLE IF NOT EXISTS login_guards (
	username VARCHAR(64) NOT NULL PRIMARY KEY,
	at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_520_ci;

-- Who was answered: an idempotent answer is replayed only to a caller
-- whose role and unit are still those it was made for.
ALTER TABLE idempotency_answers
	ADD COLUMN IF NOT EXISTS rights VARCHAR(300) NULL AFTER body;
