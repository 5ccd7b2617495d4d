-- The district union and its towns and streets, as the 2021 notice
-- addresses them.  INSERT IGNORE keeps a re-run harmless.

INSERT IGNORE INTO units (id, code, name, kind, parent_id, path) VALUES
	(1, 'JKQ', '江苏常州经济开发区总工会', 'district', NULL, '/1/'),
	(2, 'HLZ', '横林镇', 'town', 1, '/1/2/'),
	(3, 'YGZ', '遥观镇', 'town', 1, '/1/3/'),
	(4, 'HSQZ', '横山桥镇', 'town', 1, '/1/4/'),
	(5, 'LCJD', '潞城街道', 'street', 1, '/1/5/'),
	(6, 'QSYJD', '戚墅堰街道', 'street', 1, '/1/6/'),
	(7, 'DYJD', '丁堰街道', 'street', 1, '/1/7/');
