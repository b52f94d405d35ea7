#!/bin/sh
# Each stream command of tasq through redis-cli.
#   sh redis_cli.sh PORT        prints "ok", or why it failed (exit 1)
set -eu
port=$1
cli() { redis-cli -p "$port" "$@"; }
fail() { echo "redis-cli: $*" >&2; exit 1; }

id=$(cli LPUSH cli hello)
key=tasq:result:$id
out=$(cli XREAD BLOCK 20000 STREAMS "$key" 0)
echo "$out" | grep -qx completed || fail "XREAD: $out"
echo "$out" | grep -qx hello || fail "XREAD result: $out"
[ "$(cli XRANGE "$key" - + | sed -n 2p)" = status ] || fail "XRANGE"
[ "$(cli XREVRANGE "$key" + - COUNT 1 | sed -n 5p)" = hello ] || fail "XREVRANGE"
[ "$(cli XLEN "$key")" = 1 ] || fail "XLEN"
[ -z "$(cli XREAD BLOCK 100 STREAMS tasq:result:999999 0)" ] || fail "a timeout is nil"
[ "$(cli XLEN tasq:dead)" = 0 ] || fail "XLEN tasq:dead"
[ "$(cli DEL "$key")" = 1 ] || fail "DEL"
[ "$(cli XLEN "$key")" = 0 ] || fail "gone"
cli XREAD BLOCK -1 STREAMS "$key" 0 | grep -q "timeout is negative" || fail "error text"
[ "$(cli PING)" = PONG ] || fail "PING"
echo ok
