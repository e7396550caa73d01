/** Options of {@link guardStream}. */
export interface GuardOptions {
  /** Turns a read failure into the caller's error type. */
  mapError: (error: unknown) => unknown;
  /** Longest wait in ms for the next chunk, and the error to fail with then. */
  idle?: { ms: number; error: () => Error };
  /** Bytes already read from the source (by a sniff), delivered first. */
  head?: Uint8Array[];
  onChunk?: (chunk: Uint8Array) => void;
  /** Called once when the stream ends, fails or is cancelled. */
  onEnd?: () => void;
}

/**
 * Re-wraps a fetch body: one chunk pulled per read (nothing buffered ahead),
 * read failures mapped, and with `idle` a read that waits too long for the
 * next chunk fails and cancels the source. Only time spent waiting for the
 * network counts, not time the reader takes between reads.
 */
export function guardStream(reader: ReadableStreamDefaultReader<Uint8Array>, options: GuardOptions): ReadableStream<Uint8Array> {
  const head = [...(options.head ?? [])];
  let ended = false;
  const end = () => {
    if (!ended) {
      ended = true;
      options.onEnd?.();
    }
  };
  const next = (): Promise<ReadableStreamReadResult<Uint8Array>> => {
    const read = reader.read();
    const idle = options.idle;
    if (!idle || !(idle.ms <= 2 ** 31 - 1)) return read;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const error = idle.error();
        reject({ idle: error });
        reader.cancel(error).catch(() => {});
      }, idle.ms);
      read.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const first = head.shift();
        if (first) {
          options.onChunk?.(first);
          controller.enqueue(first);
          return;
        }
        try {
          for (;;) {
            const result = await next();
            if (result.done) {
              end();
              controller.close();
              return;
            }
            if (result.value.byteLength === 0) continue;
            options.onChunk?.(result.value);
            controller.enqueue(result.value);
            return;
          }
        } catch (error) {
          end();
          const idle = (error as { idle?: Error } | null)?.idle;
          controller.error(idle ?? options.mapError(error));
        }
      },
      async cancel(reason) {
        end();
        await reader.cancel(reason).catch(() => {});
      },
    },
    { highWaterMark: 0 },
  );
}

/** Skips `skip` bytes, then passes on at most `limit` bytes (for servers that ignore Range). */
export function sliceStream(source: ReadableStream<Uint8Array>, skip: number, limit: number | undefined): ReadableStream<Uint8Array> {
  let toSkip = skip;
  let left = limit ?? Number.POSITIVE_INFINITY;
  return source.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        let piece = chunk;
        if (toSkip > 0) {
          if (piece.byteLength <= toSkip) {
            toSkip -= piece.byteLength;
            return;
          }
          piece = piece.subarray(toSkip);
          toSkip = 0;
        }
        if (piece.byteLength > left) piece = piece.subarray(0, left);
        left -= piece.byteLength;
        if (piece.byteLength) controller.enqueue(piece);
        if (left <= 0) controller.terminate();
      },
    }),
  );
}
