import type { Transport, TransportRequest, TransportResponse } from '../src/index.js';

/**
 * An in-memory transport for unit tests of the client pipeline: it records
 * every request and answers through the given function.
 */
export function recordingTransport(answer: (req: TransportRequest, n: number) => TransportResponse['result'] | Promise<TransportResponse['result']> | Error) {
  const requests: TransportRequest[] = [];
  const transport: Transport & { requests: TransportRequest[] } = {
    name: 'memory',
    hostKind: 'api',
    requests,
    async call(req) {
      requests.push(structuredClone({ ...req, signal: undefined, definition: undefined }) as TransportRequest);
      const out = await answer(req, requests.length);
      if (out instanceof Error) throw out;
      return { result: out, host: req.host };
    },
    async close() {},
  };
  return transport;
}
