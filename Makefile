# swn: FastCGI worker (fcgi/) behind nginx (nginx-conf/), MariaDB (sql/).
#
#   make run      install what is missing, build, start everything in the
#                 foreground on PORT; Ctrl-C stops it
#   make start    the same in the background (idempotent); make stop
#   make test     unit tests, then API and browser tests on a private stack
#   make bench    wrk: the worker's /api/v1/health against a bare libfcgi hello;
#                 a 200-row list sealed against the same list before sealing;
#                 durable POST /api/v1/visits against raw INSERT commits;
#                 the worker's RSS over 200,000 mixed requests (bench/RESULTS.md)
#   make rotate-keys  a new personal-data key, everything re-sealed under it
#   make check-stats  every figure recomputed by a second path and compared
#   make backup OUT=file     a consistent backup of the database (no keys)
#   make restore FROM=file KEYS=keyfile   it, into a fresh VAR
#   make test-cluster  two workers behind one nginx, a replica, backups
#   make chaos    writers while MariaDB and the worker are killed -9:
#                 acknowledged N, lost 0, duplicated 0
#   make fuzz     every libFuzzer target (tests/fuzz/) for FUZZ_SECONDS each
#   make test-asan  make test against a worker built with ASan and UBSan
#
# VAR (runtime state) and PORT let several instances run side by side.

PORT ?= 8080
VAR ?= ./var
ADMIN_PASSWORD ?=
WORKERS ?= 4
# The scripts may run from another directory, so VAR is made absolute once.
override VAR := $(abspath $(VAR))
export PORT VAR ADMIN_PASSWORD WORKERS

CC ?= cc
CFLAGS = -std=c11 -Wall -Wextra -Werror -O2 -g -D_GNU_SOURCE
# Recursive (=) on purpose: on a fresh machine pkg-config and the -dev
# packages only exist after `make deps`, so the flags are computed when a
# recipe needs them, not when this file is read.  Debian ships fcgi.pc, but
# some libfcgi builds have none: fall back to plain -lfcgi.
PKG_CFLAGS = $(shell pkg-config --cflags libmariadb jansson libsodium zlib xlsxwriter \
	libqrencode)
PKG_LIBS = $(shell pkg-config --libs libmariadb jansson libsodium zlib xlsxwriter \
	libqrencode)
FCGI_CFLAGS = $(shell pkg-config --cflags fcgi 2>/dev/null)
FCGI_LIBS = $(shell pkg-config --libs fcgi 2>/dev/null || echo -lfcgi)
CMOCKA_CFLAGS = $(shell pkg-config --cflags cmocka 2>/dev/null)
CMOCKA_LIBS = $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)
ALL_CFLAGS = $(CFLAGS) $(FCGI_CFLAGS) $(PKG_CFLAGS)
LDLIBS = $(FCGI_LIBS) $(PKG_LIBS) -lpthread -lm

SRCS := $(wildcard fcgi/*.c)
OBJS := $(SRCS:fcgi/%.c=build/obj/%.o)
# Unit tests link every worker object except the one holding main().
LIB_OBJS := $(filter-out build/obj/main.o,$(OBJS))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=build/%)
WORKER := build/swn-worker
HELLO := build/bench-hello
FMT_FILES = $(wildcard fcgi/*.c fcgi/*.h tests/unit/*.c tests/fuzz/*.[ch] \
	bench/*.c)

.PHONY: all deps build run start stop test bench fmt fmt-check clean \
	rotate-keys check-stats seed backup restore test-cluster chaos \
	fuzz fuzz-build asan test-asan

all: build

deps:
	scripts/deps.sh

build: $(WORKER) $(UNIT_BINS)

$(WORKER): $(OBJS)
	$(CC) $(ALL_CFLAGS) -o $@ $(OBJS) $(LDLIBS)

# -MMD -MP: header dependencies, so editing a .h rebuilds what includes it.
build/obj/%.o: fcgi/%.c | build/obj
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

build/unit/%.o: tests/unit/%.c | build/unit
	$(CC) $(ALL_CFLAGS) $(CMOCKA_CFLAGS) -Ifcgi -MMD -MP -c -o $@ $<

build/test_%: build/unit/test_%.o $(LIB_OBJS)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(LDLIBS)

$(HELLO): bench/hello.c | build/obj
	$(CC) $(CFLAGS) $(FCGI_CFLAGS) -o $@ $< $(FCGI_LIBS) -lpthread

build/obj build/unit:
	mkdir -p $@

# Keep the unit-test objects make would otherwise delete as intermediates.
.SECONDARY:

-include $(OBJS:.o=.d) $(UNIT_SRCS:tests/unit/%.c=build/unit/%.d)

# run, start, test and bench need the packages before anything is compiled,
# so build runs in a sub-make after deps (also under make -j).
run: deps
	@$(MAKE) --no-print-directory build
	scripts/run.sh

start: deps
	@$(MAKE) --no-print-directory build
	scripts/start.sh

stop:
	scripts/stop.sh

# A new personal-data key; every stored value re-sealed under it while the
# service runs (docs/personal-data.md).
rotate-keys:
	@$(MAKE) --no-print-directory build
	scripts/rotate-keys.sh

# Every figure recomputed from the raw records by a second path; any
# difference is printed and fails (CAMPAIGN=id for one campaign).
check-stats:
	@$(MAKE) --no-print-directory build
	scripts/check-stats.sh

# N made-up records in bulk into a running instance, for measuring at
# scale: make seed N=1000000 VAR=... (never on a real instance).
seed:
	@$(MAKE) --no-print-directory build
	scripts/seed.sh

test: deps
	@$(MAKE) --no-print-directory build
	scripts/test.sh

# The crash test at length on a private stack (scripts/chaos.sh; make test
# runs a short form): CHAOS_DB_KILLS, CHAOS_WORKER_KILLS, CHAOS_WRITERS.
chaos: deps
	@$(MAKE) --no-print-directory build
	scripts/chaos.sh

# Each script starts what it measures and prints its ratio and verdict.
# ---- Beyond one machine (docs/DEPLOY.md) ---------------------------------
# The backup holds no key: keep $(VAR)/secrets/pii.keys apart from it, and
# give it back to restore as KEYS (docs/personal-data.md).
backup:
	scripts/backup.sh

restore:
	@$(MAKE) --no-print-directory build
	scripts/restore.sh

# Two workers on TCP behind one nginx, a real replica, backup and restore.
test-cluster: deps
	@$(MAKE) --no-print-directory build
	scripts/test-cluster.sh

bench: deps
	@$(MAKE) --no-print-directory build $(HELLO)
	bench/run.sh
	bench/pii.sh
	bench/visits.sh
	bench/rss.sh

# Guarded: clang-format with no file names would read standard input.
fmt:
	$(if $(FMT_FILES),clang-format -i $(FMT_FILES))

fmt-check:
	$(if $(FMT_FILES),clang-format --dry-run -Werror $(FMT_FILES))

# ---- Hostile input: fuzzing and sanitizers -------------------------------
# Both build with clang into their own directories, so sanitized objects
# never mix with the normal ones.  build/asan/: the worker and the unit
# tests with AddressSanitizer and UBSan (UBSan reports and goes on, so one
# run lists every report; scripts/test.sh fails on any).  build/fuzz/: the
# worker's objects for libFuzzer (UB aborts, so libFuzzer keeps the input),
# and one binary per tests/fuzz/fuzz_*.c.
SAN_CC ?= clang
SAN_CFLAGS = -std=c11 -Wall -Wextra -Werror -g -O1 -D_GNU_SOURCE \
	-fno-omit-frame-pointer -fsanitize=address,undefined
FUZZ_CFLAGS = $(SAN_CFLAGS) -fno-sanitize-recover=all
FUZZ_SECONDS ?= 60
ASAN_OBJS := $(SRCS:fcgi/%.c=build/asan/obj/%.o)
ASAN_LIB_OBJS := $(filter-out build/asan/obj/main.o,$(ASAN_OBJS))
ASAN_UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=build/asan/%)
FUZZ_OBJS := $(filter-out build/fuzz/obj/main.o,$(SRCS:fcgi/%.c=build/fuzz/obj/%.o))
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=build/fuzz/%)

asan: build/asan/swn-worker $(ASAN_UNIT_BINS)

build/asan/obj/%.o: fcgi/%.c | build/asan/obj
	$(SAN_CC) $(SAN_CFLAGS) $(FCGI_CFLAGS) $(PKG_CFLAGS) -MMD -MP -c -o $@ $<

build/asan/swn-worker: $(ASAN_OBJS)
	$(SAN_CC) $(SAN_CFLAGS) -o $@ $(ASAN_OBJS) $(LDLIBS)

build/asan/unit/%.o: tests/unit/%.c | build/asan/unit
	$(SAN_CC) $(SAN_CFLAGS) $(FCGI_CFLAGS) $(PKG_CFLAGS) $(CMOCKA_CFLAGS) \
		-Ifcgi -MMD -MP -c -o $@ $<

build/asan/test_%: build/asan/unit/test_%.o $(ASAN_LIB_OBJS)
	$(SAN_CC) $(SAN_CFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(LDLIBS)

build/fuzz/obj/%.o: fcgi/%.c | build/fuzz/obj
	$(SAN_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(FCGI_CFLAGS) \
		$(PKG_CFLAGS) -MMD -MP -c -o $@ $<

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJS) | build/fuzz/obj
	$(SAN_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(FCGI_CFLAGS) \
		$(PKG_CFLAGS) -Ifcgi -MMD -MP -o $@ $< $(FUZZ_OBJS) $(LDLIBS)

build/asan/obj build/asan/unit build/fuzz/obj:
	mkdir -p $@

-include $(ASAN_OBJS:.o=.d) $(FUZZ_OBJS:.o=.d) \
	$(UNIT_SRCS:tests/unit/%.c=build/asan/unit/%.d) $(FUZZ_BINS:=.d)

fuzz-build: $(FUZZ_BINS)

# Each target for FUZZ_SECONDS from its committed seeds
# (tests/fuzz/corpus/NAME/); a crash fails and is kept in build/fuzz/.
fuzz: deps
	@$(MAKE) --no-print-directory fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh

# make test with the sanitized worker and unit tests: any report in the
# worker's log fails the run.
test-asan: deps
	@$(MAKE) --no-print-directory build asan
	WORKER_BIN=$(CURDIR)/build/asan/swn-worker UNIT_DIR=build/asan \
		SWN_SANITIZED=1 ASAN_OPTIONS=detect_leaks=1 \
		UBSAN_OPTIONS=print_stacktrace=1 scripts/test.sh

# Only build output: var/ holds databases, which `make stop` and rm -rf
# remove on purpose, not by accident.
clean:
	rm -rf build
