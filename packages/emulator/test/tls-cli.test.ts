import { spawn } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { describe, expect, it } from 'vitest';
import { selfSignedCertificate, startEmulator } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));

describe('TLS', () => {
  it('generates a valid self-signed certificate for 127.0.0.1 and localhost', async () => {
    const { cert, key } = await selfSignedCertificate();
    const x = new X509Certificate(cert);
    expect(x.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(x.checkIP('::1')).toBe('::1');
    expect(x.checkHost('localhost')).toBe('localhost');
    expect(x.checkHost('example.com')).toBeUndefined();
    expect(x.ca).toBe(false);
    expect(x.subject).toBe('CN=pcloudkit emulator');
    expect(x.verify(x.publicKey)).toBe(true);
    expect(x.checkPrivateKey(createPrivateKey(key))).toBe(true);
    expect(new Date(x.validFrom).getTime()).toBeLessThan(Date.now());
    expect(new Date(x.validTo).getTime()).toBeGreaterThan(Date.now() + 365 * 24 * 3600 * 1000);
    // a fresh key every time
    expect((await selfSignedCertificate()).key).not.toBe(key);
  });

  it('serves the API and the content servers over https', async () => {
    const emu = await startEmulator({ tls: true });
    const insecure = new Agent({ connect: { rejectUnauthorized: false } });
    try {
      expect(emu.api.startsWith('https://')).toBe(true);
      const info = (await (await request(`${emu.api}/userinfo?auth=${emu.auth}`, { dispatcher: insecure })).body.json()) as any;
      expect(info.email).toBe(emu.username);
      const link = (await (
        await request(`${emu.api}/getfilelink?auth=${emu.auth}&path=/Documents/readme.txt`, { dispatcher: insecure })
      ).body.json()) as any;
      const body = await (await request(`https://${link.hosts[0]}${link.path}`, { dispatcher: insecure })).body.text();
      expect(body.startsWith('Welcome')).toBe(true);
      // trusting the emulator's own certificate works too
      const trusting = new Agent({ connect: { ca: emu.certificate } });
      const r = await request(`${emu.api}/getapiserver`, { dispatcher: trusting });
      expect(r.statusCode).toBe(200);
      await r.body.dump();
      await trusting.close();
      await expect(request(`${emu.api}/getapiserver`)).rejects.toThrow();
    } finally {
      await insecure.close();
      await emu.stop();
    }
  });
});

describe('CLI', () => {
  it('prints one ready line of JSON and stops cleanly on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', join(here, '../src/cli.ts'), '--port', '0', '--no-seed'],
      {
        cwd: join(here, '..'),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const line = await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no ready line; stderr: ${err}`)), 20_000);
      child.stdout.on('data', (d) => {
        out += d;
        const nl = out.indexOf('\n');
        if (nl >= 0) {
          clearTimeout(t);
          resolve(out.slice(0, nl));
        }
      });
      child.on('exit', (code) => reject(new Error(`exited early with ${code}: ${err}`)));
    });
    const ready = JSON.parse(line);
    for (const k of ['api', 'username', 'password', 'auth', 'access_token', 'client_id', 'client_secret', 'contentHosts'])
      expect(ready).toHaveProperty(k);
    expect(ready.contentHosts.length).toBeGreaterThanOrEqual(2);
    const info = (await (await request(`${ready.api}/userinfo?auth=${ready.auth}`)).body.json()) as any;
    expect(info.email).toBe(ready.username);
    const listed = (await (await request(`${ready.api}/listfolder?folderid=0&access_token=${ready.access_token}`)).body.json()) as any;
    expect(listed.metadata.contents).toEqual([]);
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    await expect(request(`${ready.api}/getapiserver`)).rejects.toThrow();
    expect(out.trim().split('\n')).toHaveLength(1);
  });
});
