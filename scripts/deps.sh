#!/usr/bin/env bash
# Install what a fresh Debian 12 lacks to build, run and test swn, then the
# Node test dependencies.  Cheap when everything is there: no apt-get update,
# no npm run, so `make test` can depend on it every time.
set -euo pipefail
cd "$(dirname "$0")/.."

pkgs=(nginx mariadb-server mariadb-client libfcgi-dev libmariadb-dev
	libjansson-dev libsodium-dev zlib1g-dev libcmocka-dev pkg-config clang-format
	wrk chromium gcc make
	libxlsxwriter-dev # the statistics table as XLSX
	libqrencode-dev # fair registration QR codes
	# Tests only: render a served QR code and read it back.
	librsvg2-bin zbar-tools
	# Tests only: read an export back (unzip), convert it as a user's
	# office suite would (LibreOffice, Chinese fonts), count its pages.
	unzip libreoffice-calc-nogui fonts-noto-cjk poppler-utils)
# Any node >= 18 will do; a nodejs installed from elsewhere stays untouched.
if ! command -v node >/dev/null; then
	pkgs+=(nodejs npm)
elif ! command -v npm >/dev/null; then
	pkgs+=(npm)
fi

# ---- Hostile input: make fuzz, make test-asan ------------------------------
# clang builds the libFuzzer targets and the sanitized worker; the fuzzer,
# ASan and UBSan runtimes are in libclang-rt; llvm has the symbolizer that
# turns a report's addresses into file:line.
pkgs+=(clang libclang-rt-14-dev llvm)
# ---- end -------------------------------------------------------------------

# ---- Beyond one machine (docs/DEPLOY.md) ----------------------------------
# openssl: the TLS test's self-signed certificates, compose-secrets.sh.
pkgs+=(openssl)
# `deps.sh --build`: only what compiling the worker needs, for the
# Dockerfile, so the image is built with packages from this same list.
build_pkgs=(gcc make pkg-config libfcgi-dev libmariadb-dev libjansson-dev
	libsodium-dev zlib1g-dev libcmocka-dev libxlsxwriter-dev libqrencode-dev)
build_only=
if [ "${1:-}" = --build ]; then
	build_only=1
	pkgs=("${build_pkgs[@]}")
fi
# ---- end -------------------------------------------------------------------

missing=()
for p in "${pkgs[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
	echo "deps: installing ${missing[*]}"
	if [ "$(id -u)" -eq 0 ]; then
		sudo=()
	elif command -v sudo >/dev/null; then
		sudo=(sudo)
	else
		echo "deps: need root or sudo to install: ${missing[*]}" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	"${sudo[@]}" apt-get update -q
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q "${missing[@]}"
fi

[ -z "$build_only" ] || exit 0

# npm ci only when node_modules is absent or older than the lock file;
# touch afterwards so the next check sees it fresh.
if [ -f tests/package-lock.json ] &&
	{ [ ! -d tests/node_modules ] ||
		[ tests/node_modules -ot tests/package-lock.json ]; }; then
	echo "deps: npm ci in tests/"
	(cd tests && npm ci --no-audit --no-fund)
	touch tests/node_modules
fi
