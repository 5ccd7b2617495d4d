-- make seed: @n records spread over the district's units and dated within
-- the seeded 2021 campaign (2021-01-01 to 2021-02-12), in bulk, for
-- measuring the statistics at scale.  Run by scripts/seed.sh, which sets
-- @n and fills seed_pool with sealed personal values first.
--
-- The database keeps the daily figures as the rows go in (the triggers
-- of sql/012), exactly as for records made through the API.
--
-- A record's unit is (seq + seq DIV 50) mod the number of units, so that
-- no kind or status falls on one unit by the arithmetic of seq.
--
-- Of the records: 40 % visits, 30 % safe returns, 12 % wage-case workers
-- (two per case), about 9 % recoveries, 7 % fair registrations and 2 %
-- placements, with the fairs, employers and positions they need.  Every
-- record is the kind of row the API writes, so figures, lists and
-- drill-downs read them like any other.

SET @from = DATE '2021-01-01';
SET @days = 43;
SET @visits = @n * 40 DIV 100;
SET @returns = @n * 30 DIV 100;
SET @cases = @n * 6 DIV 100;
SET @regs = @n * 7 DIV 100;
SET @places = @n * 2 DIV 100;
SET @fairs = GREATEST(1, @n DIV 5000);
SELECT id INTO @admin FROM users WHERE username = 'admin';
SELECT id, path INTO @district, @dpath FROM units WHERE kind = 'district'
	ORDER BY id LIMIT 1;

-- Three directly affiliated unions under each town and street, so the
-- records spread over a tree of some depth.
INSERT IGNORE INTO units (code, name, kind, parent_id, path, created_at,
	updated_at)
SELECT CONCAT('SEED', u.id, '-', s.seq), CONCAT(u.name, '第', s.seq, '基层工会'),
	'direct', u.id, '', NOW(), NOW()
FROM units u JOIN seq_1_to_3 s
WHERE u.parent_id = @district AND u.kind IN ('town', 'street');
UPDATE units c JOIN units p ON p.id = c.parent_id
SET c.path = CONCAT(p.path, c.id, '/') WHERE c.path = '';

CREATE TEMPORARY TABLE seed_units (
	n INT PRIMARY KEY,
	id BIGINT UNSIGNED NOT NULL
);
INSERT INTO seed_units
SELECT ROW_NUMBER() OVER (ORDER BY id) - 1, id FROM units
WHERE path LIKE CONCAT(@dpath, '%');
SELECT COUNT(*) INTO @u FROM seed_units;

-- Visits: enterprises (1 in 50: a thousand enterprises, each visited a
-- few times), front-line medical staff (1 in 10), and workers by
-- category.
INSERT INTO visits (unit_id, visited_on, kind, category, enterprise_name,
	enterprise_name_key, people_count, cash_amount, goods_value,
	created_by, created_at, updated_at)
SELECT su.id, @from + INTERVAL (s.seq % @days) DAY,
	CASE WHEN s.seq % 50 = 0 THEN 'enterprise'
	WHEN s.seq % 10 = 3 THEN 'medical_frontline' ELSE 'worker' END,
	IF(s.seq % 50 = 0 OR s.seq % 10 = 3, NULL,
		CONCAT('C', 1 + (s.seq DIV 10) % 11)),
	IF(s.seq % 50 = 0, CONCAT('种子企业', (s.seq DIV 50) % 1000), NULL),
	IF(s.seq % 50 = 0, CONCAT('种子企业', (s.seq DIV 50) % 1000), NULL),
	IF(s.seq % 50 = 0, 0, 1 + s.seq % 5),
	IF(s.seq % 50 = 0, 0, 10000 * (1 + s.seq % 50)),
	IF(s.seq % 50 = 0, 0, 100 * (s.seq % 997)),
	@admin, NOW(), NOW()
FROM seq_1_to_1000000 s JOIN seed_units su ON su.n = (s.seq + s.seq DIV 50) % @u
WHERE s.seq <= @visits;

-- Safe returns, in every state.
INSERT INTO safe_returns (unit_id, traveler_name, traveler_phone_enc,
	traveler_id_number_enc, party_size, hometown_province, depart_on,
	transport, assistance, subsidy_amount, status, arrival_hash,
	created_by, created_at, updated_at)
SELECT su.id, CONCAT('旅客', s.seq), p.enc, IF(s.seq % 3 = 0, q.enc, NULL),
	1 + s.seq % 4,
	ELT(1 + s.seq % 5, '安徽省', '河南省', '四川省', '江西省', '湖南省'),
	@from + INTERVAL (s.seq % @days) DAY,
	ELT(1 + s.seq % 3, 'rail', 'coach', 'charter_bus'), 'ticket', 0,
	ELT(1 + s.seq % 10, 'registered', 'registered', 'departed', 'departed',
		'departed', 'arrived', 'arrived', 'arrived', 'arrived',
		'cancelled'),
	UNHEX(SHA2(CONCAT('seed-arrival-', UUID()), 256)), @admin, NOW(), NOW()
FROM seq_1_to_1000000 s JOIN seed_units su ON su.n = (s.seq + s.seq DIV 50) % @u
JOIN seed_pool p ON p.col = 'safe_returns.traveler_phone' AND p.n = s.seq % 1000
JOIN seed_pool q ON q.col = 'safe_returns.traveler_id_number'
	AND q.n = s.seq % 1000
WHERE s.seq <= @returns;

-- Wage cases in every status, two workers each, one recovery per worker
-- of a case that was accepted.  References follow the year's counter.
SELECT COALESCE(MAX(last), 0) INTO @qx FROM reference_counters
WHERE kind = 'QX' AND year = 2021;
SELECT COALESCE(MAX(id), 0) INTO @before FROM wage_cases;
INSERT INTO wage_cases (reference, unit_id, source, status, employer_name,
	industry, reporter_name, reporter_phone_enc, tracking_hash,
	amount_owed, accepted_on, closed_on, created_by, created_at,
	updated_at)
SELECT CONCAT('QX2021-', LPAD(@qx + s.seq, 6, '0')), su.id, 'hotline',
	ELT(1 + s.seq % 8, 'received', 'accepted', 'referred', 'mediating',
		'resolved', 'closed', 'rejected', 'accepted'),
	CONCAT('种子欠薪单位', s.seq % 3000), 'construction', '张三', p.enc,
	UNHEX(SHA2(CONCAT('seed-tracking-', UUID()), 256)),
	200000 * (1 + s.seq % 20),
	IF(s.seq % 8 IN (0, 6), NULL, @from + INTERVAL (s.seq % @days) DAY),
	IF(s.seq % 8 IN (5, 6), @from + INTERVAL (s.seq % @days) DAY, NULL),
	@admin, NOW(), NOW()
FROM seq_1_to_1000000 s JOIN seed_units su ON su.n = (s.seq + s.seq DIV 50) % @u
JOIN seed_pool p ON p.col = 'wage_cases.reporter_phone' AND p.n = s.seq % 1000
WHERE s.seq <= @cases;
INSERT INTO reference_counters (kind, year, last) VALUES ('QX', 2021, @qx + @cases)
ON DUPLICATE KEY UPDATE last = GREATEST(last, VALUES(last));

INSERT INTO wage_case_workers (case_id, name, id_number_enc, id_number_idx,
	phone_enc, amount_owed)
SELECT c.id, CONCAT('工人', c.id, '-', w.seq), p.enc, p.idx, q.enc,
	c.amount_owed DIV 2
FROM wage_cases c JOIN seq_1_to_2 w
JOIN seed_pool p ON p.col = 'wage_case_workers.id_number'
	AND p.n = (c.id * 2 + w.seq) % 1000
JOIN seed_pool q ON q.col = 'wage_case_workers.phone'
	AND q.n = (c.id + w.seq) % 1000
WHERE c.id > @before;

INSERT INTO wage_recoveries (case_id, worker_id, amount, recovered_on,
	created_by, created_at)
SELECT w.case_id, w.id, w.amount_owed DIV 4,
	LEAST(c.accepted_on + INTERVAL (w.id % 5) DAY, DATE '2021-02-12'),
	@admin, NOW()
FROM wage_case_workers w JOIN wage_cases c ON c.id = w.case_id
WHERE c.id > @before AND c.accepted_on IS NOT NULL;
UPDATE wage_case_workers w JOIN wage_recoveries r ON r.worker_id = w.id
SET w.amount_recovered = r.amount WHERE w.case_id > @before;
UPDATE wage_cases c JOIN (SELECT case_id, SUM(amount_recovered) AS got
	FROM wage_case_workers WHERE case_id > @before GROUP BY case_id) t
	ON t.case_id = c.id
SET c.amount_recovered = t.got;

-- Fairs with five employers each (every other one caring), a regular and
-- a work-study or social-practice position per employer; registrations
-- of workers and students; placements of some of them.
SELECT COALESCE(MAX(id), 0) INTO @fbefore FROM job_fairs;
INSERT INTO job_fairs (unit_id, title, kind, venue, starts_at, ends_at,
	seeker_capacity, status, created_by, created_at, updated_at)
SELECT su.id, CONCAT('种子招聘会', s.seq),
	ELT(1 + s.seq % 5, 'catering', 'garment', 'key_enterprise', 'general',
		'work_study'),
	'常州某会展中心',
	TIMESTAMP(@from + INTERVAL (s.seq % @days) DAY, '09:00:00'),
	TIMESTAMP(@from + INTERVAL (s.seq % @days) DAY, '16:00:00'),
	100000, 'published', @admin, NOW(), NOW()
FROM seq_1_to_1000000 s JOIN seed_units su ON su.n = (s.seq + s.seq DIV 50) % @u
WHERE s.seq <= @fairs;
INSERT INTO fair_employers (fair_id, name, credit_code, contact_name,
	contact_phone_enc, caring, created_by, created_at)
SELECT f.id, CONCAT('种子用人单位', (f.id % 400) * 5 + e.seq),
	CONCAT('913204000', LPAD((f.id % 400) * 5 + e.seq, 8, '0'), '1'),
	'联系人', p.enc, e.seq % 2, @admin, NOW()
FROM job_fairs f JOIN seq_1_to_5 e
JOIN seed_pool p ON p.col = 'fair_employers.contact_phone'
	AND p.n = (f.id + e.seq) % 1000
WHERE f.id > @fbefore;
INSERT INTO fair_positions (employer_id, title, kind, headcount)
SELECT m.id, ELT(k.seq, '普工', '寒假实践岗'),
	ELT(k.seq, 'regular', IF(m.id % 2 = 0, 'work_study', 'social_practice')),
	10
FROM fair_employers m JOIN seq_1_to_2 k WHERE m.fair_id > @fbefore;

SELECT COALESCE(MAX(id), 0) INTO @rbefore FROM fair_registrations;
INSERT INTO fair_registrations (fair_id, code_hash, name, phone_enc,
	phone_idx, id_number_enc, kind, hardship_family, status, created_at,
	updated_at)
SELECT @fbefore + 1 + s.seq % @fairs,
	UNHEX(SHA2(CONCAT('seed-code-', UUID()), 256)), CONCAT('求职者', s.seq),
	p.enc, p.idx, IF(s.seq % 4 = 0, q.enc, NULL),
	ELT(1 + s.seq % 3, 'migrant_worker', 'student', 'other'), s.seq % 2,
	'registered', NOW(), NOW()
FROM seq_1_to_1000000 s
JOIN seed_pool p ON p.col = 'fair_registrations.phone' AND p.n = s.seq % 1000
JOIN seed_pool q ON q.col = 'fair_registrations.id_number'
	AND q.n = s.seq % 1000
WHERE s.seq <= @regs;
INSERT INTO fair_placements (fair_id, registration_id, employer_id,
	position_id, placed_on, created_by, created_at)
SELECT r.fair_id, r.id, m.id, p.id, DATE(f.starts_at), @admin, NOW()
FROM fair_registrations r JOIN job_fairs f ON f.id = r.fair_id
JOIN fair_employers m ON m.fair_id = r.fair_id
	AND m.id = (SELECT MIN(id) FROM fair_employers WHERE fair_id = r.fair_id)
		+ r.id % 5
JOIN fair_positions p ON p.employer_id = m.id
	AND p.kind <> 'regular'
WHERE r.id > @rbefore AND r.id <= @rbefore + @places;

ANALYZE TABLE visits, safe_returns, wage_cases, wage_case_workers,
	wage_recoveries, job_fairs, fair_employers, fair_positions,
	fair_registrations, fair_placements, units;
