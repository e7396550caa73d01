#!/usr/bin/env bash
# Starts the pcloudkit playground with an embedded emulator (demo account
# logged in). This is what `pnpm start` runs; on a fresh clone use the
# README's first command, which installs first:
#
#   npx -y pnpm@10.34.8 install && npx -y pnpm@10.34.8 start
#
# Options go to the server: `pnpm start --port 8080`, `--host 0.0.0.0`,
# `--no-emulator`, `--help`. Environment: PORT (default 4310), HOST (default
# 127.0.0.1).
set -euo pipefail
cd "$(dirname "$0")/.."

# The pnpm that runs this script, else one on PATH, else a pinned one through npx.
if [[ -n "${npm_execpath:-}" && "${npm_execpath}" == *pnpm* ]]; then
  PNPM=(node "$npm_execpath")
elif command -v pnpm >/dev/null 2>&1; then
  PNPM=(pnpm)
else
  PNPM=(npx -y pnpm@10.34.8)
fi

if [[ ! -d node_modules/.pnpm || ! -e apps/playground/node_modules/@pcloudkit/core ]]; then
  echo "Installing dependencies…"
  "${PNPM[@]}" install
fi

echo "Building the playground and the packages it uses…"
"${PNPM[@]}" exec turbo run build --filter '@pcloudkit/playground...' --output-logs=errors-only

exec node apps/playground/dist/server/main.js "$@"
