#!/usr/bin/env bash
# Runs a command as on a machine with only Node and npm, as far as browsers go: in a private mount
# namespace where Debian's Chromium, the NSS libraries it needs and the system fonts are hidden
# (bind mounts over them, seen by this command only; nothing is removed). Needs root (unshare -m).
# Usage: scripts/without-system-browser.sh npm test
set -euo pipefail

if [ "${1:-}" = "--inside" ]; then
  shift
  mount --make-rprivate /
  empty=$(mktemp -d)
  for path in /usr/bin/chromium /usr/bin/chromium-browser /usr/bin/google-chrome /usr/lib/x86_64-linux-gnu/libnss3.so \
    /usr/lib/x86_64-linux-gnu/libnspr4.so /usr/lib/x86_64-linux-gnu/libnssutil3.so /usr/lib/x86_64-linux-gnu/libplc4.so \
    /usr/lib/x86_64-linux-gnu/libplds4.so; do
    if [ -f "$path" ]; then mount --bind /dev/null "$path"; fi
  done
  for dir in /usr/lib/chromium /usr/share/fonts /usr/local/share/fonts; do
    if [ -d "$dir" ]; then mount --bind "$empty" "$dir"; fi
  done
  if command -v chromium >/dev/null && chromium --version >/dev/null 2>&1; then
    echo "without-system-browser: chromium still runs" >&2
    exit 1
  fi
  echo "without-system-browser: system Chromium, NSS libraries and fonts hidden" >&2
  exec "$@"
fi

exec unshare -m "$0" --inside "$@"
