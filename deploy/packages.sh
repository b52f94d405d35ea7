#!/bin/sh
# Prints the Debian packages of tasq.sh's PACKAGES list, one per line, so that
# the Dockerfile's build stage installs exactly what the README's set-up does
# without keeping a second copy of the list.
#
#   sh deploy/packages.sh [path/to/tasq.sh]
#
# Reads the `PACKAGES=(` ... `)` block as text (tasq.sh is bash, the build
# stage's /bin/sh is not). Exits 1 when the block is missing or empty.
set -eu
file=${1:-$(dirname "$0")/../tasq.sh}
list=$(sed -n '/^PACKAGES=(/,/^)/p' "$file" | sed -e 's/#.*//' -e 's/^PACKAGES=(//' -e 's/)$//' |
  tr -s ' \t' '\n' | sed '/^$/d')
if [ -z "$list" ]; then
  echo "packages.sh: no PACKAGES=( ... ) list in $file" >&2
  exit 1
fi
printf '%s\n' "$list"
