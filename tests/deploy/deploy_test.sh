#!/usr/bin/env bash
# The deployment files, checked against a real tasqd and the real tools:
#
#   deploy_test.sh CHECK SOURCE_DIR TASQD TASQCTL
#
# CHECK is one of:
#   sample_config   deploy/tasqd.conf is valid, names every directive of
#                   `tasqd --help`, and each line it leaves on holds the
#                   default --help shows
#   broken_config   a bad value or an unknown directive stops tasqd, at start
#                   and under --test-config, with one line naming it on stderr
#   systemd_unit    `systemd-analyze verify` accepts deploy/tasqd.service; its
#                   stop timeout is above max_wait_time; its ExecStart runs
#                   the sample config and reports a broken one in one line
#   unit_privileges under the unit's capability bounding set and no-new-privs,
#                   tasqd started as root runs its workers as `user`/`group`
#   private_tree    PoolPrivileges and unit_privileges pass with their plugins
#                   inside a directory only root can enter (a clone under
#                   /root): POOL_TESTS and POOL_TEST_PLUGIN name the pieces
#   compose         `docker-compose config` accepts docker-compose.yml (and
#                   refuses it without an admin token); the scale profile's
#                   twemproxy config names the compose shards
#   container       the image's pieces outside an engine: the Dockerfile's
#                   package list is tasq.sh's, its runtime package list comes
#                   out of the built binaries, its CMD through the entry point
#                   needs the admin token and reports a broken config in one
#                   line, and the HEALTHCHECK command tells a live tasqd from a
#                   wrong token
#   web_producer    deploy/demo/index.php (with clients/php/TasqClient.php) in
#                   PHP's built-in web server pushes one task per request and
#                   shows its result; the demo's tasqd runs each in
#                   deploy/demo/worker.php, a PHP pipe: co-process with the PHP
#                   worker library
source "$(dirname "$0")/lib.sh"

[ $# -eq 4 ] || fail "usage: $0 CHECK SOURCE_DIR TASQD TASQCTL"
check=$1 src=$(readlink -f "$2") tasqd=$(readlink -f "$3") tasqctl=$(readlink -f "$4")
conf="$src/deploy/tasqd.conf"

# Directive names, and `name default` pairs, as `tasqd --help` lists them.
help_directives() {
  "$tasqd" --help | grep -oE '^  --[a-z_-]+' | sed 's/^  --//' |
    grep -vxE 'help|version|test-config|check-journal|fix'
}
help_defaults() {
  "$tasqd" --help | sed -nE 's/^  --([a-z_]+) [^ ]+ \(=([^)]*)\).*/\1 \2/p'
}

# expect_one_line_error DESCRIPTION PATTERN COMMAND [ARG...]: COMMAND must exit
# non-zero within 20 s, printing exactly one line on stderr, matching PATTERN.
expect_one_line_error() {
  local what=$1 pattern=$2 status=0
  shift 2
  timeout 20 "$@" >"$WORK/out" 2>"$WORK/err" </dev/null || status=$?
  [ "$status" -ne 0 ] || fail "$what: exited 0"
  [ "$status" -ne 124 ] || fail "$what: still running after 20 s"
  local lines
  lines=$(wc -l <"$WORK/err")
  [ "$lines" -eq 1 ] || fail "$what: $lines lines on stderr, not one: $(cat "$WORK/err")"
  grep -qE "$pattern" "$WORK/err" || fail "$what: '$(cat "$WORK/err")' does not match /$pattern/"
  note "$what: $(cat "$WORK/err")"
}

check_sample_config() {
  "$tasqd" "$conf" --test-config || fail "tasqd --test-config rejects deploy/tasqd.conf"
  local names name missing=()
  names=$(help_directives)
  [ "$(echo "$names" | wc -l)" -ge 20 ] || fail "tasqd --help lists too few directives: $names"
  for name in $names; do
    # As a setting (`name value`) or an example (`# name value`).
    grep -qE "^(# )?$name( |$)" "$conf" || missing+=("$name")
  done
  [ ${#missing[@]} -eq 0 ] || fail "deploy/tasqd.conf does not mention: ${missing[*]}"
  # Each line that is on holds the default, so the file changes nothing.
  local default value count=0
  while read -r name default; do
    value=$(sed -nE "s/^$name +//p" "$conf")
    [ -z "$value" ] && continue
    [ "$value" = "$default" ] || fail "deploy/tasqd.conf sets $name $value; the default is $default"
    count=$((count + 1))
  done < <(help_defaults)
  [ "$count" -ge 15 ] || fail "only $count directives of deploy/tasqd.conf are checked against defaults"
  # Every line on is a directive with its default: none is left unchecked.
  local on
  on=$(grep -cE '^[a-z_]+ ' "$conf")
  [ "$on" -eq "$count" ] || fail "deploy/tasqd.conf has $on settings, $count with a --help default"
  note "all $(echo "$names" | wc -l) directives are in deploy/tasqd.conf; $count set to their defaults"

  # And tasqd really runs on it (on a free port, without the admin port).
  start_tasqd sample "$tasqd" "$conf" --admin none --task_worker_num 1
  local id
  id=$(redis-cli -h 127.0.0.1 -p "$TASQD_PORT" LPUSH sample hello)
  [[ "$id" =~ ^[1-9][0-9]*$ ]] || fail "LPUSH to tasqd on the sample config answered '$id'"
}

check_broken_config() {
  sed 's/^ring_size 64m$/ring_size 1k/' "$conf" >"$WORK/bad-value.conf"
  ! cmp -s "$conf" "$WORK/bad-value.conf" || fail "no ring_size line to break"
  expect_one_line_error "bad value, --test-config" '^tasqd: ring_size: ' \
    "$tasqd" "$WORK/bad-value.conf" --test-config
  expect_one_line_error "bad value, at start" '^tasqd: ring_size: ' \
    "$tasqd" "$WORK/bad-value.conf" --listen 127.0.0.1:0 --admin none

  sed 's/^task_retry 3$/task_retires 3/' "$conf" >"$WORK/typo.conf"
  local line
  line=$(grep -n '^task_retires' "$WORK/typo.conf" | cut -d: -f1)
  [ -n "$line" ] || fail "no task_retry line to break"
  expect_one_line_error "unknown directive, at start" \
    "^tasqd: line $line: unknown directive 'task_retires'" \
    "$tasqd" "$WORK/typo.conf" --listen 127.0.0.1:0 --admin none

  expect_one_line_error "missing config file" '^tasqd: cannot read config file .*/nowhere.conf' \
    "$tasqd" "$WORK/nowhere.conf" --listen 127.0.0.1:0 --admin none
}

# The unit, ready for this machine: ExecStart's tasqd is the one under test,
# its config a copy we may break.
local_unit() {
  mkdir -p "$WORK/unit"
  cp "$conf" "$WORK/unit/tasqd.conf"
  sed -e "s|/usr/local/bin/tasqd|$tasqd|g" -e "s|/etc/tasq/tasqd.conf|$WORK/unit/tasqd.conf|g" \
    "$src/deploy/tasqd.service" >"$WORK/unit/tasqd.service"
  grep -q "^ExecStart=$tasqd " "$WORK/unit/tasqd.service" || fail "ExecStart is not /usr/local/bin/tasqd"
}

# ExecStart's words (the unit has no quoting in it, and the test makes sure).
exec_start() {
  local line
  line=$(sed -n 's/^ExecStart=//p' "$WORK/unit/tasqd.service")
  [[ "$line" != *[\"\'\$\\]* ]] || fail "ExecStart has quoting or variables: parse it properly"
  echo "$line"
}

unit_value() { sed -n "s/^$1=//p" "$src/deploy/tasqd.service" | tail -n 1; }

check_systemd_unit() {
  require_tool systemd-analyze
  local_unit
  # verify prints problems (unknown keys, bad values, a missing binary) on
  # stderr, some of them with exit 0: any output at all fails.
  local status=0
  (cd "$WORK/unit" && SYSTEMD_LOG_COLOR=0 systemd-analyze verify ./tasqd.service) \
    >"$WORK/verify.out" 2>&1 || status=$?
  [ "$status" -eq 0 ] && [ ! -s "$WORK/verify.out" ] ||
    fail "systemd-analyze verify (exit $status): $(cat "$WORK/verify.out")"
  note "systemd-analyze verify: clean"
  # The hardening, as systemd scores it (0 = locked down, 10 = none; the
  # unit scores 2.8): dropping options pushes it past 4.
  if systemd-analyze security --help 2>/dev/null | grep -q -- '--offline'; then
    (cd "$WORK/unit" && systemd-analyze security --offline=yes --threshold=40 ./tasqd.service) \
      >"$WORK/security.out" 2>&1 || fail "systemd-analyze security: $(tail -n 3 "$WORK/security.out")"
    note "$(grep -o 'Overall exposure level.*' "$WORK/security.out")"
  fi

  local stop wait
  stop=$(unit_value TimeoutStopSec)
  wait=$(sed -n 's/^max_wait_time //p' "$conf")
  [[ "$stop" =~ ^[0-9]+$ ]] || fail "TimeoutStopSec '$stop' is not whole seconds"
  [ "$stop" -ge $((wait + 10)) ] || fail "TimeoutStopSec $stop is not well above max_wait_time $wait"
  [ "$(unit_value KillSignal)" = SIGTERM ] || fail "KillSignal is not SIGTERM"
  [ "$(unit_value KillMode)" = mixed ] || fail "KillMode is not mixed (SIGTERM to the master alone)"
  [ "$(unit_value Restart)" = on-failure ] || fail "Restart is not on-failure"
  # tasqd reports READY=1 after its journal's replay, and pets the watchdog.
  [ "$(unit_value Type)" = notify ] || fail "Type is not notify"
  [ "$(unit_value NotifyAccess)" = main ] || fail "NotifyAccess is not main"
  [ -n "$(unit_value WatchdogSec)" ] || fail "WatchdogSec is not set"
  [ "$(unit_value ExecReload)" = '/bin/kill -USR1 $MAINPID' ] || fail "ExecReload does not send SIGUSR1"

  # ExecStart as systemd would run it: the sample config is valid...
  local words
  read -r -a words <<<"$(exec_start)"
  "${words[@]}" --test-config >/dev/null || fail "ExecStart's command line fails --test-config"
  # ... and a broken one stops tasqd with one line on stderr, which is what
  # journalctl shows (StandardError=journal).
  [ "$(unit_value StandardError)" = journal ] || fail "StandardError is not journal"
  sed -i 's/^max_connections 10000$/max_connections 0/' "$WORK/unit/tasqd.conf"
  expect_one_line_error "the unit's ExecStart with a broken config" '^tasqd: max_connections: ' \
    "${words[@]}" --listen 127.0.0.1:0 --admin none
}

check_unit_privileges() {
  require_tool setpriv
  [ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root, as systemd starts tasqd" >&2; exit "$SKIP_CODE"; }
  local_unit
  # CapabilityBoundingSet=CAP_A CAP_B -> setpriv's -all,+a,+b
  local caps bounding
  caps=$(unit_value CapabilityBoundingSet)
  [ -n "$caps" ] || fail "the unit has no CapabilityBoundingSet"
  bounding="-all$(for cap in $caps; do printf ',+%s' "$(echo "${cap#CAP_}" | tr 'A-Z' 'a-z')"; done)"
  # Keep only the set's capabilities, as systemd does for a root service.
  if ! setpriv --bounding-set "$bounding" --inh-caps -all true 2>"$WORK/setpriv.err"; then
    echo "SKIP: this machine cannot restrict capabilities: $(cat "$WORK/setpriv.err")" >&2
    exit "$SKIP_CODE"
  fi
  [ "$(unit_value NoNewPrivileges)" = yes ] || fail "NoNewPrivileges is not yes"
  local user=nobody group
  group=$(id -gn "$user")
  # The workers write there as the user: let it through the private $WORK.
  mkdir -p "$WORK/records"
  chmod 0711 "$WORK"
  chmod 0777 "$WORK/records"
  # They load the plugin as the user too, and the build tree may lie where
  # the user cannot enter (a clone under /root, mode 0700): a copy in $WORK.
  install -m 0755 "$RECORD_PLUGIN" "$WORK/record_plugin.so"
  reachable_by "$user" "$WORK/record_plugin.so" ||
    fail "$user cannot reach $WORK/record_plugin.so: set TMPDIR to a directory others can enter"
  local words
  read -r -a words <<<"$(exec_start)"
  start_tasqd privileged setpriv --bounding-set "$bounding" --inh-caps -all --no-new-privs \
    env TASQ_TEST_RECORD_DIR="$WORK/records" "${words[@]}" --admin none --task_worker_num 2 \
    --user "$user" --group "$group" --handler "$WORK/record_plugin.so"
  local master=$TASQD_PID
  id=$(redis-cli -h 127.0.0.1 -p "$TASQD_PORT" LPUSH privileged task)
  [[ "$id" =~ ^[1-9][0-9]*$ ]] || fail "LPUSH answered '$id'"
  records_written() { grep -q "^privileged $id 1 task$" "$WORK"/records/worker.*.log; }
  wait_for 60 "the task to run" records_written
  # The workers are the master's children; each runs as user:group. A
  # worker is root for the moment between its start and its drop (the task
  # may have run on the other one already): wait for both, bounded.
  local workers
  workers_as_user() {
    workers=$(ps -o user=,group=,args= --ppid "$master" | grep 'task worker' || true)
    [ "$(echo "$workers" | grep -c .)" -eq 2 ] &&
      echo "$workers" | awk -v u="$user" -v g="$group" '$1 != u || $2 != g { exit 1 }'
  }
  local _
  for _ in $(seq 300); do
    workers_as_user && break
    sleep 0.1
  done
  workers_as_user || fail "workers do not run as $user:$group within 30 s: $workers"
  # The record file was written by the worker, as the user.
  [ "$(stat -c %U "$WORK"/records/worker.*.log | sort -u)" = "$user" ] ||
    fail "the handler did not run as $user"
  note "under the unit's bounding set ($caps), workers run as $user:$group"
}

# The two privileged checks, given their plugins from inside a directory only
# root can enter, as from a clone under /root: each must place what the
# dropped workers load where they can reach it.
check_private_tree() {
  require_tool setpriv
  [ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root, to drop privileges" >&2; exit "$SKIP_CODE"; }
  [ -n "${POOL_TESTS:-}" ] && [ -n "${POOL_TEST_PLUGIN:-}" ] || fail "POOL_TESTS and POOL_TEST_PLUGIN unset"
  local private="$WORK/private"
  mkdir -m 0700 "$private"
  cp "$RECORD_PLUGIN" "$POOL_TEST_PLUGIN" "$private/"
  ! reachable_by nobody "$private/$(basename "$RECORD_PLUGIN")" ||
    fail "nobody reaches into $private: the check would prove nothing"
  TASQ_PRIVILEGES_PLUGIN="$private/$(basename "$POOL_TEST_PLUGIN")" \
    "$POOL_TESTS" --gtest_filter='PoolPrivileges.*' >"$WORK/pool_tests.log" 2>&1 ||
    fail "PoolPrivileges with the plugin in a 0700 directory: $(tail -n 30 "$WORK/pool_tests.log")"
  if grep -q '\[  SKIPPED \]' "$WORK/pool_tests.log" || ! grep -q '\[  PASSED  \]' "$WORK/pool_tests.log"; then
    fail "PoolPrivileges did not run: $(tail -n 30 "$WORK/pool_tests.log")"
  fi
  local status=0
  RECORD_PLUGIN="$private/$(basename "$RECORD_PLUGIN")" \
    bash "$0" unit_privileges "$src" "$tasqd" "$tasqctl" >"$WORK/unit_privileges.log" 2>&1 ||
    status=$?
  case $status in
    0) note "with their plugins in a 0700 directory, PoolPrivileges and unit_privileges pass" ;;
    "$SKIP_CODE") note "with its plugin in a 0700 directory, PoolPrivileges passes;" \
      "unit_privileges skipped: $(grep SKIP "$WORK/unit_privileges.log")" ;;
    *) fail "unit_privileges with the plugin in a 0700 directory: $(tail -n 30 "$WORK/unit_privileges.log")" ;;
  esac
}

check_compose() {
  require_tool docker-compose
  [ -n "$PYTHON" ] || require_tool python3
  local file="$src/docker-compose.yml"
  TASQ_ADMIN_TOKEN=test-token docker-compose -f "$file" config -q ||
    fail "docker-compose config rejects docker-compose.yml"
  # Without the token, compose stops before anything starts, and says why.
  if env -u TASQ_ADMIN_TOKEN docker-compose -f "$file" config -q 2>"$WORK/err"; then
    fail "docker-compose accepts docker-compose.yml without TASQ_ADMIN_TOKEN"
  fi
  grep -q 'TASQ_ADMIN_TOKEN' "$WORK/err" || fail "no word of TASQ_ADMIN_TOKEN in: $(cat "$WORK/err")"

  # The normalised file with the scale profile: the services, which of them
  # are in the profile, the sample config and a healthcheck on every tasqd,
  # and the twemproxy config's servers are the compose shards.
  TASQ_ADMIN_TOKEN=test-token docker-compose -f "$file" --profile scale config \
    >"$WORK/compose.yml" || fail "docker-compose config rejects the scale profile"
  "$PYTHON" - "$WORK/compose.yml" "$src/deploy/twemproxy/nutcracker.yml" <<'EOF' || fail "compose"
import sys, yaml
compose = yaml.safe_load(open(sys.argv[1]))["services"]
proxy = yaml.safe_load(open(sys.argv[2]))
problems = []
expected = ["grafana", "nginx", "php-fpm", "prometheus", "tasqd", "tasqd-shard-1", "tasqd-shard-2",
            "twemproxy"]
if sorted(compose) != expected:
    problems.append(f"services {sorted(compose)}, expected {expected}")
for name in ("tasqd", "tasqd-shard-1", "tasqd-shard-2"):
    service = compose[name]
    mounts = [v if isinstance(v, str) else f'{v["source"]}:{v["target"]}' for v in service["volumes"]]
    if not any(m.split(":")[0].endswith("deploy/tasqd.conf") and ":/etc/tasq/tasqd.conf" in m
               for m in mounts):
        problems.append(f"{name} does not mount deploy/tasqd.conf at /etc/tasq/tasqd.conf: {mounts}")
    if "healthcheck" not in service:
        problems.append(f"{name} has no healthcheck")
for name, service in compose.items():
    scale = name in ("tasqd-shard-1", "tasqd-shard-2", "twemproxy")
    monitoring = name in ("prometheus", "grafana")
    if (service.get("profiles") == ["scale"]) != scale:
        problems.append(f"{name}: profiles {service.get('profiles')}")
    if (service.get("profiles") == ["monitoring"]) != monitoring:
        problems.append(f"{name}: profiles {service.get('profiles')}")
servers = [s.split()[0].rsplit(":", 2)[0] for s in next(iter(proxy.values()))["servers"]]
if sorted(servers) != ["tasqd-shard-1", "tasqd-shard-2"]:
    problems.append(f"nutcracker.yml's servers are {servers}, not the compose shards")
for p in problems:
    print("compose:", p, file=sys.stderr)
sys.exit(1 if problems else 0)
EOF
  if command -v nutcracker >/dev/null; then
    nutcracker --test-conf --conf-file "$src/deploy/twemproxy/nutcracker.yml" >/dev/null 2>&1 ||
      fail "nutcracker rejects deploy/twemproxy/nutcracker.yml"
  fi
  note "docker-compose.yml and the scale profile are valid"
}

# The JSON array of a Dockerfile instruction (CMD, ENTRYPOINT), one word a line.
dockerfile_array() {
  "$PYTHON" -c 'import json, sys
for line in open(sys.argv[1]):
    if line.startswith(sys.argv[2] + " "):
        words = json.loads(line[len(sys.argv[2]) + 1:])
print("\n".join(words))' "$src/Dockerfile" "$1"
}

check_container() {
  [ -n "$PYTHON" ] || require_tool python3
  # The build stage's packages are tasq.sh's, as bash itself reads them.
  local from_bash from_sh
  from_bash=$(bash -c 'eval "$(sed -n "/^PACKAGES=(/,/^)/p" "$1")"; printf "%s\n" "${PACKAGES[@]}"' \
    _ "$src/tasq.sh")
  from_sh=$(sh "$src/deploy/packages.sh" "$src/tasq.sh")
  [ -n "$from_sh" ] && [ "$from_sh" = "$from_bash" ] ||
    fail "deploy/packages.sh reads '$from_sh' from tasq.sh; bash reads '$from_bash'"
  grep -q 'deploy/packages.sh tasq.sh' "$src/Dockerfile" || fail "the Dockerfile does not use packages.sh"

  # The runtime stage's packages come out of the binaries.
  sh "$src/deploy/docker/stage-runtime.sh" "$WORK/stage" "$tasqd" "$tasqctl" ||
    fail "stage-runtime.sh failed"
  local package
  for package in $(cat "$WORK/stage/runtime-packages"); do
    dpkg-query -W -f='${Status}\n' "$package" | grep -q 'install ok installed' ||
      fail "stage-runtime.sh names $package, which is not installed"
  done
  grep -qx 'libstdc++6' "$WORK/stage/runtime-packages" ||
    fail "no libstdc++6 among the runtime packages: $(cat "$WORK/stage/runtime-packages")"
  [ -x "$WORK/stage/bin/tasqd" ] && [ -x "$WORK/stage/bin/tasqctl" ] || fail "binaries not staged"
  "$WORK/stage/bin/tasqd" --version >/dev/null || fail "the stripped tasqd does not run"
  note "runtime packages: $(tr '\n' ' ' <"$WORK/stage/runtime-packages")"

  # The image's command, through its entry point, with this tree's binaries
  # and config in place of /usr/local/bin and /etc/tasq.
  mkdir -p "$WORK/bin"
  ln -s "$tasqd" "$WORK/bin/tasqd"
  ln -s "$tasqctl" "$WORK/bin/tasqctl"
  cp "$src/deploy/docker/entrypoint.sh" "$WORK/bin/docker-entrypoint.sh"
  [ "$(dockerfile_array ENTRYPOINT)" = docker-entrypoint.sh ] || fail "ENTRYPOINT is not the entry point"
  local cmd=()
  mapfile -t cmd < <(dockerfile_array CMD | sed "s|^/etc/tasq/tasqd.conf$|$conf|")
  [ "${cmd[0]}" = tasqd ] || fail "CMD does not start with tasqd: ${cmd[*]}"
  local image_path="$WORK/bin:$PATH"
  # Its admin port is not loopback: without a token tasqd must refuse.
  expect_one_line_error "the image's CMD without a token" \
    '^tasqd: admin: 0\.0\.0\.0:6381 is not a loopback address; set admin_token' \
    env -u TASQ_ADMIN_TOKEN PATH="$image_path" docker-entrypoint.sh "${cmd[@]}" --test-config
  PATH="$image_path" TASQ_ADMIN_TOKEN=s3cret docker-entrypoint.sh "${cmd[@]}" --test-config \
    >/dev/null || fail "the image's CMD with TASQ_ADMIN_TOKEN fails --test-config"
  echo s3cret >"$WORK/token"
  PATH="$image_path" TASQ_ADMIN_TOKEN_FILE="$WORK/token" docker-entrypoint.sh "${cmd[@]}" \
    --test-config >/dev/null || fail "the image's CMD with TASQ_ADMIN_TOKEN_FILE fails --test-config"
  # A broken config mounted over the image's stops tasqd with one line, the
  # line `docker compose logs tasqd` shows.
  sed 's/^package_max_length 2m$/package_max_length 2x/' "$conf" >"$WORK/broken.conf"
  ! cmp -s "$conf" "$WORK/broken.conf" || fail "no package_max_length line to break"
  # (On loopback, should the config ever get past the check.)
  local broken_cmd=()
  mapfile -t broken_cmd < <(printf '%s\n' "${cmd[@]}" |
    sed -e "s|^$conf\$|$WORK/broken.conf|" -e 's|^0\.0\.0\.0:[0-9]*$|127.0.0.1:0|')
  [[ "${broken_cmd[*]}" == *"$WORK/broken.conf"* && "${broken_cmd[*]}" != *0.0.0.0* ]] ||
    fail "cannot point the image's CMD at the broken config: ${broken_cmd[*]}"
  expect_one_line_error "the image's CMD with a broken config" '^tasqd: .*package_max_length' \
    env PATH="$image_path" TASQ_ADMIN_TOKEN=s3cret docker-entrypoint.sh "${broken_cmd[@]}"
  grep -q 'EXPOSE 6380/tcp 6381/udp' "$src/Dockerfile" || fail "the Dockerfile does not EXPOSE 6380/tcp 6381/udp"
  grep -qE '^USER [1-9]' "$src/Dockerfile" || fail "the image does not run as a non-root user"

  # A live tasqd started by the entry point (on loopback here), and the
  # HEALTHCHECK command against it.
  start_tasqd entrypoint env PATH="$image_path" TASQ_ADMIN_TOKEN_FILE="$WORK/token" \
    docker-entrypoint.sh tasqd "$conf" --admin 127.0.0.1:0 --task_worker_num 1
  local admin
  admin=$(admin_port_of entrypoint)
  [ -n "$admin" ] || fail "tasqd did not log its admin port"
  local health=()
  mapfile -t health < <(sed -n 's/^ *CMD \[/[/p' "$src/Dockerfile" | grep healthcheck |
    "$PYTHON" -c 'import json, sys; print("\n".join(json.loads(sys.stdin.read())))')
  [ "${health[1]:-}" = healthcheck ] || fail "HEALTHCHECK is not the entry point's healthcheck"
  PATH="$image_path" TASQ_ADMIN="127.0.0.1:$admin" TASQ_ADMIN_TOKEN_FILE="$WORK/token" \
    "${health[@]}" || fail "the healthcheck fails against a live tasqd"
  local status=0
  PATH="$image_path" TASQ_ADMIN="127.0.0.1:$admin" TASQ_ADMIN_TOKEN=wrong "${health[@]}" || status=$?
  [ "$status" -eq 1 ] || fail "the healthcheck with a wrong token exited $status, not 1"
  note "entry point, token and healthcheck behave as the image needs"
}

check_web_producer() {
  require_tool php
  php -r 'exit(class_exists("Redis") ? 0 : 1);' || require_tool php-redis-extension
  [ -n "$PYTHON" ] || require_tool python3
  # /srv/app of the php-fpm image: the demo's index.php beside TasqClient.php.
  mkdir -p "$WORK/app"
  cp "$src/deploy/demo/index.php" "$src/clients/php/TasqClient.php" "$WORK/app/"
  # The compose demo's tasqd: its tasks run in the demo's PHP worker, which
  # finds the library where the image installs it, or here through
  # TASQ_PHP_LIBRARY.
  TASQ_PHP_LIBRARY="$src/clients/php/TasqWorker.php" start_tasqd web "$tasqd" --admin none \
    --task_worker_num 1 --handler "pipe:php $src/deploy/demo/worker.php"
  local tasq_port=$TASQD_PORT
  local web_port
  for _ in 1 2 3; do
    web_port=$(free_tcp_ports 1)
    # TASQ_WAIT: the demo's 2 s wait for the outcome is short for a loaded
    # machine; the page waits at most that long, and answers as soon as the task ends.
    start_bg "$WORK/php-server.log" env TASQ_HOST=127.0.0.1 TASQ_PORT="$tasq_port" \
      TASQ_QUEUE=web TASQ_WAIT=60 php -S "127.0.0.1:$web_port" "$WORK/app/index.php"
    local pid=$LAST_PID
    if (wait_for 30 "PHP's web server" "$PYTHON" -c 'import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$web_port") 2>/dev/null; then
      break
    fi
    stop_group "$pid"
    web_port=""
  done
  [ -n "$web_port" ] || fail "PHP's web server did not start: $(cat "$WORK/php-server.log")"
  get() {
    "$PYTHON" -c 'import sys, urllib.request, urllib.error
try:
    r = urllib.request.urlopen(sys.argv[1], timeout=90)
    print(r.status, r.read().decode().strip())
except urllib.error.HTTPError as e:
    print(e.code, e.read().decode().strip())' "http://127.0.0.1:$web_port/$1"
  }
  local i reply ids=()
  for i in 1 2 3; do
    reply=$(get "order/$i")
    # The PHP worker's result: JSON naming the URI it handled (slashes escaped).
    [[ "$reply" =~ ^200\ queued\ task\ ([0-9]+)$'\n'completed\ in\ [0-9]+\ ms:\ \{.*order\\/$i.*\}$ ]] ||
      fail "request $i answered '$reply'"
    ids+=("${BASH_REMATCH[1]}")
  done
  [ "${ids[0]}" -lt "${ids[1]}" ] && [ "${ids[1]}" -lt "${ids[2]}" ] ||
    fail "task ids ${ids[*]} are not increasing"
  [ "$(info_field "$tasq_port" tasks_enqueued)" = 3 ] || fail "tasqd did not get 3 tasks"
  wait_for 60 "the PHP worker to run 3 tasks" \
    bash -c '[ "$(grep -c "stdout: task [0-9]*: request /order/" "$1")" = 3 ]' _ "$WORK/web.log"
  [ "$(info_field "$tasq_port" tasks_completed)" = 3 ] || fail "tasqd did not complete 3 tasks"
  # tasqd gone: the page says so instead of pretending.
  stop_group "$TASQD_PID"
  reply=$(get "order/4")
  [[ "$reply" == "503 "* ]] || fail "with tasqd down the page answered '$reply'"
  note "three requests, three tasks run by the PHP worker and their results (ids ${ids[*]}); with tasqd down, 503"
}

RECORD_PLUGIN=${RECORD_PLUGIN:-}
case "$check" in
  sample_config | broken_config | systemd_unit | unit_privileges | private_tree | compose | \
    container | web_producer)
    "check_$check" ;;
  *) fail "unknown check '$check'" ;;
esac
