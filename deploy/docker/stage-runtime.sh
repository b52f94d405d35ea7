#!/bin/sh
# Build stage helper: puts what the runtime image needs in OUT_DIR --
#   OUT_DIR/bin/                   the given executables, stripped
#   OUT_DIR/runtime-packages       the Debian packages that hold their shared
#                                  libraries, one per line
# The runtime stage installs those packages with apt-get instead of copying
# .so files, so that the libraries keep their package (security updates,
# licences) and nothing but them comes along.
#
#   sh deploy/docker/stage-runtime.sh OUT_DIR EXECUTABLE...
set -eu
if [ $# -lt 2 ]; then
  echo "usage: $0 OUT_DIR EXECUTABLE..." >&2
  exit 2
fi
out=$1
shift
mkdir -p "$out/bin"

# The packages that own the libraries, in one dpkg-query call (it is slow).
# dpkg records a file under the path its package shipped it at, which on a
# merged-/usr system may be the /lib or the /usr/lib spelling of the path
# ldd prints: ask for every spelling, and require one answer per library.
libs=$(for exe in "$@"; do
  # `name => /path (0x...)` lines; the vDSO and the loader have no `=> /path`.
  ldd "$exe" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }'
done | sort -u)
spellings() {
  for path in "$1" "$(readlink -f "$1")"; do
    printf '%s\n' "$path" "/usr$path" "${path#/usr}"
  done | sort -u
}
owners=$(for lib in $libs; do spellings "$lib"; done | xargs -r dpkg-query -S 2>/dev/null) || true
packages=""
for lib in $libs; do
  found=""
  for spelling in $(spellings "$lib"); do
    found=$(printf '%s\n' "$owners" | awk -v path="$spelling" '$1 != "diversion" && $NF == path { sub(/:.*/, "", $1); print $1; exit }')
    [ -n "$found" ] && break
  done
  if [ -z "$found" ]; then
    echo "stage-runtime.sh: no Debian package holds $lib" >&2
    exit 1
  fi
  packages="$packages$found
"
done
for exe in "$@"; do
  cp "$exe" "$out/bin/"
  strip --strip-unneeded "$out/bin/$(basename "$exe")"
done
# Not a library but read at run time: cron lines fire in the local time of
# TZ, which needs the zone files.
packages="${packages}tzdata
"
printf '%s' "$packages" | sort -u >"$out/runtime-packages"
