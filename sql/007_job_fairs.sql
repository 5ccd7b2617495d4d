-- Recruitment fairs (专场招聘会): the fair, the employers who sign up with
-- their positions, the job seekers who sign up (registered or waitlisted),
-- and the placements staff record.  Phones and ID numbers are sealed
-- (docs/personal-data.md); registration codes are kept as their SHA-256.
--
-- Capacity: every statement that changes a registration's status runs
-- after SELECT ... FOR UPDATE of its fair's row, in the same transaction
-- (fcgi/fair_signups.c), so the places are counted one writer at a time.

CREATE TABLE IF NOT EXISTS job_fairs (
	id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	unit_id BIGINT UNSIGNED NOT NULL,
	title VARCHAR(100) NOT NULL,
	kind ENUM('catering', 'garment', 'key_enterprise', 'general',
		'work_study') NOT NULL,
	venue VARCHAR(200) NOT NULL,
	-- Local time of Asia/Shanghai (the connection's time zone is +08:00).
	starts_at DATETIME NOT NULL,
	ends_at DATETIME NOT NULL,
	seeker_capacity INT UNSIGNED NOT NULL,
	status ENUM('draft', 'published', 'closed') NOT NULL DEFAULT 'draft',
	created_by BIGINT UNSIGNED NULL,
	created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
	updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
	version INT UNSIGNED NOT NULL DEFAULT 1,
	KEY job_fairs_status (status, id),
	KEY job_fairs_unit_starts (unit_id, starts_at),
	CONSTRAINT job_fairs_unit FOREIGN KEY (unit_id) REFERENCES units (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_520_ci;

CREATE TABLE IF NOT EXISTS fair_employers (
	id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	fair_id BIGINT UNSIGNED NOT NULL,
	name VARCHAR(100) NOT NULL,
	credit_code CHAR(18) CHARACTER SET ascii NOT NULL,
	contact_name VARCHAR(50) NOT NULL,
	contact_phone_enc VARBINARY(96) NOT NULL,
	caring TINYINT(1) NOT NULL DEFAULT 0,
	created_by BIGINT UNSIGNED NULL,
	created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
	-- One sign-up per employer and fair (API.md: the same credit code
	-- twice at one fair is 409).
	UNIQUE KEY fair_employers_credit (fair_id, credit_code),
	KEY fair_employers_credit_code (credit_code),
	CONSTRAINT fair_employers_fair FOREIGN KEY (fair_id)
		REFERENCES job_fairs (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_520_ci;

-- Wages are integer fen, per month as the employer states them.
CREATE TABLE IF NOT EXISTS fair_positions (
	id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	employer_id BIGINT UNSIGNED NOT NULL,
	title VARCHAR(100) NOT NULL,
	kind ENUM('regular', 'work_study', 'social_practice') NOT NULL,
	headcount INT UNSIGNED NOT NULL,
	wage_min BIGINT UNSIGNED NULL,
	wage_max BIGINT UNSIGNED NULL,
	KEY fair_positions_employer (employer_id, id),
	CONSTRAINT fair_positions_employer FOREIGN KEY (employer_id)
		REFERENCES fair_employers (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_520_ci;

CREATE TABLE IF NOT EXISTS fair_registrations (
	id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	fair_id BIGINT UNSIGNED NOT NULL,
	-- SHA-256 of the normalised code (fcgi/codes.h); the code is shown
	-- once, to the person who signed up.
	code_hash BINARY(32) NOT NULL,
	name VARCHAR(50) NOT NULL,
	phone_enc VARBINARY(96) NOT NULL,
	-- Blind index: the same phone twice at one fair is refused.
	phone_idx BINARY(16) NOT NULL,
	id_number_enc VARBINARY(96) NULL,
	kind ENUM('migrant_worker', 'student', 'other') NOT NULL,
	hardship_family TINYINT(1) NOT NULL DEFAULT 0,
	wanted VARCHAR(100) NULL,
	-- Waitlist order is id order: ids are drawn while the fair row is
	-- locked, so they follow the order in which sign-ups were served.
	status ENUM('registered', 'waitlisted', 'cancelled') NOT NULL,
	checked_in_at TIMESTAMP NULL,
	checked_in_by BIGINT UNSIGNED NULL,
	promoted_at TIMESTAMP NULL,
	cancelled_at TIMESTAMP NULL,
	created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
	updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
	version INT UNSIGNED NOT NULL DEFAULT 1,
	UNIQUE KEY fair_registrations_code (fair_id, code_hash),
	KEY fair_registrations_phone (fair_id, phone_idx),
	KEY fair_registrations_status (fair_id, status, id),
	CONSTRAINT fair_registrations_fair FOREIGN KEY (fair_id)
		REFERENCES job_fairs (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_520_ci;

CREATE TABLE IF NOT EXISTS fair_placements (
	id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	fair_id BIGINT UNSIGNED NOT NULL,
	registration_id BIGINT UNSIGNED NOT NULL,
	employer_id BIGINT UNSIGNED NOT NULL,
	position_id BIGINT UNSIGNED NOT NULL,
	placed_on DATE NOT NULL,
	created_by BIGINT UNSIGNED NULL,
	created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
	-- One person, one position: a second record of it is a mistake.
	UNIQUE KEY fair_placements_once (registration_id, position_id),
	KEY fair_placements_fair (fair_id, id),
	KEY fair_placements_position (position_id),
	KEY fair_placements_on (placed_on),
	CONSTRAINT fair_placements_fair FOREIGN KEY (fair_id)
		REFERENCES job_fairs (id),
	CONSTRAINT fair_placements_registration FOREIGN KEY (registration_id)
		REFERENCES fair_registrations (id),
	CONSTRAINT fair_placements_employer FOREIGN KEY (employer_id)
		REFERENCES fair_employers (id),
	CONSTRAINT fair_placements_position FOREIGN KEY (position_id)
		REFERENCES fair_positions (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_520_ci;
