-- The plain columns go, now that 004's data step has sealed every value.
-- Refuses (and stays unrecorded, so the next start retries) while any
-- plain value is left, rather than drop one.
DELIMITER //
BEGIN NOT ATOMIC
	IF EXISTS (SELECT 1 FROM information_schema.columns
		WHERE table_schema = DATABASE()
		AND table_name = 'wage_case_workers'
		AND column_name = 'id_number') THEN
		IF EXISTS (SELECT 1 FROM wage_case_workers
			WHERE id_number IS NOT NULL OR phone IS NOT NULL) OR
		   EXISTS (SELECT 1 FROM wage_cases
			WHERE reporter_phone IS NOT NULL) THEN
			SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT =
			    'plain personal data left: run swn-worker pii-upgrade';
		END IF;
	END IF;
	IF EXISTS (SELECT 1 FROM information_schema.tables
		WHERE table_schema = DATABASE()
		AND table_name = 'idempotency_keys') THEN
		IF EXISTS (SELECT 1 FROM idempotency_keys WHERE status > 0) THEN
			SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT =
			    'stored answers left in clear: run swn-worker pii-upgrade';
		END IF;
	END IF;
END //
DELIMITER ;

ALTER TABLE wage_case_workers
	DROP COLUMN IF EXISTS id_number,
	DROP COLUMN IF EXISTS phone;
ALTER TABLE wage_cases DROP COLUMN IF EXISTS reporter_phone;
DROP TABLE IF EXISTS idempotency_keys;
