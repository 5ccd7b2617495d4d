-- wrk script of bench/visits.sh: POST /api/v1/visits as a signed-in
-- volunteer, the same valid visit each time, every request with a fresh
-- Idempotency-Key (as the pages' outbox sends them), so every request is
-- a new visit stored durably.
--
--   wrk ... -s bench/visits.lua URL -- TOKEN NONCE
--
-- NONCE keeps keys of one run apart from the keys of earlier runs.

local next_id = 1

function setup(thread)
	thread:set("tid", next_id)
	next_id = next_id + 1
end

function init(args)
	nonce = args[2] or "0"
	n = 0
	body = '{"visited_on":"2021-01-20","kind":"worker","category":"C7",' ..
	    '"people_count":2,"cash_amount":"500.00","goods_value":"120.50",' ..
	    '"note":"bench"}'
	headers = {
		["Authorization"] = "Bearer " .. args[1],
		["Content-Type"] = "application/json",
	}
end

function request()
	n = n + 1
	headers["Idempotency-Key"] = string.format("bench-%s-%d-%d", nonce, tid, n)
	return wrk.format("POST", "/api/v1/visits", headers, body)
end
