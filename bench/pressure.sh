# shellcheck shell=bash
# CPU pressure over a run, from the kernel's PSI: the share of the time some
# runnable task waited for a CPU, which says how busy the machine was while
# the figures were taken. Sourced by run.sh and journal.sh.

# cpu_wait_us: microseconds, since boot, during which some runnable task
# waited for a CPU; empty without PSI.
cpu_wait_us() { sed -n 's/^some .*total=\([0-9]*\)/\1/p' /proc/pressure/cpu 2>/dev/null || true; }

# cpu_pressure_since WAIT_US START -> the percentage (a whole number) of the
# time since START (`date +%s.%N`) that some task waited for a CPU, WAIT_US
# being cpu_wait_us at START; nothing when PSI is missing.
cpu_pressure_since() {
  local wait_now
  wait_now=$(cpu_wait_us)
  [ -n "$1" ] && [ -n "$wait_now" ] || return 0
  awk -v a="$1" -v b="$wait_now" -v t0="$2" -v t1="$(date +%s.%N)" \
    'BEGIN {if (t1 > t0) printf "%.0f", (b - a) / 10000 / (t1 - t0)}'
}
