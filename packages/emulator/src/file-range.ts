/**
 * The bytes of a stored file, or of a range of it, as the answers that carry
 * file content send them: content links, and data answers on both ports.
 *
 * A `FileRange` is an ordinary readable stream, reading 64 KiB at a time
 * into new buffers as `fs.createReadStream` does. A sender that owns the
 * whole answer calls {@link FileRange.sendTo} instead: the same reads go
 * into a few buffers reused from chunk to chunk. A 1 GiB download through
 * the stream makes 16,384 buffers of external memory that live until the
 * socket has sent them; that pressure started about 20 full garbage
 * collections per 512 MiB, which cost the emulator a third of its CPU time
 * in a download. Through `sendTo` it allocates four buffers.
 */
import { promises as fsp } from 'node:fs';
import { Readable, type Writable } from 'node:stream';

/** Bytes per read, as Node's own file streams (larger reads held more memory per waiting answer). */
const CHUNK = 64 * 1024;
/** Buffers one `sendTo` reads into at most: one being read, the others waiting in the socket. */
const POOL = 4;

type FileHandle = fsp.FileHandle;

export class FileRange extends Readable {
  private readonly file: Promise<FileHandle>;
  private position: number;
  /** The last byte to send (inclusive); Infinity: to the end of the file. */
  private readonly end: number;

  /**
   * Bytes `[start, end]` (inclusive, like `fs.createReadStream`) of the file
   * at `source`, or of an open handle, which the stream then owns and closes.
   */
  constructor(source: string | FileHandle, range?: { start: number; end: number }) {
    super({ highWaterMark: CHUNK });
    this.file = typeof source === 'string' ? fsp.open(source, 'r') : Promise.resolve(source);
    // a failure to open is reported by whoever reads (an 'error' event, or sendTo's rejection)
    this.file.catch(() => undefined);
    this.position = range?.start ?? 0;
    this.end = range?.end ?? Infinity;
  }

  override _read(): void {
    void this.readNext();
  }

  private async readNext(): Promise<void> {
    try {
      const file = await this.file;
      const left = this.end + 1 - this.position;
      if (left <= 0) return void this.push(null);
      const buffer = Buffer.allocUnsafeSlow(Math.min(CHUNK, left));
      const got = await this.readInto(file, buffer);
      this.push(got === 0 ? null : got < buffer.length ? buffer.subarray(0, got) : buffer);
    } catch (error) {
      this.destroy(error as Error);
    }
  }

  /** Reads the range's next bytes into `buffer` (as many as fit and are left) and moves past them; 0 at the end. */
  private async readInto(file: FileHandle, buffer: Buffer): Promise<number> {
    const want = Math.min(buffer.length, this.end + 1 - this.position);
    if (want <= 0) return 0;
    const { bytesRead } = await file.read(buffer, 0, want, this.position);
    this.position += bytesRead;
    return bytesRead;
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    this.file
      .then(
        (file) => file.close(),
        () => undefined,
      )
      .then(
        () => done(error),
        () => done(error),
      );
  }

  /**
   * Writes the rest of the bytes into `out` through at most {@link POOL}
   * reused buffers, waiting whenever `out` asks to (`drain`) or every buffer
   * is still held by it, and resolves with the number of bytes written.
   * `beforeWrite` runs before each write. Stops early, without an error, when
   * `out` closes or the file ends before the range does (the caller compares
   * the count with what it announced). Only for a stream nobody has read;
   * the stream is destroyed (its file closed) at the end.
   */
  async sendTo(out: Writable, beforeWrite?: () => void): Promise<number> {
    if (this.readableDidRead || this.destroyed) throw new Error('FileRange.sendTo: the stream was already read');
    const free: Buffer[] = [];
    let made = 0;
    let blocked = false;
    let closed = false;
    let wake: (() => void) | undefined;
    const signal = () => {
      const resume = wake;
      wake = undefined;
      resume?.();
    };
    const onDrain = () => {
      blocked = false;
      signal();
    };
    const onClose = () => {
      closed = true;
      signal();
    };
    out.on('drain', onDrain);
    out.on('close', onClose);
    let sent = 0;
    try {
      const file = await this.file;
      // (a writer destroyed before we listened has closed already: `destroyed` tells it)
      while (!closed && !out.destroyed && this.position <= this.end) {
        if (blocked || (free.length === 0 && made === POOL)) {
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          continue;
        }
        let buffer = free.pop();
        if (!buffer) {
          buffer = Buffer.allocUnsafeSlow(CHUNK);
          made++;
        }
        const bytesRead = await this.readInto(file, buffer);
        if (bytesRead === 0 || closed) break;
        beforeWrite?.();
        // the buffer comes back once `out` has handed it to the system (or failed)
        const held = buffer;
        const room = out.write(bytesRead < CHUNK ? buffer.subarray(0, bytesRead) : buffer, () => {
          free.push(held);
          signal();
        });
        if (!room) blocked = true;
        sent += bytesRead;
      }
      return sent;
    } finally {
      out.off('drain', onDrain);
      out.off('close', onClose);
      this.destroy();
    }
  }
}
