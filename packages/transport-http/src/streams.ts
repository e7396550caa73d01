import { TimeoutError } from './core.js';

/** A limit on how long one read may wait for the next chunk. */
export interface IdleLimit {
  /** Milliseconds; `Infinity` means no limit. */
  ms: number;
  /** The error the stream fails with when the limit runs out. */
  error: () => Error;
  /** Called then, to stop the source (e.g. destroy the socket's body). */
  stop: (error: Error) => void;
}

/**
 * The idle limit of a data answer's body: `TimeoutError` (phase `body`) after
 * `ms` without a byte, and the body destroyed. None when `ms` is absent.
 */
export function bodyIdleLimit(ms: number | undefined, what: string, body: { destroy(): unknown }): IdleLimit | undefined {
  if (ms === undefined) return undefined;
  return { ms, error: () => new TimeoutError(ms, { phase: 'body', method: what }), stop: () => body.destroy() };
}

/**
 * Wraps an async iterable of bytes (such as undici's response body) in a web
 * `ReadableStream`. Pulls one chunk at a time, so nothing is buffered ahead of
 * the reader; `mapError` turns read failures into the caller's error type;
 * `cancel` on the stream stops the source. With `idle`, a read that waits
 * longer than `idle.ms` for the next chunk fails with `idle.error()`; only
 * time spent waiting for the source counts, not time the reader takes.
 */
export function toWebStream(
  source: AsyncIterable<Uint8Array>,
  options: { mapError?: (error: unknown) => unknown; onChunk?: (chunk: Uint8Array) => void; onEnd?: () => void; idle?: IdleLimit } = {},
): ReadableStream<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]();
  const reads = idleReads(options.idle);
  let finished = false;
  const finish = () => {
    if (!finished) {
      finished = true;
      reads.clear();
      options.onEnd?.();
    }
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          for (;;) {
            const next = await reads.next(iterator);
            if (next.done) {
              finish();
              controller.close();
              return;
            }
            const chunk = next.value;
            if (chunk.byteLength === 0) continue;
            options.onChunk?.(chunk);
            controller.enqueue(chunk);
            return;
          }
        } catch (error) {
          finish();
          controller.error(reads.stalled() ?? (options.mapError ? options.mapError(error) : error));
        }
      },
      async cancel() {
        finish();
        await iterator.return?.();
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * Reads of a source under an {@link IdleLimit}: `next(iterator)` reads one
 * chunk with the limit running, so only time spent waiting for the source
 * counts. One timer, restarted before each read, serves every read; when it
 * runs out during a read it stops the source (`idle.stop`), the read fails,
 * and `stalled()` gives the limit's error. Without a limit (or
 * one beyond setTimeout's range) reads are passed through.
 */
export function idleReads(idle: IdleLimit | undefined): {
  next(iterator: AsyncIterator<Uint8Array>): Promise<IteratorResult<Uint8Array>>;
  stalled(): Error | undefined;
  clear(): void;
} {
  let waiting = false;
  let stalled: Error | undefined;
  const timer =
    idle && idle.ms <= 2 ** 31 - 1
      ? setTimeout(() => {
          if (!waiting) return;
          stalled = idle.error();
          idle.stop(stalled);
        }, idle.ms)
      : undefined;
  return {
    async next(iterator) {
      waiting = true;
      timer?.refresh();
      try {
        const result = await iterator.next();
        // a source that ends quietly when stopped must not pass for a complete one
        if (stalled) throw stalled;
        return result;
      } finally {
        waiting = false;
      }
    },
    stalled: () => stalled,
    clear: () => clearTimeout(timer),
  };
}

/** Skips `skip` bytes, then passes on at most `limit` bytes (for servers that ignore Range). */
export async function* sliceStream(source: AsyncIterable<Uint8Array>, skip: number, limit: number | undefined): AsyncGenerator<Uint8Array> {
  let toSkip = skip;
  let left = limit ?? Infinity;
  for await (const chunk of source) {
    let piece = chunk;
    if (toSkip > 0) {
      if (piece.byteLength <= toSkip) {
        toSkip -= piece.byteLength;
        continue;
      }
      piece = piece.subarray(toSkip);
      toSkip = 0;
    }
    if (piece.byteLength > left) piece = piece.subarray(0, left);
    left -= piece.byteLength;
    if (piece.byteLength) yield piece;
    if (left <= 0) return;
  }
}
