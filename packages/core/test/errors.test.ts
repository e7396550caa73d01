import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import {
  AbortError,
  ApiError,
  PcloudError,
  ProtocolError,
  TimeoutError,
  TransportError,
  ValidationError,
  errorClassOf,
  isRetryableCode,
} from '../src/index.js';

describe('errors', () => {
  it('classifies result codes as structures.md section 5 does', () => {
    expect([1000, 1900, 2009, 3000, 4000, 5000, 6000, 7001, 9999].map(errorClassOf)).toEqual([
      'bad-request',
      'timing',
      'state',
      'permanent',
      'rate-limit',
      'server',
      'not-modified',
      'condition',
      'unknown',
    ]);
    expect([1000, 1900, 2009, 4000, 5002].map(isRetryableCode)).toEqual([false, true, false, true, true]);
  });

  it('ApiError carries code, server message, method, class and retryability', () => {
    const e = new ApiError({ result: 2009, message: 'File not found.', method: 'stat' });
    expect(e).toBeInstanceOf(PcloudError);
    expect(e).toBeInstanceOf(ApiError);
    expect(e).not.toBeInstanceOf(TransportError);
    expect(e.message).toBe('stat: 2009 File not found.');
    expect([e.result, e.serverMessage, e.method, e.errorClass, e.retryable, e.code]).toEqual([
      2009,
      'File not found.',
      'stat',
      'state',
      false,
      'PCLOUD_API_ERROR',
    ]);
  });

  it('instanceof works across duplicate copies of the classes (marked by registry symbols)', () => {
    // A second copy of core would define its own classes; simulate one by
    // re-creating an object marked the same way but from a foreign prototype.
    const foreign = Object.create(Error.prototype) as Error;
    Object.defineProperty(foreign, Symbol.for('pcloudkit.error'), { value: true });
    Object.defineProperty(foreign, Symbol.for('pcloudkit.TransportError'), { value: true });
    expect(foreign instanceof PcloudError).toBe(true);
    expect(foreign instanceof TransportError).toBe(true);
    expect(foreign instanceof ApiError).toBe(false);
    expect(new Error('x') instanceof PcloudError).toBe(false);
  });

  it('every error kind has its own code and flags', () => {
    const t = new TransportError('boom', { cause: new Error('ECONNREFUSED'), host: 'h', network: true });
    expect([t.code, t.retryable, t.network, t.host, (t.cause as Error).message]).toEqual([
      'PCLOUD_TRANSPORT_ERROR',
      true,
      true,
      'h',
      'ECONNREFUSED',
    ]);
    expect(new TimeoutError(50).code).toBe('PCLOUD_TIMEOUT');
    expect(new AbortError().code).toBe('PCLOUD_ABORTED');
    expect(new ProtocolError('bad').code).toBe('PCLOUD_PROTOCOL_ERROR');
    const v = new ValidationError('stat', 'fileid', 'nope');
    expect([v.param, v.method, v instanceof ValidationError, v instanceof ApiError]).toEqual(['fileid', 'stat', true, false]);
  });

  it('keeps its class names in a minified browser bundle, where classes are renamed', async () => {
    // One of each class, made by the bundled copy of core; `name` and `toString()` are read from the bundle's objects.
    const entry = `
      import * as core from './src/index.ts';
      const made = {
        PcloudError: new core.PcloudError('x'),
        ApiError: new core.ApiError({ result: 2005, message: 'Directory does not exist.', method: 'listfolder' }),
        ValidationError: new core.ValidationError('stat', 'fileid', 'bad'),
        TransportError: new core.TransportError('x'),
        ProtocolError: new core.ProtocolError('x'),
        AnswerTooLargeError: new core.AnswerTooLargeError('listfolder', 10),
        AbortError: new core.AbortError(),
        TimeoutError: new core.TimeoutError(5),
        IntegrityError: new core.IntegrityError('x', { algorithm: 'sha1', local: 'a', remote: 'b' }),
      };
      export const names = Object.fromEntries(Object.entries(made).map(([k, e]) => [k, e.name]));
      export const text = String(made.ApiError);
      export const classNames = Object.values(made).map((e) => e.constructor.name);
    `;
    const out = await build({
      stdin: { contents: entry, resolveDir: join(import.meta.dirname, '..'), loader: 'ts' },
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      minify: true,
      logLevel: 'error',
    });
    const [file] = out.outputFiles;
    if (!file) throw new Error('esbuild wrote no bundle');
    const bundle = await import(`data:text/javascript;base64,${Buffer.from(file.text).toString('base64')}`);
    // the bundler did rename the classes, so a name taken from the class would be wrong
    expect(bundle.classNames).not.toContain('ApiError');
    expect(Object.entries(bundle.names).filter(([cls, name]) => cls !== name)).toEqual([]);
    expect(bundle.text).toBe('ApiError: listfolder: 2005 Directory does not exist.');
  });
});
