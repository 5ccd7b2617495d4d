-- wrk script of bench/rss.sh: a mix of what a campaign day asks of the
-- worker, as staff of a town, one request of each in turn:
--
--   reads (7 of 10): /health, a list of 50 wage cases, a list of 50
--     visits, one wage case in full (personal data unsealed), the
--     statistics table, /units, /me;
--   writes (3 of 10): a visit, a wage case of two workers (phone and ID
--     number sealed), a safe return (sealed, with its arrival code), each
--     with a fresh Idempotency-Key, stored durably with its audit row.
--
--   wrk ... -s bench/rss.lua URL -- TOKEN NONCE CASE_ID TODAY
--
-- NONCE keeps the keys of one round apart from those of the others; TODAY
-- (YYYY-MM-DD, Asia/Shanghai) is the safe returns' departure day.

local next_id = 1

function setup(thread)
	thread:set("tid", next_id)
	next_id = next_id + 1
end

-- A valid GB 11643 ID number from a sequence number: always the same
-- birth date, the sequence in the area code and order digits.
local function id_number(seq)
	local s17 = string.format("32%04d19850312%03d", seq % 10000,
	    math.floor(seq / 10000) % 1000)
	local w = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	local sum = 0
	for i = 1, 17 do
		sum = sum + tonumber(s17:sub(i, i)) * w[i]
	end
	return s17 .. ("10X98765432"):sub(sum % 11 + 1, sum % 11 + 1)
end

function init(args)
	nonce = args[2] or "0"
	case_id = args[3] or "1"
	today = args[4]
	n = 0
	get = {["Authorization"] = "Bearer " .. args[1]}
	post = {
		["Authorization"] = "Bearer " .. args[1],
		["Content-Type"] = "application/json",
	}
	visit = '{"visited_on":"2021-01-20","kind":"worker","category":"C7",' ..
	    '"people_count":2,"cash_amount":"500.00","note":"rss"}'
end

local function key()
	post["Idempotency-Key"] = string.format("rss-%s-%d-%d", nonce, tid, n)
	return post
end

local function phone()
	return string.format("139%08d", (tid * 1000003 + n * 7919) % 100000000)
end

function request()
	n = n + 1
	local k = n % 10
	if k == 0 then
		return wrk.format("GET", "/api/v1/health", get)
	elseif k == 1 then
		return wrk.format("GET", "/api/v1/wage-cases?limit=50", get)
	elseif k == 2 then
		return wrk.format("GET", "/api/v1/visits?limit=50", get)
	elseif k == 3 then
		return wrk.format("GET", "/api/v1/wage-cases/" .. case_id, get)
	elseif k == 4 then
		return wrk.format("GET", "/api/v1/stats", get)
	elseif k == 5 then
		return wrk.format("GET", "/api/v1/units", get)
	elseif k == 6 then
		return wrk.format("GET", "/api/v1/me", get)
	elseif k == 7 then
		return wrk.format("POST", "/api/v1/visits", key(), visit)
	elseif k == 8 then
		local body = string.format('{"employer_name":"常州某建筑劳务有限公司",' ..
		    '"industry":"construction","reporter":{"name":"张三",' ..
		    '"phone":"%s"},"workers":[{"name":"李四","id_number":"%s",' ..
		    '"phone":"%s","amount_owed":"1000.00"},{"name":"王五",' ..
		    '"amount_owed":"2500.50"}],"description":"rss"}',
		    phone(), id_number(tid * 100000 + n), phone())
		return wrk.format("POST", "/api/v1/wage-cases", key(), body)
	else
		local body = string.format('{"traveler":{"name":"王建国",' ..
		    '"phone":"%s"},"hometown":{"province":"河南省"},' ..
		    '"depart_on":"%s","transport":"rail","assistance":["ticket"]}',
		    phone(), today)
		return wrk.format("POST", "/api/v1/safe-returns", key(), body)
	end
end
