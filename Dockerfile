# The worker image: built with the same `make build` as on a developer's
# machine (unit tests included, so the image is built from code that
# compiles cleanly with -Werror), run on a slim image with the libraries.
# The image also serves the one-shot migrate and secrets services of
# docker-compose.yml, hence scripts/, sql/ and mariadb-client.

FROM debian:12 AS build
RUN apt-get update \
	&& apt-get install -y --no-install-recommends gcc libc6-dev make \
		pkg-config libfcgi-dev libmariadb-dev libjansson-dev \
		libsodium-dev zlib1g-dev libcmocka-dev libxlsxwriter-dev \
		libqrencode-dev \
	&& rm -rf /var/lib/apt/lists/*
WORKDIR /src
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
# Runs as an unprivileged user; the volumes mounted on /var/lib/swn and
# /run/dbroot take their owner from these directories.
RUN useradd --system --home-dir /var/lib/swn swn \
	&& mkdir -p /var/lib/swn/secrets /run/dbroot \
	&& chown -R swn:swn /var/lib/swn /run/dbroot \
	&& chmod 0700 /var/lib/swn/secrets
WORKDIR /srv/swn
COPY --from=build /src/build/swn-worker build/swn-worker
COPY scripts/ scripts/
COPY sql/ sql/
USER swn
ENV VAR=/var/lib/swn
EXPOSE 9000
CMD ["build/swn-worker"]
