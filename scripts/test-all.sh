#!/usr/bin/env bash
# Runs every check and every test of the repository, then prints one closing
# line "N passed, N failed[, N skipped]" counted from vitest's JSON report.
# Works on a fresh clone: installs system packages it needs (rclone, chromium)
# when they are missing, builds all packages, then tests.
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
report=test-results/vitest.json
rm -f "$report"
$PNPM vitest run --reporter=default --reporter=json --outputFile.json="$report"
vitest_status=$?
[ "$vitest_status" -eq 0 ] || status=1

summary=$(node -e '
const fs = require("fs");
let r;
try { r = JSON.parse(fs.readFileSync(process.argv[1], "utf8")); } catch { console.log("0 passed, 1 failed"); process.exit(0); }
const skipped = (r.numPendingTests || 0) + (r.numTodoTests || 0);
let failed = (r.numFailedTests || 0) + (r.numRuntimeErrorTestSuites || 0) + (r.numFailedTestSuites && !r.numFailedTests ? r.numFailedTestSuites : 0);
// vitest exits non-zero on unhandled errors that no test owns: count one.
if (failed === 0 && process.argv[2] !== "0") failed = 1;
console.log(`${r.numPassedTests || 0} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
' "$report" "$vitest_status")
case "$summary" in
  "0 passed,"*) status=1 ;;
  *", 0 failed"*) ;;
  *) status=1 ;;
esac
echo "$summary"
exit $status
