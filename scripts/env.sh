# Sourced by the other scripts: turns VAR, PORT and WORKERS into the paths
# of docs/conventions.md, so every script agrees on where things live.
# Defines variables and functions only; creates nothing.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VAR=$(realpath -m -- "${VAR:-$ROOT/var}")
PORT=${PORT:-8080}
WORKERS=${WORKERS:-4}

PIDS=$VAR/run
LOGS=$VAR/log
DB_DIR=$VAR/db
SECRETS=$VAR/secrets
# The personal-data keys (docs/personal-data.md); a deployment may name
# its own file.
PII_KEYS=${SWN_PII_KEYS_FILE:-$SECRETS/pii.keys}
NGINX_DIR=$VAR/nginx
# A unix socket path holds at most 107 bytes.  A deep checkout (CI clones,
# mktemp dirs) can exceed that, so sockets then move to a short directory
# named after VAR; pid files always stay in $VAR/run.
if [ ${#PIDS} -gt 90 ]; then
	RUN=/tmp/swn-$(printf '%s' "$VAR" | sha256sum | cut -c1-16)
else
	RUN=$PIDS
fi
DB_SOCK=$RUN/mysqld.sock
WORKER_SOCK=$RUN/worker.sock

# others_may_enter PATH: true when a user who is neither owner nor group
# may walk down to PATH (every existing directory on the way has o+x).
others_may_enter()
{
	local d=$1 perm
	while [ ! -e "$d" ]; do
		d=$(dirname -- "$d")
	done
	while :; do
		perm=$(stat -L -c %a -- "$d") || return 1
		(((8#$perm & 1) == 1)) || return 1
		[ "$d" != / ] || return 0
		d=$(dirname -- "$d")
	done
}

# nginx started as root runs its worker processes as NGINX_USER (www-data,
# else nobody), who cannot enter a 0700 directory: /root with a checkout
# in it, $RUN.  What those processes open -- the worker's socket, a copy of
# the pages, nginx's temp files -- then lives in $WEB, a directory of group
# NGINX_USER (0750): $VAR/web when others may walk down to $VAR, else a
# short directory in /tmp named after VAR.  Not started as root, nginx's
# workers are this user, WEB is empty and nothing moves.
NGINX_USER=${NGINX_USER:-}
WEB=
if [ "$(id -u)" -eq 0 ]; then
	if [ -z "$NGINX_USER" ]; then
		NGINX_USER=nobody
		! id -u www-data >/dev/null 2>&1 || NGINX_USER=www-data
	fi
	if [ ${#VAR} -le 80 ] && others_may_enter "$VAR"; then
		WEB=$VAR/web
	else
		WEB=/tmp/swn-web-$(printf '%s' "$VAR" | sha256sum | cut -c1-16)
	fi
	WORKER_SOCK=$WEB/worker.sock
fi
WORKER_BIN=${WORKER_BIN:-$ROOT/build/swn-worker}
# mariadb-install-db gives root@localhost and the installing OS user unix
# socket authentication, so whoever runs the scripts is a DB superuser.
DB_ADMIN=$(id -un)

export ROOT VAR PORT WORKERS PIDS LOGS DB_DIR SECRETS PII_KEYS NGINX_DIR RUN \
	DB_SOCK WORKER_SOCK WORKER_BIN DB_ADMIN NGINX_USER WEB

# web_dir: makes $WEB (when there is one) for nginx's worker processes:
# owned by root, group NGINX_USER's, 2750.  The setgid bit gives what is
# made inside the same group: a worker started with umask 007 (web_umask)
# opens a socket they may connect to, whoever starts it -- worker-start.sh
# or anything that restarts the worker.  In /tmp a name others could take
# first is checked: it must be a real directory of root's.
web_dir()
{
	[ -n "$WEB" ] || return 0
	if [ ! -e "$WEB" ]; then
		mkdir -p -- "$(dirname -- "$WEB")"
		mkdir -m 0750 -- "$WEB"
	elif [ -L "$WEB" ] || [ ! -d "$WEB" ] ||
		[ "$(stat -c %u -- "$WEB")" != 0 ]; then
		echo "env: $WEB is not a directory of root's; remove it" >&2
		return 1
	fi
	chgrp "$(id -gn "$NGINX_USER")" "$WEB"
	chmod 2750 "$WEB"
}

# web_umask: the umask for a process that opens a unix socket in $WEB
# (007: the socket is then read-write for NGINX_USER's group); nothing to
# change without $WEB.  Call it in the subshell that starts the process.
web_umask()
{
	[ -z "$WEB" ] || umask 007
}

# pid_alive NAME PROG: true when $PIDS/NAME.pid names a live PROG process.
# Checks the command name too, so a stale pid file whose number was reused
# by another process after a kill -9 does not count, and skips zombies.
pid_alive()
{
	local f=$PIDS/$1.pid pid st
	[ -s "$f" ] || return 1
	pid=$(tr -dc 0-9 <"$f")
	[ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
	[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ] || return 1
	st=$(sed 's/^.*) //' "/proc/$pid/stat" | cut -d' ' -f1)
	[ "$st" != Z ]
}

# rand_str N: N random characters from [A-Za-z0-9].  Reads a fixed amount
# first: `tr </dev/urandom | head` dies of SIGPIPE under pipefail.
rand_str()
{
	local s
	s=$(head -c 2048 /dev/urandom | LC_ALL=C tr -dc A-Za-z0-9)
	printf '%s' "${s:0:$1}"
}

# sql ARGS...: the mariadb client as the DB superuser, over $DB_SOCK or,
# when SQL_SOCK is set (SQL_SOCK=... sql ...), over that socket: another
# instance's, a replica's.  --no-defaults: no ~/.my.cnf may change where
# it connects; utf8mb4 on the client too, or Chinese text is mangled;
# plain output, one row a line, no column names, for the shell to read.
sql()
{
	mariadb --no-defaults --socket="${SQL_SOCK:-$DB_SOCK}" -u "$DB_ADMIN" \
		--default-character-set=utf8mb4 --batch --skip-column-names "$@"
}

pid_dead()
{
	! pid_alive "$@"
}

# supervised NAME: true when the supervisor of worker NAME
# (scripts/worker-supervise.sh, pid in $PIDS/NAME-supervisor.pid) runs.
# It is a bash: its command line names the script.
supervised()
{
	local f=$PIDS/$1-supervisor.pid pid
	[ -s "$f" ] || return 1
	pid=$(tr -dc 0-9 <"$f")
	[ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
	grep -qa 'worker-supervise\.sh' "/proc/$pid/cmdline"
}

# listening ADDR: a process accepts connections on ADDR, a unix socket path
# or host:port, by the kernel's own tables: a socket file left behind by a
# killed worker does not count.
listening()
{
	local port
	case $1 in
	*:*)
		port=$(printf ':%04X' "${1##*:}")
		awk -v p="$port" '$4 == "0A" && substr($2, length($2) - 4) == p \
			{ f = 1 } END { exit !f }' /proc/net/tcp /proc/net/tcp6
		;;
	*)
		# Flags 00010000: a listening socket.
		awk -v p="$1" '$4 == "00010000" && $NF == p { f = 1 }
			END { exit !f }' /proc/net/unix
		;;
	esac
}

pid_of()
{
	tr -dc 0-9 <"$PIDS/$1.pid"
}

# wait_until SECONDS COMMAND...: poll every 0.1 s until COMMAND succeeds.
wait_until()
{
	local n=$(($1 * 10))
	shift
	while ! "$@" 2>/dev/null; do
		n=$((n - 1))
		[ $n -gt 0 ] || return 1
		sleep 0.1
	done
}

# stop_worker NAME SECONDS: stop worker NAME and its supervisor.  SIGTERM
# to the supervisor, which passes it on and starts nothing more; the
# worker drains.  After SECONDS both are killed.
stop_worker()
{
	local name=$1 sup=
	if supervised "$name"; then
		sup=$(pid_of "$name-supervisor")
		kill -TERM "$sup" 2>/dev/null || true
	elif pid_alive "$name" swn-worker; then
		kill -TERM "$(pid_of "$name")" 2>/dev/null || true
	else
		rm -f "$PIDS/$name.pid" "$PIDS/$name-supervisor.pid"
		return 0
	fi
	gone()
	{
		! supervised "$name" && pid_dead "$name" swn-worker
	}
	if ! wait_until "$2" gone; then
		echo "stop: $name did not exit in $2 s, killing it" >&2
		[ -z "$sup" ] || kill -KILL "$sup" 2>/dev/null || true
		pid_dead "$name" swn-worker ||
			kill -KILL "$(pid_of "$name")" 2>/dev/null || true
		wait_until 5 gone || true
	fi
	echo "stopped $name"
	rm -f "$PIDS/$name.pid" "$PIDS/$name-supervisor.pid"
}

# stop_pid NAME PROG SIGNAL SECONDS: signal a process, wait for it to exit,
# SIGKILL it if it will not.
stop_pid()
{
	local pid
	if pid_alive "$1" "$2"; then
		pid=$(pid_of "$1")
		kill "-$3" "$pid" 2>/dev/null || true
		if ! wait_until "$4" pid_dead "$1" "$2"; then
			echo "stop: $1 ($pid) did not exit in $4 s, killing it" >&2
			kill -KILL "$pid" 2>/dev/null || true
			wait_until 5 pid_dead "$1" "$2" || true
		fi
		echo "stopped $1"
	fi
	rm -f "$PIDS/$1.pid"
}
