/**
 * Wraps an async iterable of bytes (such as undici's response body) in a web
 * `ReadableStream`. Pulls one chunk at a time, so nothing is buffered ahead of
 * the reader; `mapError` turns read failures into the caller's error type;
 * `cancel` on the stream stops the source.
 */
export function toWebStream(
  source: AsyncIterable<Uint8Array>,
  options: { mapError?: (error: unknown) => unknown; onChunk?: (chunk: Uint8Array) => void; onEnd?: () => void } = {},
): ReadableStream<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]();
  let finished = false;
  const finish = () => {
    if (!finished) {
      finished = true;
      options.onEnd?.();
    }
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          for (;;) {
            const next = await iterator.next();
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
          controller.error(options.mapError ? options.mapError(error) : error);
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
