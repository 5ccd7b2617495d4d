-- One campaign per title and period: the same campaign entered twice
-- (a double tap, two admins) would split its units' reports between two
-- rows that look alike in every list.  The worker answers 409 naming the
-- one there is (fcgi/campaigns.c); the index makes that hold under
-- concurrent requests too.  Safe to run again.
--
-- Twins already stored keep their ids (figures and reports point at
-- them); all but the first get their id after the title, so that the
-- index can be made and a person can tell them apart.
UPDATE campaigns c
JOIN campaigns o ON o.title = c.title AND o.from_date = c.from_date
	AND o.to_date = c.to_date AND o.id < c.id
SET c.title = CONCAT(LEFT(c.title, 80), '（', c.id, '）'),
	c.version = c.version + 1, c.updated_at = NOW();

ALTER TABLE campaigns
	ADD UNIQUE KEY IF NOT EXISTS campaigns_same (title, from_date, to_date);
