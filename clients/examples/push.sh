#!/bin/sh
# Push tasks to tasq from the shell with redis-cli.
#
#   sh push.sh HOST PORT QUEUE PAYLOAD [PAYLOAD ...]
#
# Prints each task id on its own line.
set -eu
host=$1 port=$2 queue=$3
shift 3
for payload in "$@"; do
  # --no-raw off a terminal prints plain integers; the reply is the task id.
  redis-cli -h "$host" -p "$port" LPUSH "$queue" "$payload"
done
