# The worker image: built with the same `make build` as on a developer's
# machine (unit tests included, so the image is built from code that
# compiles cleanly with -Werror), from the packages `make deps` installs
# (scripts/deps.sh --build: its build list), on Debian 12; run on a slim
# Debian 12 with the libraries.  The image also serves the one-shot
# migrate service of docker-compose.yml, hence scripts/, sql/ and
# mariadb-client.

FROM debian:12 AS build
WORKDIR /src
COPY scripts/deps.sh scripts/deps.sh
RUN scripts/deps.sh --build && rm -rf /var/lib/apt/lists/*
COPY Makefile ./
COPY fcgi/ fcgi/
# All of tests/ (node_modules is in .dockerignore): only tests/unit is used.
COPY tests/ tests/
RUN make build

FROM debian:12-slim
RUN apt-get update \
	&& apt-get install -y --no-install-recommends libfcgi0ldbl libmariadb3 \
		libjansson4 libsodium23 zlib1g libxlsxwriter4 libqrencode4 mariadb-client \
	&& rm -rf /var/lib/apt/lists/*
# Runs as an unprivileged user with a fixed uid.  Its secrets come from
# compose (/run/secrets, read-only); /var/lib/swn takes what migrate.sh
# writes beside them.
RUN useradd --system --uid 10001 --home-dir /var/lib/swn swn \
	&& mkdir -p /var/lib/swn/secrets \
	&& chown -R swn:swn /var/lib/swn \
	&& chmod 0700 /var/lib/swn/secrets
WORKDIR /srv/swn
COPY --from=build /src/build/swn-worker build/swn-worker
COPY scripts/ scripts/
COPY sql/ sql/
USER swn
ENV VAR=/var/lib/swn
EXPOSE 9000
CMD ["build/swn-worker"]
