-- Daily figures per unit, kept by the database in each record's own
-- transaction, so that GET /stats sums a few thousand small rows instead
-- of every record of a million (docs/statistics.md, "Speed").
--
-- One row per unit, day and slot holds that day's contribution of the
-- unit's own records to every additive row of the table: G, H, I, J1, J2,
-- C1-C11, D1-D11 and K1 (counts, or fen for 万元 rows; K1's triggers come
-- with the fairs, in 013).  Rows A and K2 are
-- distinct counts, which daily sums cannot give; fcgi/stats.c counts them
-- from the records.
--
-- Triggers on the record tables add each change's difference -- the new
-- contribution minus the old -- with INSERT ... ON DUPLICATE KEY UPDATE
-- col = col + delta: never a read-modify-write.  A day's busy unit would
-- make its row a hot spot that serialises concurrent writers until they
-- commit, so each connection adds to one of 8 slots (its id modulo 8) and
-- readers sum the slots.
--
-- make check-stats recomputes every figure from the raw records by a
-- separate path and compares; the migration fills the table from the
-- records there are, and is safe to run again (it refills it).

CREATE TABLE IF NOT EXISTS stat_daily (
	unit_id BIGINT UNSIGNED NOT NULL,
	day DATE NOT NULL,
	slot TINYINT UNSIGNED NOT NULL,
	g BIGINT NOT NULL DEFAULT 0,
	h BIGINT NOT NULL DEFAULT 0,
	i BIGINT NOT NULL DEFAULT 0,
	j1 BIGINT NOT NULL DEFAULT 0,
	j2 BIGINT NOT NULL DEFAULT 0,
	c1 BIGINT NOT NULL DEFAULT 0, d1 BIGINT NOT NULL DEFAULT 0,
	c2 BIGINT NOT NULL DEFAULT 0, d2 BIGINT NOT NULL DEFAULT 0,
	c3 BIGINT NOT NULL DEFAULT 0, d3 BIGINT NOT NULL DEFAULT 0,
	c4 BIGINT NOT NULL DEFAULT 0, d4 BIGINT NOT NULL DEFAULT 0,
	c5 BIGINT NOT NULL DEFAULT 0, d5 BIGINT NOT NULL DEFAULT 0,
	c6 BIGINT NOT NULL DEFAULT 0, d6 BIGINT NOT NULL DEFAULT 0,
	c7 BIGINT NOT NULL DEFAULT 0, d7 BIGINT NOT NULL DEFAULT 0,
	c8 BIGINT NOT NULL DEFAULT 0, d8 BIGINT NOT NULL DEFAULT 0,
	c9 BIGINT NOT NULL DEFAULT 0, d9 BIGINT NOT NULL DEFAULT 0,
	c10 BIGINT NOT NULL DEFAULT 0, d10 BIGINT NOT NULL DEFAULT 0,
	c11 BIGINT NOT NULL DEFAULT 0, d11 BIGINT NOT NULL DEFAULT 0,
	k1 BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (unit_id, day, slot)
) ENGINE = InnoDB;

DELIMITER //

-- Adds one contribution; every trigger goes through here.  people and fen
-- of a worker visit go to the columns of its category (cat 1-11).
CREATE OR REPLACE PROCEDURE stat_add(IN u BIGINT UNSIGNED, IN dy DATE,
	IN dg BIGINT, IN dh BIGINT, IN di BIGINT, IN dj1 BIGINT, IN dj2 BIGINT,
	IN cat INT, IN people BIGINT, IN fen BIGINT, IN dk1 BIGINT)
	MODIFIES SQL DATA
BEGIN
	IF u IS NOT NULL AND dy IS NOT NULL AND (dg <> 0 OR dh <> 0
	    OR di <> 0 OR dj1 <> 0 OR dj2 <> 0 OR people <> 0 OR fen <> 0
	    OR dk1 <> 0) THEN
		INSERT INTO stat_daily (unit_id, day, slot, g, h, i, j1, j2,
			c1, d1, c2, d2, c3, d3, c4, d4, c5, d5, c6, d6, c7, d7,
			c8, d8, c9, d9, c10, d10, c11, d11, k1)
		VALUES (u, dy, CONNECTION_ID() % 8, dg, dh, di, dj1, dj2,
			IF(cat = 1, people, 0), IF(cat = 1, fen, 0),
			IF(cat = 2, people, 0), IF(cat = 2, fen, 0),
			IF(cat = 3, people, 0), IF(cat = 3, fen, 0),
			IF(cat = 4, people, 0), IF(cat = 4, fen, 0),
			IF(cat = 5, people, 0), IF(cat = 5, fen, 0),
			IF(cat = 6, people, 0), IF(cat = 6, fen, 0),
			IF(cat = 7, people, 0), IF(cat = 7, fen, 0),
			IF(cat = 8, people, 0), IF(cat = 8, fen, 0),
			IF(cat = 9, people, 0), IF(cat = 9, fen, 0),
			IF(cat = 10, people, 0), IF(cat = 10, fen, 0),
			IF(cat = 11, people, 0), IF(cat = 11, fen, 0), dk1)
		ON DUPLICATE KEY UPDATE g = g + VALUES(g), h = h + VALUES(h),
			i = i + VALUES(i), j1 = j1 + VALUES(j1),
			j2 = j2 + VALUES(j2),
			c1 = c1 + VALUES(c1), d1 = d1 + VALUES(d1),
			c2 = c2 + VALUES(c2), d2 = d2 + VALUES(d2),
			c3 = c3 + VALUES(c3), d3 = d3 + VALUES(d3),
			c4 = c4 + VALUES(c4), d4 = d4 + VALUES(d4),
			c5 = c5 + VALUES(c5), d5 = d5 + VALUES(d5),
			c6 = c6 + VALUES(c6), d6 = d6 + VALUES(d6),
			c7 = c7 + VALUES(c7), d7 = d7 + VALUES(d7),
			c8 = c8 + VALUES(c8), d8 = d8 + VALUES(d8),
			c9 = c9 + VALUES(c9), d9 = d9 + VALUES(d9),
			c10 = c10 + VALUES(c10), d10 = d10 + VALUES(d10),
			c11 = c11 + VALUES(c11), d11 = d11 + VALUES(d11),
			k1 = k1 + VALUES(k1);
	END IF;
END //

-- ---- Visits: J1, J2 (medical), C1-C11 and D1-D11 (workers) ---------
-- A visit counts while it is not deleted, on its visited_on, in its unit.

CREATE OR REPLACE PROCEDURE stat_visit(IN sign INT, IN u BIGINT UNSIGNED,
	IN dy DATE, IN kind VARCHAR(20), IN cat VARCHAR(3), IN people BIGINT,
	IN fen BIGINT, IN deleted TIMESTAMP)
	MODIFIES SQL DATA
BEGIN
	IF deleted IS NULL AND kind = 'medical_frontline' THEN
		CALL stat_add(u, dy, 0, 0, 0, sign * people, sign * fen, 0, 0,
			0, 0);
	ELSEIF deleted IS NULL AND kind = 'worker' AND cat IS NOT NULL THEN
		CALL stat_add(u, dy, 0, 0, 0, 0, 0, CAST(SUBSTRING(cat, 2) AS
			UNSIGNED), sign * people, sign * fen, 0);
	END IF;
END //

CREATE OR REPLACE TRIGGER visits_stat_ins AFTER INSERT ON visits
FOR EACH ROW CALL stat_visit(1, NEW.unit_id, NEW.visited_on, NEW.kind,
	NEW.category, NEW.people_count, NEW.cash_amount + NEW.goods_value,
	NEW.deleted_at) //
CREATE OR REPLACE TRIGGER visits_stat_upd AFTER UPDATE ON visits
FOR EACH ROW BEGIN
	CALL stat_visit(-1, OLD.unit_id, OLD.visited_on, OLD.kind,
		OLD.category, OLD.people_count, OLD.cash_amount + OLD.goods_value,
		OLD.deleted_at);
	CALL stat_visit(1, NEW.unit_id, NEW.visited_on, NEW.kind,
		NEW.category, NEW.people_count, NEW.cash_amount + NEW.goods_value,
		NEW.deleted_at);
END //
CREATE OR REPLACE TRIGGER visits_stat_del AFTER DELETE ON visits
FOR EACH ROW CALL stat_visit(-1, OLD.unit_id, OLD.visited_on, OLD.kind,
	OLD.category, OLD.people_count, OLD.cash_amount + OLD.goods_value,
	OLD.deleted_at) //

-- ---- Safe returns: G -------------------------------------------------
-- A party counts once it departed or arrived, on its depart_on.

CREATE OR REPLACE TRIGGER safe_returns_stat_ins AFTER INSERT ON safe_returns
FOR EACH ROW CALL stat_add(NEW.unit_id, NEW.depart_on,
	IF(NEW.status IN ('departed', 'arrived'), NEW.party_size, 0),
	0, 0, 0, 0, 0, 0, 0, 0) //
CREATE OR REPLACE TRIGGER safe_returns_stat_upd AFTER UPDATE ON safe_returns
FOR EACH ROW BEGIN
	CALL stat_add(OLD.unit_id, OLD.depart_on,
		-IF(OLD.status IN ('departed', 'arrived'), OLD.party_size, 0),
		0, 0, 0, 0, 0, 0, 0, 0);
	CALL stat_add(NEW.unit_id, NEW.depart_on,
		IF(NEW.status IN ('departed', 'arrived'), NEW.party_size, 0),
		0, 0, 0, 0, 0, 0, 0, 0);
END //
CREATE OR REPLACE TRIGGER safe_returns_stat_del AFTER DELETE ON safe_returns
FOR EACH ROW CALL stat_add(OLD.unit_id, OLD.depart_on,
	-IF(OLD.status IN ('departed', 'arrived'), OLD.party_size, 0),
	0, 0, 0, 0, 0, 0, 0, 0) //

-- ---- Wage cases: H (workers of accepted cases), I (recoveries) --------
-- H counts a case's workers on its accepted_on, in its unit; I each
-- recovery on its recovered_on, in its case's unit.  A case that moves
-- unit takes both with it.

CREATE OR REPLACE TRIGGER wage_workers_stat_ins AFTER INSERT
ON wage_case_workers FOR EACH ROW
BEGIN
	DECLARE u BIGINT UNSIGNED;
	DECLARE dy DATE;

	SELECT unit_id, accepted_on INTO u, dy FROM wage_cases
	WHERE id = NEW.case_id;
	CALL stat_add(u, dy, 0, 1, 0, 0, 0, 0, 0, 0, 0);
END //
CREATE OR REPLACE TRIGGER wage_workers_stat_del AFTER DELETE
ON wage_case_workers FOR EACH ROW
BEGIN
	DECLARE u BIGINT UNSIGNED;
	DECLARE dy DATE;

	SELECT unit_id, accepted_on INTO u, dy FROM wage_cases
	WHERE id = OLD.case_id;
	CALL stat_add(u, dy, 0, -1, 0, 0, 0, 0, 0, 0, 0);
END //
CREATE OR REPLACE TRIGGER wage_recoveries_stat_ins AFTER INSERT
ON wage_recoveries FOR EACH ROW
BEGIN
	DECLARE u BIGINT UNSIGNED;

	SELECT unit_id INTO u FROM wage_cases WHERE id = NEW.case_id;
	CALL stat_add(u, NEW.recovered_on, 0, 0, NEW.amount, 0, 0, 0, 0, 0,
		0);
END //
CREATE OR REPLACE TRIGGER wage_recoveries_stat_del AFTER DELETE
ON wage_recoveries FOR EACH ROW
BEGIN
	DECLARE u BIGINT UNSIGNED;

	SELECT unit_id INTO u FROM wage_cases WHERE id = OLD.case_id;
	CALL stat_add(u, OLD.recovered_on, 0, 0, -OLD.amount, 0, 0, 0, 0, 0,
		0);
END //
CREATE OR REPLACE TRIGGER wage_cases_stat_upd AFTER UPDATE ON wage_cases
FOR EACH ROW
BEGIN
	DECLARE n BIGINT;
	DECLARE done INT DEFAULT 0;
	DECLARE dy DATE;
	DECLARE fen BIGINT;
	DECLARE recs CURSOR FOR SELECT recovered_on, SUM(amount)
		FROM wage_recoveries WHERE case_id = NEW.id
		GROUP BY recovered_on;
	DECLARE CONTINUE HANDLER FOR NOT FOUND SET done = 1;

	IF NOT (OLD.accepted_on <=> NEW.accepted_on)
	    OR OLD.unit_id <> NEW.unit_id THEN
		SELECT COUNT(*) INTO n FROM wage_case_workers
		WHERE case_id = NEW.id;
		CALL stat_add(OLD.unit_id, OLD.accepted_on, 0, -n, 0, 0, 0, 0,
			0, 0, 0);
		CALL stat_add(NEW.unit_id, NEW.accepted_on, 0, n, 0, 0, 0, 0,
			0, 0, 0);
	END IF;
	IF OLD.unit_id <> NEW.unit_id THEN
		OPEN recs;
		moving: LOOP
			FETCH recs INTO dy, fen;
			IF done THEN
				LEAVE moving;
			END IF;
			CALL stat_add(OLD.unit_id, dy, 0, 0, -fen, 0, 0, 0, 0, 0,
				0);
			CALL stat_add(NEW.unit_id, dy, 0, 0, fen, 0, 0, 0, 0, 0,
				0);
		END LOOP;
		CLOSE recs;
	END IF;
END //

DELIMITER ;

-- ---- Fill from the records there are -------------------------------
-- In one transaction with the refill's own view of the records: the
-- migration runs before any worker starts.

DELETE FROM stat_daily;
INSERT INTO stat_daily (unit_id, day, slot, j1, j2)
SELECT unit_id, visited_on, 0, SUM(people_count),
	SUM(cash_amount + goods_value)
FROM visits WHERE kind = 'medical_frontline' AND deleted_at IS NULL
GROUP BY unit_id, visited_on
ON DUPLICATE KEY UPDATE j1 = j1 + VALUES(j1), j2 = j2 + VALUES(j2);
INSERT INTO stat_daily (unit_id, day, slot, c1, d1, c2, d2, c3, d3, c4,
	d4, c5, d5, c6, d6, c7, d7, c8, d8, c9, d9, c10, d10, c11, d11)
SELECT unit_id, visited_on, 0,
	SUM(IF(category = 'C1', people_count, 0)),
	SUM(IF(category = 'C1', cash_amount + goods_value, 0)),
	SUM(IF(category = 'C2', people_count, 0)),
	SUM(IF(category = 'C2', cash_amount + goods_value, 0)),
	SUM(IF(category = 'C3', people_count, 0)),
	SUM(IF(category = 'C3', cash_amount + goods_value, 0)),
	SUM(IF(category = 'C4', people_count, 0)),
	SUM(IF(category = 'C4', cash_amount + goods_value, 0)),
	SUM(IF(category = 'C5', people_count, 0)),
	SUM(IF(category = 'C5', cash_amount + goods_value, 0)),
	SUM(IF(category = 'C6', people_count, 0)),
	SUM(IF(category = 'C6', cash_amount + goods_value, 0)),
	SUM(IF(category = 'C7', people_count, 0)),
	SUM(IF(category = 'C7', cash_amount + goods_value, 0)),
	SUM(IF(category = 'C8', people_count, 0)),
	SUM(IF(category = 'C8', cash_amount + goods_value, 0)),
	SUM(IF(category = 'C9', people_count, 0)),
	SUM(IF(category = 'C9', cash_amount + goods_value, 0)),
	SUM(IF(category = 'C10', people_count, 0)),
	SUM(IF(category = 'C10', cash_amount + goods_value, 0)),
	SUM(IF(category = 'C11', people_count, 0)),
	SUM(IF(category = 'C11', cash_amount + goods_value, 0))
FROM visits WHERE kind = 'worker' AND deleted_at IS NULL
GROUP BY unit_id, visited_on
ON DUPLICATE KEY UPDATE
	c1 = c1 + VALUES(c1), d1 = d1 + VALUES(d1),
	c2 = c2 + VALUES(c2), d2 = d2 + VALUES(d2),
	c3 = c3 + VALUES(c3), d3 = d3 + VALUES(d3),
	c4 = c4 + VALUES(c4), d4 = d4 + VALUES(d4),
	c5 = c5 + VALUES(c5), d5 = d5 + VALUES(d5),
	c6 = c6 + VALUES(c6), d6 = d6 + VALUES(d6),
	c7 = c7 + VALUES(c7), d7 = d7 + VALUES(d7),
	c8 = c8 + VALUES(c8), d8 = d8 + VALUES(d8),
	c9 = c9 + VALUES(c9), d9 = d9 + VALUES(d9),
	c10 = c10 + VALUES(c10), d10 = d10 + VALUES(d10),
	c11 = c11 + VALUES(c11), d11 = d11 + VALUES(d11);
INSERT INTO stat_daily (unit_id, day, slot, g)
SELECT unit_id, depart_on, 0, SUM(party_size) FROM safe_returns
WHERE status IN ('departed', 'arrived') GROUP BY unit_id, depart_on
ON DUPLICATE KEY UPDATE g = g + VALUES(g);
INSERT INTO stat_daily (unit_id, day, slot, h)
SELECT c.unit_id, c.accepted_on, 0, COUNT(*) FROM wage_case_workers w
JOIN wage_cases c ON c.id = w.case_id WHERE c.accepted_on IS NOT NULL
GROUP BY c.unit_id, c.accepted_on
ON DUPLICATE KEY UPDATE h = h + VALUES(h);
INSERT INTO stat_daily (unit_id, day, slot, i)
SELECT c.unit_id, r.recovered_on, 0, SUM(r.amount) FROM wage_recoveries r
JOIN wage_cases c ON c.id = r.case_id GROUP BY c.unit_id, r.recovered_on
ON DUPLICATE KEY UPDATE i = i + VALUES(i);

-- Row A counts distinct enterprises from the visits themselves: this
-- index holds all it reads.
ALTER TABLE visits ADD INDEX IF NOT EXISTS visits_firms (kind, visited_on,
	unit_id, deleted_at, enterprise_name_key, enterprise_credit_code);
