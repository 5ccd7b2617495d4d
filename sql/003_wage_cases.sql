-- Wage-arrears cases: the case, the workers it concerns, its history and
-- the money recovered in instalments.  Amounts are integer fen.

-- Gap-free yearly sequences for human references (QX2021-000042).  The
-- counter row is updated in the same transaction as the case, so a failed
-- intake gives its number back.
CREATE TABLE IF NOT EXISTS reference_counters (
	kind CHAR(2) CHARACTER SET ascii NOT NULL,
	year SMALLINT UNSIGNED NOT NULL,
	last INT UNSIGNED NOT NULL,
	PRIMARY KEY (kind, year)
) ENGINE = InnoDB;

CREATE TABLE IF NOT EXISTS wage_cases (
	id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	reference CHAR(13) CHARACTER SET ascii NOT NULL,
	unit_id BIGINT UNSIGNED NOT NULL,
	source ENUM('self', 'volunteer', 'hotline', 'platform', 'referral') NOT NULL,
	status ENUM('received', 'accepted', 'rejected', 'referred', 'mediating',
		'resolved', 'closed') NOT NULL DEFAULT 'received',
	employer_name VARCHAR(100) NOT NULL,
	employer_credit_code CHAR(18) CHARACTER SET ascii NULL,
	project_name VARCHAR(100) NULL,
	industry ENUM('construction', 'manufacturing', 'services', 'other') NOT NULL,
	site_address VARCHAR(200) NULL,
	description TEXT NULL,
	reporter_name VARCHAR(50) NOT NULL,
	reporter_phone CHAR(11) CHARACTER SET ascii NOT NULL,
	-- SHA-256 of the tracking code, which is shown once and never stored.
	tracking_hash BINARY(32) NOT NULL,
	amount_owed BIGINT UNSIGNED NOT NULL,
	amount_recovered BIGINT UNSIGNED NOT NULL DEFAULT 0,
	accepted_on DATE NULL,
	closed_on DATE NULL,
	created_by BIGINT UNSIGNED NULL,
	created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
	updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
	version INT UNSIGNED NOT NULL DEFAULT 1,
	UNIQUE KEY wage_cases_reference (reference),
	KEY wage_cases_unit_accepted (unit_id, accepted_on),
	KEY wage_cases_created_by (created_by, id),
	KEY wage_cases_status (status, id),
	CONSTRAINT wage_cases_unit FOREIGN KEY (unit_id) REFERENCES units (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_520_ci;

CREATE TABLE IF NOT EXISTS wage_case_workers (
	id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	case_id BIGINT UNSIGNED NOT NULL,
	name VARCHAR(50) NOT NULL,
	id_number CHAR(18) CHARACTER SET ascii NULL,
	phone CHAR(11) CHARACTER SET ascii NULL,
	amount_owed BIGINT UNSIGNED NOT NULL,
	amount_recovered BIGINT UNSIGNED NOT NULL DEFAULT 0,
	KEY wage_case_workers_case (case_id),
	CONSTRAINT wage_case_workers_case FOREIGN KEY (case_id)
		REFERENCES wage_cases (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_520_ci;

CREATE TABLE IF NOT EXISTS wage_case_events (
	id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	case_id BIGINT UNSIGNED NOT NULL,
	at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
	user_id BIGINT UNSIGNED NULL,
	from_status VARCHAR(16) NULL,
	to_status VARCHAR(16) NOT NULL,
	note TEXT NULL,
	KEY wage_case_events_case (case_id, id),
	CONSTRAINT wage_case_events_case FOREIGN KEY (case_id)
		REFERENCES wage_cases (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_520_ci;

CREATE TABLE IF NOT EXISTS wage_recoveries (
	id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	case_id BIGINT UNSIGNED NOT NULL,
	worker_id BIGINT UNSIGNED NOT NULL,
	amount BIGINT UNSIGNED NOT NULL,
	recovered_on DATE NOT NULL,
	created_by BIGINT UNSIGNED NULL,
	created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
	KEY wage_recoveries_case (case_id, id),
	KEY wage_recoveries_on (recovered_on),
	CONSTRAINT wage_recoveries_case FOREIGN KEY (case_id)
		REFERENCES wage_cases (id),
	CONSTRAINT wage_recoveries_worker FOREIGN KEY (worker_id)
		REFERENCES wage_case_workers (id)
) ENGINE = InnoDB;
