import { readFileSync } from 'node:fs';
import { methods } from '@pcloudkit/catalog';
import { startEmulator } from '@pcloudkit/emulator';
import { beforeAll, describe, expect, it } from 'vitest';
import { deviations } from '../src/deviations.js';
import { checkEmulator, emulatorTarget } from '../src/emulator.js';
import { formatReport, totalLine } from '../src/report.js';
import { binaryCall, httpCall, openSession, type Protocol } from '../src/protocol.js';
import { type RunReport, runConformance } from '../src/run.js';

describe('the emulator against the catalogue, over HTTP and the binary port', () => {
  let report: RunReport;
  beforeAll(async () => {
    report = await checkEmulator();
  }, 120_000);

  it('has no unexplained deviation and no stale deliberate one', () => {
    const listing = report.unexplained.map((d) => `${d.method} [${d.protocol}] ${d.check}: ${d.detail}`).join('\n');
    expect(report.unexplained, `unexplained deviations:\n${listing}`).toEqual([]);
    expect(report.stale).toEqual([]);
  });

  it('checks every implemented method (or says why it cannot)', () => {
    for (const r of report.methods) {
      if (r.status === 'not covered') expect(r.reason, `${r.method} has no fixture for ${r.missing?.join(', ')}`).toBeDefined();
      if (r.status === 'checked') expect(r.calls, r.method).toBeGreaterThan(0);
    }
    expect(report.methods.some((r) => r.status === 'checked')).toBe(true);
    // the descriptor methods run on a session; only the browser page is left out
    expect(report.methods.filter((r) => r.status === 'not covered').map((r) => r.method)).toEqual(['authorize']);
    expect(totalLine(report)).toMatch(new RegExp(`^${methods.length} methods, ${report.unexplained.length} deviations \\(`));
    expect(formatReport(report)).toContain('method');
  });
});

describe('the checker itself', () => {
  it('reports a server that answers with a wrong code', async () => {
    const emu = await startEmulator();
    try {
      emu.faults.failWith('userinfo', 2009);
      const report = await runConformance(emulatorTarget(emu), { methods: ['userinfo'] });
      expect(report.unexplained.map((d) => `${d.protocol} ${d.check}`)).toContain('http correct: result');
      expect(report.unexplained.map((d) => `${d.protocol} ${d.check}`)).toContain('binary correct: result');
    } finally {
      await emu.stop();
    }
  });

  it('keeps a descriptor across the calls of a session, on both protocols', async () => {
    const emu = await startEmulator();
    try {
      const target = emulatorTarget(emu);
      for (const protocol of ['http', 'binary'] as Protocol[]) {
        const session = openSession(target, protocol);
        try {
          const opened = await session.call('file_open', { auth: emu.auth, flags: 0x0042, path: `/session-${protocol}.txt` });
          expect(opened.kind === 'body' && opened.body.result, protocol).toBe(0);
          const fd = Number(opened.kind === 'body' ? opened.body.fd : -1);
          const payload = new TextEncoder().encode('twelve bytes');
          const wrote = await session.call('file_write', { auth: emu.auth, fd }, { payload });
          expect(wrote.kind === 'body' && wrote.body, protocol).toMatchObject({ result: 0, bytes: 12 });
          const read = await session.call('file_pread', { auth: emu.auth, fd, offset: 7, count: 5 });
          expect(read.kind === 'body' && new TextDecoder().decode(read.data), protocol).toBe('bytes');
          // the same descriptor on a connection of its own is unknown there
          const alone =
            protocol === 'http'
              ? await httpCall(target.api, 'file_size', { auth: emu.auth, fd })
              : await binaryCall(target.binapi, 'file_size', { auth: emu.auth, fd });
          expect(alone.kind === 'body' && alone.body.result, protocol).toBe(1007);
          const size = await session.call('file_size', { auth: emu.auth, fd });
          expect(size.kind === 'body' && size.body, protocol).toMatchObject({ result: 0, size: 12 });
        } finally {
          await session.close();
        }
      }
    } finally {
      await emu.stop();
    }
  });

  it('reports a descriptor method that answers wrongly on its session', async () => {
    const emu = await startEmulator();
    try {
      emu.faults.failWith('file_size', 1007);
      const report = await runConformance(emulatorTarget(emu), { methods: ['file_size'] });
      expect(report.methods[0]!.status).toBe('checked');
      const found = report.unexplained.map((d) => `${d.protocol} ${d.check}`);
      expect(found).toContain('http correct: result');
      expect(found).toContain('binary correct: result');
    } finally {
      await emu.stop();
    }
  });

  it('reports a deliberate-deviation entry that matches nothing as stale', async () => {
    const emu = await startEmulator();
    try {
      const entry = { method: 'getip', check: 'correct: result', reason: 'test' };
      const report = await runConformance(emulatorTarget(emu), { methods: ['getip'], deviations: [entry] });
      expect(report.stale).toEqual([entry]);
    } finally {
      await emu.stop();
    }
  });
});

describe('the emulator README', () => {
  it('lists exactly the deliberate deviations', () => {
    const readme = readFileSync(new URL('../../emulator/README.md', import.meta.url), 'utf8');
    const section = /^## Deviations from pCloud\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(readme)?.[1];
    expect(section, 'the emulator README has a "## Deviations from pCloud" section').toBeDefined();
    const rows = section!
      .split('\n')
      .filter((l) => /^\| `/.test(l))
      .map((l) =>
        l
          .split('|')
          .map((c) => c.trim())
          .slice(1, 4),
      );
    const listed = rows.map(([method, check, reason]) => ({
      method: method!.replace(/`/g, ''),
      check: check!.replace(/`/g, ''),
      reason: reason!,
    }));
    expect(listed).toEqual(deviations.map((d) => ({ method: d.method, check: d.check, reason: d.reason })));
  });
});
