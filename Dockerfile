# tasq container image: tasqd and tasqctl on Debian bookworm-slim.
#
#   docker build -t tasq .
#   docker run -d --name tasqd -e TASQ_ADMIN_TOKEN="$(openssl rand -hex 16)" \
#     -p 127.0.0.1:6380:6380 -p 127.0.0.1:6381:6381/udp tasq
#   redis-cli -p 6380 LPUSH mail hello
#   docker exec tasqd tasqctl stats
#
# The build stage installs the same Debian packages as `./tasq.sh` (read from
# its PACKAGES list) and builds only tasqd and tasqctl; the runtime stage has
# those two binaries, the Debian packages of their shared libraries, the
# sample config and the entry point, and runs as the unprivileged user tasq.
#
# The listeners are bound to every address of the container so that other
# containers reach them; because the admin port is then not loopback, tasqd
# requires an admin token (TASQ_ADMIN_TOKEN, or TASQ_ADMIN_TOKEN_FILE naming
# a secret file) and stops with a one-line reason without one.

ARG DEBIAN_IMAGE=debian:bookworm-slim

FROM ${DEBIAN_IMAGE} AS build
WORKDIR /src
# The package list first, so that the install layer is cached across source
# changes.
COPY tasq.sh ./
COPY deploy/packages.sh deploy/packages.sh
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      $(sh deploy/packages.sh tasq.sh) \
 && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTASQ_TESTS=OFF \
 && cmake --build /build -j "$(nproc)" --target tasqd tasqctl \
 && sh deploy/docker/stage-runtime.sh /out /build/server/tasqd /build/clients/tasqctl

FROM ${DEBIAN_IMAGE} AS runtime
COPY --from=build /out/runtime-packages /tmp/runtime-packages
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      $(cat /tmp/runtime-packages) \
 && rm -rf /var/lib/apt/lists/* /tmp/runtime-packages \
 && groupadd --system --gid 6380 tasq \
 && useradd --system --uid 6380 --gid tasq --home-dir /var/lib/tasq --no-create-home \
      --shell /usr/sbin/nologin tasq \
 && install -d -o tasq -g tasq -m 0750 /var/lib/tasq
COPY --from=build /out/bin/ /usr/local/bin/
COPY deploy/docker/entrypoint.sh /usr/local/bin/docker-entrypoint.sh
COPY deploy/tasqd.conf /etc/tasq/tasqd.conf

# Numeric, so that `runAsNonRoot` checks can see it is not root. Workers run
# as this user too (tasqd.conf's `user` needs root, and is not set).
USER 6380:6380
WORKDIR /var/lib/tasq
EXPOSE 6380/tcp 6381/udp
# SIGTERM lets tasqd drain for up to max_wait_time (3 s): give `docker stop`
# more than that (`docker stop -t 30`, compose's stop_grace_period).
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
  CMD ["docker-entrypoint.sh", "healthcheck"]
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["tasqd", "/etc/tasq/tasqd.conf", "--listen", "0.0.0.0:6380", "--admin", "0.0.0.0:6381"]

# The same with Debian's PHP CLI and the PHP worker library
# (/usr/local/share/tasq/php/TasqWorker.php), for `pipe:php ...` handlers: the
# compose demo's tasqd, whose tasks run in deploy/demo/worker.php. Build it
# with --target php-worker.
FROM runtime AS php-worker
USER root
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends php-cli \
 && rm -rf /var/lib/apt/lists/*
COPY clients/php/ /usr/local/share/tasq/php/
COPY deploy/demo/worker.php /srv/tasq-demo/worker.php
USER 6380:6380

# The default target, last: tasqd alone, without PHP.
FROM runtime
