#!/bin/sh
# Entry point of the tasq container image.
#
#   entrypoint.sh tasqd [CONFIG_FILE] [--directive value ...]
#       runs tasqd, adding --admin_token from $TASQ_ADMIN_TOKEN or from the
#       file named by $TASQ_ADMIN_TOKEN_FILE (a docker or compose secret)
#   entrypoint.sh healthcheck
#       exit 0 when tasqd answers `ping` on its admin port ($TASQ_ADMIN,
#       default 127.0.0.1:6381), 1 otherwise, as HEALTHCHECK expects
#   entrypoint.sh COMMAND [ARG ...]
#       anything else runs as it is (tasqctl stats, sh, ...)
#
# The image binds its listeners to every address so that other containers
# can reach them, and tasqd refuses a non-loopback admin port without a
# token: the token is not optional in the image.
set -eu

if [ -n "${TASQ_ADMIN_TOKEN_FILE:-}" ]; then
  if ! TASQ_ADMIN_TOKEN=$(cat "$TASQ_ADMIN_TOKEN_FILE"); then
    echo "entrypoint: cannot read TASQ_ADMIN_TOKEN_FILE=$TASQ_ADMIN_TOKEN_FILE" >&2
    exit 1
  fi
  export TASQ_ADMIN_TOKEN
fi

case "${1:-}" in
  tasqd)
    shift
    if [ -n "${TASQ_ADMIN_TOKEN:-}" ]; then
      set -- "$@" --admin_token "$TASQ_ADMIN_TOKEN"
    fi
    # exec: tasqd is PID 1, takes SIGTERM from `docker stop` itself and
    # reaps every child, orphans included.
    exec tasqd "$@"
    ;;
  healthcheck)
    # tasqctl reads TASQ_ADMIN and TASQ_ADMIN_TOKEN from the environment.
    tasqctl --timeout 3 ping >/dev/null || exit 1
    exit 0
    ;;
esac
exec "$@"
