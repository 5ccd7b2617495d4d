-- Core tables: the unit tree, users and their sessions, idempotency keys
-- and the audit log.  Every migration is safe to run twice: a crash between
-- applying a file and recording it must not wedge the next start.

CREATE TABLE IF NOT EXISTS units (
	id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	code VARCHAR(32) NOT NULL,
	name VARCHAR(50) NOT NULL,
	kind ENUM('district', 'town', 'street', 'direct') NOT NULL,
	parent_id BIGINT UNSIGNED NULL,
	-- Materialised path "/1/4/": a subtree is a prefix match.
	path VARCHAR(255) NOT NULL,
	created_by BIGINT UNSIGNED NULL,
	created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
	updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
	version INT UNSIGNED NOT NULL DEFAULT 1,
	UNIQUE KEY units_code (code),
	KEY units_path (path),
	CONSTRAINT units_parent FOREIGN KEY (parent_id) REFERENCES units (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_520_ci;

CREATE TABLE IF NOT EXISTS users (
	id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	username VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	password_hash VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	display_name VARCHAR(50) NOT NULL,
	role ENUM('admin', 'staff', 'volunteer') NOT NULL,
	unit_id BIGINT UNSIGNED NOT NULL,
	disabled TINYINT(1) NOT NULL DEFAULT 0,
	created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
	updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
	version INT UNSIGNED NOT NULL DEFAULT 1,
	UNIQUE KEY users_username (username),
	CONSTRAINT users_unit FOREIGN KEY (unit_id) REFERENCES units (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_520_ci;

-- Only the SHA-256 of a session token is kept.
CREATE TABLE IF NOT EXISTS sessions (
	token_hash BINARY(32) NOT NULL PRIMARY KEY,
	user_id BIGINT UNSIGNED NOT NULL,
	created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
	last_seen TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
	KEY sessions_user (user_id),
	KEY sessions_last_seen (last_seen),
	CONSTRAINT sessions_user FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE = InnoDB;

CREATE TABLE IF NOT EXISTS login_failures (
	id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	username VARCHAR(64) NOT NULL,
	at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
	remote_addr VARCHAR(64) NULL,
	KEY login_failures_user (username, at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_520_ci;

-- An idempotency key and the answer to the request that claimed it.  The
-- row is inserted in the same transaction as the effect; status 0 means
-- that transaction has not finished.
CREATE TABLE IF NOT EXISTS idempotency_keys (
	user_id BIGINT UNSIGNED NOT NULL, -- 0 for anonymous callers
	idem_key VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	request_hash CHAR(64) CHARACTER SET ascii NOT NULL,
	status SMALLINT UNSIGNED NOT NULL DEFAULT 0,
	content_type VARCHAR(100) NULL,
	headers TEXT NULL,
	body MEDIUMTEXT NULL,
	created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
	PRIMARY KEY (user_id, idem_key),
	KEY idempotency_keys_created (created_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS audit_log (
	id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
	user_id BIGINT UNSIGNED NULL,
	action VARCHAR(64) NOT NULL,
	table_name VARCHAR(64) NOT NULL,
	record_id BIGINT UNSIGNED NULL,
	before_json LONGTEXT NULL,
	after_json LONGTEXT NULL,
	remote_addr VARCHAR(64) NULL,
	KEY audit_log_record (table_name, record_id),
	KEY audit_log_user (user_id, at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_520_ci;
