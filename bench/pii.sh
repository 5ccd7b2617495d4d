#!/usr/bin/env bash
# What does sealing personal data cost a list?  Runs the worker of BASE_REV
# (the last commit before sealing: plain columns) and today's worker side by
# side, each on its own instance with the same 200 wage cases (reporter
# phone masked in every row), and alternates wrk runs of
# GET /api/v1/wage-cases?limit=200 on both.  Prints every rate and the cost
# ratio (plain rate / sealed rate); PASS when it is at most 1.3.
#
#   BASE_REV           default 0a532c6
#   ROUNDS, WRK_ARGS   default 3 and "-t2 -c8 -d10s"
#   PORT_OLD, PORT_NEW default 18390, 18391
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
unset MAKEFLAGS MFLAGS MAKELEVEL
. bench/lib.sh

BASE_REV=${BASE_REV:-0a532c6}
ROUNDS=${ROUNDS:-3}
read -r -a wrk_args <<<"${WRK_ARGS:--t2 -c8 -d10s}"
PORT_OLD=${PORT_OLD:-18390}
PORT_NEW=${PORT_NEW:-18391}
WORK=$ROOT/var/bench-pii
OLD_SRC=$WORK/src
# rand_str from scripts/env.sh, in a subshell: its exported paths (VAR,
# WORKER_BIN, ...) must not reach the two instances' scripts.
PW=bench-$(. scripts/env.sh && rand_str 24)

cleanup()
{
	VAR=$WORK/old "$OLD_SRC/scripts/stop.sh" >/dev/null 2>&1 || true
	VAR=$WORK/new "$ROOT/scripts/stop.sh" >/dev/null 2>&1 || true
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
cleanup
mkdir -p "$OLD_SRC"

echo "bench-pii: building the worker of $BASE_REV"
git archive "$BASE_REV" | tar -x -C "$OLD_SRC"
make -C "$OLD_SRC" --no-print-directory build/swn-worker >/dev/null
# All of the load (the seeding's 400 POSTs, then wrk) comes from one address, which nginx's limits per
# address (nginx-conf, "Limits per address": public writes 10 a second,
# every write 30) would cut: this instance lifts them, to measure the
# worker and the database.
export RATE=100000r/s BURST=100000 WRITE_RATE=100000r/s WRITE_BURST=100000
VAR=$WORK/old PORT=$PORT_OLD ADMIN_PASSWORD=$PW "$OLD_SRC/scripts/start.sh" >/dev/null
VAR=$WORK/new PORT=$PORT_NEW ADMIN_PASSWORD=$PW \
	"$ROOT/scripts/start.sh" >/dev/null

# seed PORT: 200 cases of two workers each; prints an admin token.
seed()
{
	node --input-type=module - "$1" "$PW" <<'EOF'
const [port, pw] = process.argv.slice(2);
const base = `http://127.0.0.1:${port}/api/v1`;
const post = async (path, body, token) => {
  const r = await fetch(base + path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (r.status >= 300) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  return r.json();
};
const { token } = await post('/auth/login', { username: 'admin', password: pw });
for (let i = 0; i < 200; i++) {
  const n = String(i).padStart(4, '0');
  await post('/wage-cases', {
    employer_name: `基准测试企业${n}`, industry: 'construction',
    reporter: { name: '张三', phone: `1381234${n}` },
    workers: [{ name: '李四', phone: `1391234${n}`, amount_owed: 1000 },
      { name: '王五', amount_owed: '20.50' }],
  }, token);
}
console.log(token);
EOF
}
t_old=$(seed "$PORT_OLD")
t_new=$(seed "$PORT_NEW")

# rps PORT TOKEN: one wrk run of the 200-row list; prints Requests/sec.
rps()
{
	wrk_rate "bench-pii: port $1" "${wrk_args[@]}" \
		-H "Authorization: Bearer $2" \
		"http://127.0.0.1:$1/api/v1/wage-cases?limit=200"
}

o=() n=()
for i in $(seq "$ROUNDS"); do
	r=$(rps "$PORT_OLD" "$t_old")
	o+=("$r")
	r=$(rps "$PORT_NEW" "$t_new")
	n+=("$r")
	printf 'round %d: plain %8.1f req/s   sealed %8.1f req/s\n' \
		"$i" "${o[-1]}" "${n[-1]}"
done
mo=$(median "${o[@]}")
mn=$(median "${n[@]}")
verdict=$(awk -v a="$mo" -v b="$mn" \
	'BEGIN {r = a / b; printf "cost ratio %.3f  %s", r, (r <= 1.3) ? "PASS" : "FAIL"}')
echo "GET /wage-cases?limit=200: median plain $mo req/s, sealed $mn req/s: $verdict (<= 1.3)"
[[ $verdict == *PASS ]]
