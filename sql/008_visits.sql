-- Winter visits (走访慰问): one row per visit a volunteer or staff member
-- logs in the field.  Amounts are integer fen.  A visit is never removed:
-- DELETE /visits/{id} sets deleted_at (and the audit log keeps the record
-- as it was), and every list, read and figure skips deleted rows.
--
-- Row A (走访企业, 家) counts distinct enterprises, not visits
-- (fcgi/stats.c, rows_visits(); docs/visits.md).  An enterprise is its
-- unified social credit code when a visit gives one, else its normalised
-- name, enterprise_name_key: the name without any white space, full-width
-- letters, digits and brackets folded to ASCII, Latin letters upper case
-- (fcgi/visits.c, name_key()).  A visit without a code whose key equals the
-- key of a visit with a code, in the same subtree and period, is that
-- enterprise too.  The key is computed once, on write, and compared as
-- bytes (utf8mb4_bin): the collation must not fold more than name_key()
-- does, or the documented rule and the figure would differ.
--
-- Visits hold no ID numbers or phones: nothing here is sealed.

CREATE TABLE IF NOT EXISTS visits (
	id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	unit_id BIGINT UNSIGNED NOT NULL,
	visited_on DATE NOT NULL,
	kind ENUM('enterprise', 'worker', 'medical_frontline') NOT NULL,
	-- The official table's categories (stat_defs in fcgi/stats.c); set
	-- for worker visits only.
	category ENUM('C1', 'C2', 'C3', 'C4', 'C5', 'C6', 'C7', 'C8', 'C9',
		'C10', 'C11') CHARACTER SET ascii NULL,
	enterprise_name VARCHAR(100) NULL,
	enterprise_name_key VARCHAR(100) COLLATE utf8mb4_bin NULL,
	enterprise_credit_code CHAR(18) CHARACTER SET ascii NULL,
	people_count INT UNSIGNED NOT NULL DEFAULT 0,
	cash_amount BIGINT UNSIGNED NOT NULL DEFAULT 0,
	goods_value BIGINT UNSIGNED NOT NULL DEFAULT 0,
	-- Degrees, to 6 decimals (about 0.1 m); both or neither.
	lat DECIMAL(8, 6) NULL,
	lng DECIMAL(9, 6) NULL,
	note TEXT NULL,
	created_by BIGINT UNSIGNED NOT NULL,
	created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
	updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
	version INT UNSIGNED NOT NULL DEFAULT 1,
	deleted_at TIMESTAMP NULL,
	deleted_by BIGINT UNSIGNED NULL,
	-- The figures: a period's visits of a kind, then the unit's path.
	KEY visits_kind_day (kind, visited_on, unit_id),
	-- "My visits" and a volunteer's list, newest first.
	KEY visits_created_by (created_by, id),
	KEY visits_unit (unit_id, id),
	CONSTRAINT visits_unit FOREIGN KEY (unit_id) REFERENCES units (id),
	CONSTRAINT visits_creator FOREIGN KEY (created_by) REFERENCES users (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_520_ci;
