-- Row K1 in the daily figures (012): the fairs' triggers and what the
-- placements there are contribute.  Safe to run again.

DELIMITER //
-- ---- Fairs: K1 --------------------------------------------------------
-- A placement counts when its position is work_study or social_practice
-- and its registrant a student of a hardship family whose registration is
-- not cancelled, on its placed_on, in its fair's unit (the rule of
-- fcgi/stats.c's K1).  Registrations and fairs that change take their
-- placements' contributions with them.

CREATE OR REPLACE FUNCTION stat_k1_counts(pos BIGINT UNSIGNED,
	reg BIGINT UNSIGNED) RETURNS INT
	READS SQL DATA
BEGIN
	RETURN (SELECT COUNT(*) FROM fair_positions p, fair_registrations g
		WHERE p.id = pos AND g.id = reg
		AND p.kind IN ('work_study', 'social_practice')
		AND g.kind = 'student' AND g.hardship_family = 1
		AND g.status <> 'cancelled');
END //

CREATE OR REPLACE TRIGGER fair_placements_stat_ins AFTER INSERT
ON fair_placements FOR EACH ROW
CALL stat_add((SELECT unit_id FROM job_fairs WHERE id = NEW.fair_id),
	NEW.placed_on, 0, 0, 0, 0, 0, 0, 0, 0,
	stat_k1_counts(NEW.position_id, NEW.registration_id)) //
CREATE OR REPLACE TRIGGER fair_placements_stat_del AFTER DELETE
ON fair_placements FOR EACH ROW
CALL stat_add((SELECT unit_id FROM job_fairs WHERE id = OLD.fair_id),
	OLD.placed_on, 0, 0, 0, 0, 0, 0, 0, 0,
	-stat_k1_counts(OLD.position_id, OLD.registration_id)) //

-- A registration's kind, family or status: its placements count anew.
CREATE OR REPLACE TRIGGER fair_registrations_stat_upd AFTER UPDATE
ON fair_registrations FOR EACH ROW
BEGIN
	DECLARE done INT DEFAULT 0;
	DECLARE u BIGINT UNSIGNED;
	DECLARE dy DATE;
	DECLARE n BIGINT;
	DECLARE places CURSOR FOR SELECT f.unit_id, pl.placed_on, COUNT(*)
		FROM fair_placements pl
		JOIN fair_positions p ON p.id = pl.position_id
		JOIN job_fairs f ON f.id = pl.fair_id
		WHERE pl.registration_id = NEW.id
		AND p.kind IN ('work_study', 'social_practice')
		GROUP BY f.unit_id, pl.placed_on;
	DECLARE CONTINUE HANDLER FOR NOT FOUND SET done = 1;

	IF (OLD.kind = 'student' AND OLD.hardship_family = 1
	    AND OLD.status <> 'cancelled') <>
	   (NEW.kind = 'student' AND NEW.hardship_family = 1
	    AND NEW.status <> 'cancelled') THEN
		OPEN places;
		counting: LOOP
			FETCH places INTO u, dy, n;
			IF done THEN
				LEAVE counting;
			END IF;
			CALL stat_add(u, dy, 0, 0, 0, 0, 0, 0, 0, 0,
				IF(NEW.kind = 'student' AND NEW.hardship_family = 1
				    AND NEW.status <> 'cancelled', n, -n));
		END LOOP;
		CLOSE places;
	END IF;
END //

-- A fair that moves unit takes its placements with it.
CREATE OR REPLACE TRIGGER job_fairs_stat_upd AFTER UPDATE ON job_fairs
FOR EACH ROW
BEGIN
	DECLARE done INT DEFAULT 0;
	DECLARE dy DATE;
	DECLARE n BIGINT;
	DECLARE places CURSOR FOR SELECT pl.placed_on,
		SUM(stat_k1_counts(pl.position_id, pl.registration_id))
		FROM fair_placements pl WHERE pl.fair_id = NEW.id
		GROUP BY pl.placed_on;
	DECLARE CONTINUE HANDLER FOR NOT FOUND SET done = 1;

	IF OLD.unit_id <> NEW.unit_id THEN
		OPEN places;
		moving: LOOP
			FETCH places INTO dy, n;
			IF done THEN
				LEAVE moving;
			END IF;
			CALL stat_add(OLD.unit_id, dy, 0, 0, 0, 0, 0, 0, 0, 0, -n);
			CALL stat_add(NEW.unit_id, dy, 0, 0, 0, 0, 0, 0, 0, 0, n);
		END LOOP;
		CLOSE places;
	END IF;
END //

DELIMITER ;

UPDATE stat_daily SET k1 = 0 WHERE k1 <> 0;
INSERT INTO stat_daily (unit_id, day, slot, k1)
SELECT f.unit_id, pl.placed_on, 0, COUNT(*) FROM fair_placements pl
JOIN fair_positions p ON p.id = pl.position_id
JOIN fair_registrations g ON g.id = pl.registration_id
JOIN job_fairs f ON f.id = pl.fair_id
WHERE p.kind IN ('work_study', 'social_practice') AND g.kind = 'student'
AND g.hardship_family = 1 AND g.status <> 'cancelled'
GROUP BY f.unit_id, pl.placed_on
ON DUPLICATE KEY UPDATE k1 = k1 + VALUES(k1);

