#!/bin/sh
# Installs node-redis, pinned, for the results tests' node client:
#   sh node_setup.sh DIR      -> DIR/node_modules/redis
# Already there: nothing to do. npm reaches the npm registry.
set -eu
dir=$1
[ -f "$dir/node_modules/redis/package.json" ] && exit 0
mkdir -p "$dir"
npm install --no-audit --no-fund --silent --prefix "$dir" redis@4.7.1
