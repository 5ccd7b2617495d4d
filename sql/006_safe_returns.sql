-- Safe return home (平安返乡): one row per travelling party, followed from
-- registration to departure to safe arrival, and its history.  Row G of
-- the statistics sums party_size over departed and arrived rows by
-- depart_on (fcgi/stats.c).

CREATE TABLE IF NOT EXISTS safe_returns (
	id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	unit_id BIGINT UNSIGNED NOT NULL,
	-- A busload registered in one request: the id of its first record.
	batch_id BIGINT UNSIGNED NULL,
	bus_label VARCHAR(50) NULL,
	traveler_name VARCHAR(50) NOT NULL,
	-- Sealed (fcgi/pii.h): key id, nonce, ciphertext; never plain.
	traveler_phone_enc VARBINARY(96) NOT NULL,
	traveler_id_number_enc VARBINARY(96) NULL,
	party_size SMALLINT UNSIGNED NOT NULL DEFAULT 1,
	hometown_province VARCHAR(20) NOT NULL,
	hometown_city VARCHAR(50) NULL,
	depart_on DATE NOT NULL,
	transport ENUM('rail', 'coach', 'charter_bus', 'air', 'self_drive',
		'other') NOT NULL,
	assistance SET('ticket', 'charter_bus', 'subsidy', 'gift', 'escort',
		'other') NOT NULL,
	subsidy_amount BIGINT UNSIGNED NOT NULL DEFAULT 0,
	status ENUM('registered', 'departed', 'arrived', 'cancelled') NOT NULL
		DEFAULT 'registered',
	note TEXT NULL,
	-- SHA-256 of the arrival code, which is shown once and never stored.
	arrival_hash BINARY(32) NOT NULL,
	departed_at TIMESTAMP NULL,
	arrived_at TIMESTAMP NULL,
	created_by BIGINT UNSIGNED NOT NULL,
	created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
	updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
	version INT UNSIGNED NOT NULL DEFAULT 1,
	UNIQUE KEY safe_returns_arrival (arrival_hash),
	-- Row G reads (unit, depart_on, status, party_size) from this index.
	KEY safe_returns_unit_depart (unit_id, depart_on, status, party_size),
	KEY safe_returns_created_by (created_by, id),
	KEY safe_returns_batch (batch_id),
	KEY safe_returns_status (status, id),
	CONSTRAINT safe_returns_unit FOREIGN KEY (unit_id) REFERENCES units (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_520_ci;

-- Who moved a record where, and edits: user_id NULL when the traveller
-- confirmed arrival with the code.
CREATE TABLE IF NOT EXISTS safe_return_events (
	id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	record_id BIGINT UNSIGNED NOT NULL,
	at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
	user_id BIGINT UNSIGNED NULL,
	from_status VARCHAR(16) NULL,
	to_status VARCHAR(16) NOT NULL,
	note TEXT NULL,
	KEY safe_return_events_record (record_id, id),
	CONSTRAINT safe_return_events_record FOREIGN KEY (record_id)
		REFERENCES safe_returns (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_520_ci;
