-- Campaigns: the union runs one 送温暖 campaign every winter; statistics
-- are asked for over a campaign's period, and reported by its due date.
-- A new database holds the 2021 campaign of the notice (API.md v1.1).
CREATE TABLE IF NOT EXISTS campaigns (
	id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	title VARCHAR(100) NOT NULL,
	from_date DATE NOT NULL,
	to_date DATE NOT NULL,
	report_due DATE NOT NULL,
	created_by BIGINT UNSIGNED NULL,
	created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
	updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
	version INT UNSIGNED NOT NULL DEFAULT 1,
	KEY campaigns_from (from_date, id),
	CONSTRAINT campaigns_period CHECK (to_date >= from_date)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_520_ci;

INSERT IGNORE INTO campaigns (id, title, from_date, to_date, report_due)
VALUES (1, '2021年送温暖活动', '2021-01-01', '2021-02-12', '2021-02-08');
