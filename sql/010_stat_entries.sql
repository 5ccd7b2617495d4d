-- Rows B, E and F of the statistics table, which no record computes: each
-- unit enters them per campaign (B1-B6 in fen, E1-E5 and F1-F3 in 人次;
-- NULL for a figure not entered).  B, E and F themselves are never stored:
-- they are always the sums of their parts.
CREATE TABLE IF NOT EXISTS stat_entries (
	id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	unit_id BIGINT UNSIGNED NOT NULL,
	campaign_id BIGINT UNSIGNED NOT NULL,
	b1 BIGINT UNSIGNED NULL,
	b2 BIGINT UNSIGNED NULL,
	b3 BIGINT UNSIGNED NULL,
	b4 BIGINT UNSIGNED NULL,
	b5 BIGINT UNSIGNED NULL,
	b6 BIGINT UNSIGNED NULL,
	e1 INT UNSIGNED NULL,
	e2 INT UNSIGNED NULL,
	e3 INT UNSIGNED NULL,
	e4 INT UNSIGNED NULL,
	e5 INT UNSIGNED NULL,
	f1 INT UNSIGNED NULL,
	f2 INT UNSIGNED NULL,
	f3 INT UNSIGNED NULL,
	-- {"B4": "…"}: a unit's remarks on its figures.
	notes LONGTEXT NULL,
	created_by BIGINT UNSIGNED NULL,
	updated_by BIGINT UNSIGNED NULL,
	created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
	updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
	version INT UNSIGNED NOT NULL DEFAULT 1,
	UNIQUE KEY stat_entries_unit (unit_id, campaign_id),
	KEY stat_entries_campaign (campaign_id, unit_id),
	CONSTRAINT stat_entries_notes CHECK (notes IS NULL OR JSON_VALID(notes)),
	CONSTRAINT stat_entries_unit FOREIGN KEY (unit_id) REFERENCES units (id),
	CONSTRAINT stat_entries_campaign FOREIGN KEY (campaign_id)
		REFERENCES campaigns (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_520_ci;

-- A unit's table as it reported it for a campaign.  Rows are never
-- deleted: a returned submission stays, with its note, and the unit
-- submits anew.  `active` is 1 while a submission is submitted or
-- approved and NULL once returned, so the unique key allows one standing
-- submission per unit and campaign, also between concurrent requests.
-- `snapshot` freezes the whole table (computed rows included) and the
-- rule violations at the time of submission; the export reproduces it.
-- An approved submission locks the records dated in the campaign's period
-- in the unit's subtree (fcgi/locks.c, docs/statistics.md).
CREATE TABLE IF NOT EXISTS stat_submissions (
	id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	unit_id BIGINT UNSIGNED NOT NULL,
	campaign_id BIGINT UNSIGNED NOT NULL,
	state ENUM('submitted', 'approved', 'returned') NOT NULL,
	active TINYINT UNSIGNED NULL,
	snapshot LONGTEXT NOT NULL,
	submitted_by BIGINT UNSIGNED NULL,
	submitted_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
	decided_by BIGINT UNSIGNED NULL,
	decided_at TIMESTAMP NULL,
	note TEXT NULL,
	reopened_by BIGINT UNSIGNED NULL,
	reopened_at TIMESTAMP NULL,
	updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
	version INT UNSIGNED NOT NULL DEFAULT 1,
	UNIQUE KEY stat_submissions_standing (unit_id, campaign_id, active),
	KEY stat_submissions_unit (unit_id, campaign_id, id),
	KEY stat_submissions_state (state, campaign_id),
	CONSTRAINT stat_submissions_snapshot CHECK (JSON_VALID(snapshot)),
	CONSTRAINT stat_submissions_unit FOREIGN KEY (unit_id)
		REFERENCES units (id),
	CONSTRAINT stat_submissions_campaign FOREIGN KEY (campaign_id)
		REFERENCES campaigns (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_520_ci;
