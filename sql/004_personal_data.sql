-- Personal data sealed at rest (fcgi/pii.h, docs/personal-data.md): every
-- ID number and phone moves into a VARBINARY column holding key id, nonce
-- and ciphertext, with a blind index beside ID numbers for equal-value
-- lookups; idempotent answers move to a table that keeps keys hashed and
-- answers sealed.  The plain columns stay until the data step below has
-- moved every value; 005 drops them.
--
-- then: pii-upgrade
-- (scripts/migrate.sh runs `swn-worker pii-upgrade` after this file and
-- before recording it: the step is idempotent and moves plain values in
-- batches.)

-- Which keys sealed what: a check value per key (a MAC of a constant under
-- the key, which identifies it without revealing it).  Id 0 is the index
-- key.  A worker refuses to start without every key listed here as live.
CREATE TABLE IF NOT EXISTS pii_keys (
	id INT UNSIGNED NOT NULL PRIMARY KEY,
	check_value BINARY(16) NOT NULL,
	created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
	retired_at TIMESTAMP NULL
) ENGINE = InnoDB;

ALTER TABLE wage_cases
	ADD COLUMN IF NOT EXISTS reporter_phone_enc VARBINARY(96) NULL
		AFTER reporter_name,
	MODIFY COLUMN IF EXISTS reporter_phone CHAR(11) CHARACTER SET ascii NULL;

ALTER TABLE wage_case_workers
	ADD COLUMN IF NOT EXISTS id_number_enc VARBINARY(96) NULL AFTER name,
	ADD COLUMN IF NOT EXISTS id_number_idx BINARY(16) NULL
		AFTER id_number_enc,
	ADD COLUMN IF NOT EXISTS phone_enc VARBINARY(96) NULL
		AFTER id_number_idx,
	ADD KEY IF NOT EXISTS wage_case_workers_idnum (id_number_idx);

-- The key is kept as its blind index, the request as a hash bound to the
-- raw key, and the answer sealed twice (fcgi/idem.c); status 0 means the
-- claiming transaction has not finished.  id only gives key rotation a
-- simple order to walk the rows in.
CREATE TABLE IF NOT EXISTS idempotency_answers (
	user_id BIGINT UNSIGNED NOT NULL, -- 0 for anonymous callers
	key_hash BINARY(16) NOT NULL,
	id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
	request_hash BINARY(32) NOT NULL,
	status SMALLINT UNSIGNED NOT NULL DEFAULT 0,
	content_type VARCHAR(100) NULL,
	headers TEXT NULL,
	body MEDIUMBLOB NULL,
	created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
	PRIMARY KEY (user_id, key_hash),
	UNIQUE KEY idempotency_answers_id (id),
	KEY idempotency_answers_created (created_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
