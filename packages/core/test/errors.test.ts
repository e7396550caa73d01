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
});
