/**
 * `pnpm conformance`: checks every catalogue method against an in-process
 * emulator, or against another server with `--api URL --binapi host:port
 * --token T [--username U --password P]`. `--method NAME` (repeatable)
 * limits the run. Prints the table and the total; exits 1 on any
 * unexplained deviation.
 */
import { parseArgs } from 'node:util';
import { checkEmulator } from './emulator.js';
import { formatReport } from './report.js';
import type { Answer } from './protocol.js';
import { type RunOptions, type RunReport, runConformance } from './run.js';

// `pnpm conformance -- --method x` hands the `--` on; it is not an end of options here.
const args = process.argv.slice(2).filter((a, i) => !(i === 0 && a === '--'));
const { values } = parseArgs({
  args,
  options: {
    api: { type: 'string' },
    binapi: { type: 'string' },
    'binapi-tls': { type: 'boolean' },
    token: { type: 'string' },
    username: { type: 'string' },
    password: { type: 'string' },
    method: { type: 'string', multiple: true },
    verbose: { type: 'boolean', short: 'v' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help) {
  console.log(
    'usage: pnpm conformance [--verbose] [--method NAME]... [--api URL [--binapi HOST:PORT [--binapi-tls]] --token T [--username U --password P]]',
  );
  process.exit(0);
}

// No top-level await: the emulator runs in this process, and a module graph
// still evaluating would hold up its lazily imported parts.
async function main(): Promise<void> {
  const options: RunOptions = {
    ...(values.method ? { methods: values.method } : {}),
    ...(values.verbose
      ? {
          onCall: (method: string, label: string, protocol: string, answer: Answer) =>
            console.log(
              `${method} [${protocol}] ${label}: ${answer.kind === 'dropped' ? `dropped (${answer.reason})` : `${String(answer.body.result)} ${String(answer.body.error ?? '')}`}`,
            ),
        }
      : {}),
  };
  let report: RunReport;
  if (values.api) {
    if (!values.token) {
      console.error('--api needs --token (an auth token of the account to use)');
      process.exit(2);
    }
    report = await runConformance(
      {
        api: values.api,
        binapi: values.binapi ?? '',
        ...(values['binapi-tls'] ? { binapiTls: true } : {}),
        auth: values.token,
        ...(values.username !== undefined ? { username: values.username } : {}),
        ...(values.password !== undefined ? { password: values.password } : {}),
      },
      options,
    );
  } else {
    report = await checkEmulator(options);
  }
  console.log(formatReport(report));
  process.exit(report.unexplained.length > 0 || report.stale.length > 0 ? 1 : 0);
}

void main();
