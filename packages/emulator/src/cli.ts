#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { type EmulatorOptions, mailLogLine, parseUserArg, startEmulator } from './index.js';

const HELP = `Usage: pcloudkit-emulator [options]

Starts a local pCloud-compatible API server with content servers.

Options:
  --port N        API server port (default 0: any free port)
  --host ADDR     interface to listen on (default 127.0.0.1)
  --data DIR      persist accounts and files under DIR (default: in memory);
                  one emulator at a time per DIR
  --history-limit N  diff events kept per user (default 10000)
  --trash-days N  days deleted items stay restorable before their files are
                  removed (default 15; 0 = at once)
  --tls           serve HTTPS with a self-signed certificate
  --seed          create demo folders and files (default)
  --no-seed       start with an empty demo account
  --user MAIL:PASSWORD
                  one more account beside the demo user (repeatable)
  --mail-log      print every mail the emulator sends (verification, reset,
                  e-mail change, ...) on stdout, one JSON line {"mail":{...}}
                  each, code and link included
  --header-timeout MS  a request head must be complete within MS (default 60000)
  --body-timeout MS    a request body may go MS without a byte (default 60000;
                       the upload as a whole may take as long as it needs)
  --idle-timeout MS    an HTTP keep-alive connection waits MS for its next
                       request (default 60000)
  --binary-idle-timeout MS
                       a binary connection with no call in progress stays
                       MS (default 600000); 0 turns a time limit off
  --max-connections-per-address N
                       open connections one client address may hold on each
                       port (default 256; 0 = no cap)
  --allow-private-downloads
                       let downloadfile fetch from loopback, private and
                       link-local addresses (default: refused)
  -h, --help      show this help

When ready, one line of JSON with the API URL and credentials is printed on
stdout. The outbox can also be read at <api>/_emulator/mail (see README). SIGINT/SIGTERM stop the emulator cleanly.
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      data: { type: 'string' },
      'history-limit': { type: 'string' },
      'trash-days': { type: 'string' },
      tls: { type: 'boolean' },
      seed: { type: 'boolean' },
      'no-seed': { type: 'boolean' },
      user: { type: 'string', multiple: true },
      'mail-log': { type: 'boolean' },
      'header-timeout': { type: 'string' },
      'body-timeout': { type: 'string' },
      'idle-timeout': { type: 'string' },
      'binary-idle-timeout': { type: 'string' },
      'max-connections-per-address': { type: 'string' },
      'allow-private-downloads': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const opts: EmulatorOptions = {};
  if (values.port !== undefined) {
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid --port ${values.port}`);
    opts.port = port;
  }
  if (values.host !== undefined) opts.host = values.host;
  if (values.data !== undefined) opts.dataDir = values.data;
  if (values['history-limit'] !== undefined) {
    const n = Number(values['history-limit']);
    if (!Number.isInteger(n) || n < 1) throw new Error(`invalid --history-limit ${values['history-limit']}`);
    opts.historyLimit = n;
  }
  if (values['trash-days'] !== undefined) {
    const n = Number(values['trash-days']);
    if (!Number.isFinite(n) || n < 0) throw new Error(`invalid --trash-days ${values['trash-days']}`);
    opts.trashRetentionDays = n;
  }
  const count = (flag: string, text: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0) throw new Error(`invalid --${flag} ${text}`);
    return n;
  };
  const timeouts: NonNullable<EmulatorOptions['timeouts']> = {};
  for (const [flag, key] of [
    ['header-timeout', 'header'],
    ['body-timeout', 'body'],
    ['idle-timeout', 'idle'],
    ['binary-idle-timeout', 'binaryIdle'],
  ] as const) {
    const text = values[flag];
    if (text !== undefined) timeouts[key] = count(flag, text);
  }
  if (Object.keys(timeouts).length > 0) opts.timeouts = timeouts;
  if (values['max-connections-per-address'] !== undefined) {
    opts.maxConnectionsPerAddress = count('max-connections-per-address', values['max-connections-per-address']);
  }
  if (values.tls) opts.tls = true;
  if (values['allow-private-downloads']) opts.allowPrivateDownloads = true;
  opts.seed = values['no-seed'] ? false : true;
  if (values.user) opts.users = values.user.map(parseUserArg);

  const emu = await startEmulator(opts);
  const ready = {
    api: emu.api,
    apiHost: emu.apiHost,
    contentHosts: emu.contentHosts,
    username: emu.username,
    password: emu.password,
    auth: emu.auth,
    access_token: emu.access_token,
    client_id: emu.client_id,
    client_secret: emu.client_secret,
    binapi: emu.binary ? `${emu.binary.host}:${emu.binary.port}` : null,
    tls: emu.certificate !== undefined,
    dataDir: opts.dataDir ?? null,
    users: (opts.users ?? []).map((u) => u.email),
    mail: `${emu.api}/_emulator/mail`,
    pid: process.pid,
  };
  process.stdout.write(JSON.stringify(ready) + '\n');
  if (values['mail-log']) emu.mail.onMail((m) => process.stdout.write(mailLogLine(m)));

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    emu.stop().then(
      () => {
        process.stderr.write(`pcloudkit-emulator: stopped (${signal})\n`);
        process.exit(0);
      },
      (err: unknown) => {
        process.stderr.write(`pcloudkit-emulator: error while stopping: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`pcloudkit-emulator: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
