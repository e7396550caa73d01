/**
 * core's public in-memory transport, answered by the emulator's dispatcher
 * in the same process: no socket, no HTTP, but every call still runs through
 * the emulator's real method table. The quickest way to test a plugin
 * against real pCloud behaviour.
 */
import { Readable } from 'node:stream';
import { memoryTransport, type MemoryTransport, type TransportRequest } from '@pcloudkit/core';
import type { Emulator, UploadPart } from '@pcloudkit/emulator';

async function bytesOf(data: NonNullable<TransportRequest['files']>[number]['data']): Promise<Uint8Array> {
  if (data instanceof Uint8Array) return data;
  if (data instanceof Blob) return new Uint8Array(await data.arrayBuffer());
  throw new TypeError('emulatorMemoryTransport: this test bridge takes bytes or Blobs as upload data');
}

/** A transport that hands every request to `emulator.dispatch`, on one connection state. */
export function emulatorMemoryTransport(emulator: Emulator): MemoryTransport {
  const connection = emulator.newConnection({ transport: 'memory' });
  return memoryTransport({
    name: 'emulator-memory',
    async answer(request) {
      const parts: UploadPart[] = [];
      for (const file of request.files ?? []) {
        const bytes = await bytesOf(file.data);
        parts.push({ filename: file.name, stream: Readable.from([Buffer.from(bytes)]), size: bytes.byteLength });
      }
      const result = await emulator.dispatch(connection, {
        method: request.method,
        params: request.params,
        ...(parts.length
          ? {
              files: (async function* () {
                yield* parts;
              })(),
            }
          : {}),
        transport: request.bearer ? { bearer: request.bearer } : {},
      });
      if (result.data) return Readable.toWeb(result.data.stream) as ReadableStream<Uint8Array>;
      return result.body as Record<string, unknown>;
    },
  });
}
