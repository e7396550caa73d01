#!/usr/bin/env bash
# Makes sure the system tools the test suites drive are present:
#   - rclone   (independent pCloud client, packages/emulator/test/independent-rclone.test.ts)
#   - chromium (browser tests)
#   - zip, unzip (archives read and written by another implementation than the emulator's,
#     packages/emulator/test/archiving.test.ts and packages/methods-archiving)
# Installs only what is missing, through apt, and only when apt is usable.
# Idempotent and quiet: a second run does nothing and prints one line.
set -euo pipefail

missing=()
command -v rclone >/dev/null 2>&1 || missing+=(rclone)
command -v zip >/dev/null 2>&1 || missing+=(zip)
command -v unzip >/dev/null 2>&1 || missing+=(unzip)
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
  missing+=(chromium)
fi

if [ "${#missing[@]}" -eq 0 ]; then
  echo "ensure-system-deps: rclone, chromium, zip and unzip already present"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-system-deps: apt-get unavailable; missing: ${missing[*]} (tests that need them will be skipped)"
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
    sudo_cmd=(sudo -n)
  else
    echo "ensure-system-deps: not root and no passwordless sudo; missing: ${missing[*]} (tests that need them will be skipped)"
    exit 0
  fi
fi

echo "ensure-system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! { "${sudo_cmd[@]}" apt-get update -qq >/dev/null \
  && "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null; }; then
  echo "ensure-system-deps: apt-get failed; missing: ${missing[*]} (tests that need them will be skipped)"
  exit 0
fi
echo "ensure-system-deps: done"
