/** A value in a reply tree; what both the JSON and the binary encoders accept. */
export type Value = string | number | bigint | boolean | null | Value[] | { [key: string]: Value };

/** The top-level object of a reply. */
export type Body = { [key: string]: Value };

/**
 * Serialises a reply tree to JSON text. Unlike JSON.stringify it writes
 * bigint values as exact integer literals, which is how pCloud sends the
 * unsigned 64-bit content `hash`. Undefined members are skipped.
 */
export function toJson(value: unknown): string {
  const native = nativeJson(value);
  if (native === undefined) return slowJson(value);
  // JSON.stringify's own text when nothing is left to fill in, else the bytes as text
  return native !== ENCODED_INSIDE && native.marks === 0 ? native.text : bytesOf(value, native).toString('utf8');
}

/** What toJson writes, as UTF-8 bytes (quicker than encoding toJson's text). */
export function toJsonBytes(value: unknown): Buffer {
  return bytesOf(value, nativeJson(value));
}

function bytesOf(value: unknown, native: ReturnType<typeof nativeJson>): Buffer {
  if (native === ENCODED_INSIDE) return joinParts(writeParts(value));
  if (native === undefined) return Buffer.from(slowJson(value), 'utf8');
  return native.marks > 0 ? unmark(native.text) : Buffer.from(native.text, 'utf8');
}

/** Pieces at least this long are sent as they are by toJsonChunks; shorter ones are copied together. */
const BIG_PIECE = 16 * 1024;

/**
 * toJsonBytes's bytes in consecutive chunks, for a writer that sends them
 * one after the other (an HTTP answer): one chunk, except for a tree that
 * holds kept arrays (`withJsonBytes`), whose bytes, when big, are sent as
 * they are instead of being copied into one buffer.
 */
export function toJsonChunks(value: unknown): Buffer[] {
  const native = nativeJson(value);
  if (native !== ENCODED_INSIDE) return [bytesOf(value, native)];
  const chunks: Buffer[] = [];
  let run: Part[] = [];
  for (const part of writeParts(value)) {
    if (typeof part === 'string' || part.length < BIG_PIECE) {
      run.push(part);
      continue;
    }
    if (run.length > 0) chunks.push(joinParts(run));
    run = [];
    chunks.push(part);
  }
  if (run.length > 0) chunks.push(joinParts(run));
  return chunks;
}

/** An earlier kept array whose items' bytes a new one can copy: `at[i]` is where item i of the new one was in it (-1: not there). */
export interface KeptSource {
  readonly from: Value[];
  readonly at: Int32Array;
}

const OPEN = Buffer.from('[');
const SEPARATOR = Buffer.from(',');
const CLOSE = Buffer.from(']');

/**
 * The JSON of a kept array (`withJsonBytes`): its UTF-8 bytes, written the
 * first time an answer needs them (the binary port never does), then the
 * same for every answer that holds the array. When a later kept array
 * holds some of the same items, they are copied from these bytes (where each
 * item starts is found then, see itemStarts) instead of written again.
 */
class KeptBytes {
  #bytes: Buffer | undefined;
  /** Where item i starts in #bytes, one more entry (#bytes.length) at the end; found when first asked for (null: not found). */
  #starts: Uint32Array | null | undefined;
  #source: { from: KeptBytes; at: Int32Array } | undefined;

  constructor(
    readonly items: readonly Value[],
    source: KeptSource | undefined,
  ) {
    // only an earlier array whose bytes are written already: no chain of arrays kept waiting
    const from = source === undefined ? undefined : keptOf(source.from);
    if (from !== undefined && from.#bytes !== undefined && source!.at.length === items.length) this.#source = { from, at: source!.at };
  }

  get bytes(): Buffer {
    if (this.#bytes === undefined) {
      const source = this.#source;
      const starts = source === undefined ? undefined : source.from.#itemStarts();
      if (source !== undefined && starts !== undefined) this.#copy(source.from.#bytes!, starts, source.at);
      else this.#bytes = toJsonBytes(this.items);
      this.#source = undefined;
    }
    return this.#bytes!;
  }

  /** Where each item starts in the bytes (written already), if that can be told for certain. */
  #itemStarts(): Uint32Array | undefined {
    if (this.#starts === undefined) this.#starts = itemStarts(this.items, this.#bytes!) ?? null;
    return this.#starts ?? undefined;
  }

  /** The bytes of an earlier array (`bytes`, its items starting at `starts`) for the items it had, written for the others. */
  #copy(bytes: Buffer, starts: Uint32Array, at: Int32Array): void {
    const parts: Buffer[] = [OPEN];
    const mine = new Uint32Array(this.items.length + 1);
    let length = 1;
    for (let i = 0; i < this.items.length; i++) {
      if (i > 0) {
        parts.push(SEPARATOR);
        length++;
      }
      const j = at[i]!;
      // an item's bytes end before the separator or the closing bracket that follows them
      const part = j >= 0 ? bytes.subarray(starts[j]!, starts[j + 1]! - 1) : toJsonBytes(this.items[i]);
      mine[i] = length;
      parts.push(part);
      length += part.length;
    }
    parts.push(CLOSE);
    mine[this.items.length] = length + 1;
    this.#bytes = Buffer.concat(parts, length + 1);
    this.#starts = mine;
  }
}

/**
 * Where each item of an array starts in its JSON bytes, when the items are
 * objects that all begin with the same key K. Each boundary between two of
 * them is then the text `},{"K":`; the text is found nowhere else in flat
 * objects (inside a string every quote is escaped, and the quote that ends
 * a string is followed by `,`, `:`, `}` or `]`, never by K), and where a
 * nested member holds it, it is found more times than there are boundaries.
 * Undefined when the items are not such objects, or when the count is not
 * exactly one less than the items.
 */
function itemStarts(items: readonly Value[], bytes: Buffer): Uint32Array | undefined {
  let first: string | undefined;
  for (const item of items) {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return undefined;
    let k0: string | undefined;
    for (const k in item) {
      const v = item[k];
      // the first key written (JSON.stringify leaves out undefined, function and symbol members)
      if (v !== undefined && typeof v !== 'function' && typeof v !== 'symbol') {
        k0 = k;
        break;
      }
    }
    if (k0 === undefined || (first !== undefined && k0 !== first)) return undefined;
    first = k0;
  }
  const starts = new Uint32Array(items.length + 1);
  starts[items.length] = bytes.length;
  if (items.length === 0) return starts;
  starts[0] = 1;
  const boundary = Buffer.from(`},{${JSON.stringify(first)}:`, 'utf8');
  let n = 1;
  for (let at = bytes.indexOf(boundary, 1); at >= 0; at = bytes.indexOf(boundary, at + 2)) {
    if (n === items.length) return undefined;
    starts[n++] = at + 2;
  }
  return n === items.length ? starts : undefined;
}

/** Where `withJsonBytes` keeps an array's JSON: a symbol key, which JSON.stringify, Object.keys and for-in all skip. */
const KEPT = Symbol('pcloudkit.json');

/** The JSON a value carries, if any. */
function keptOf(v: unknown): KeptBytes | undefined {
  return typeof v === 'object' && v !== null && KEPT in v ? (v as { [KEPT]: KeptBytes })[KEPT] : undefined;
}

/**
 * Freezes an array that answers will hold unchanged again and again (a
 * folder's listed files) and gives it its JSON: written when an answer first
 * needs it, then copied as it is by toJson, toJsonBytes and toJsonChunks
 * for every answer that holds this same array. Its items must not change
 * afterwards (they are only read). With `source`, the items it shares with
 * an earlier kept array (the same objects, unchanged) are copied from that
 * array's bytes when its own are written.
 */
export function withJsonBytes<T extends Value[]>(items: T, source?: KeptSource): T {
  Object.defineProperty(items, KEPT, { value: new KeptBytes(items, source) });
  return Object.freeze(items);
}

/** What nativeJson answers for a tree that holds a kept array (not the tree itself): writeParts writes it. */
const ENCODED_INSIDE = 'encoded';

/**
 * Stands in for a bigint while JSON.stringify runs. It starts with U+0000,
 * which JSON.stringify writes as `\u0000`; the walk gives up on any key or
 * string that starts with U+0000, and a mark is only taken where a value
 * starts (after `:`, `,` or `[`; inside a string a quote is always escaped),
 * so the marked literals are exactly the bigints.
 */
const BIG = '\u0000n';
/** How a mark starts in JSON.stringify's output: the quote, then `\u0000n` (ASCII, so the same bytes in UTF-8). */
const MARK = Buffer.from('"\\u0000n', 'latin1');

/**
 * Encodes `text` as UTF-8 and turns every mark in it back into a bare
 * integer literal, moving the bytes down in place. Scanning bytes is safe:
 * UTF-8 never puts an ASCII byte inside a longer character. (Cutting the
 * marks out of the string instead costs several times more.)
 */
function unmark(text: string): Buffer {
  const buf = Buffer.from(text, 'utf8');
  let to = 0;
  let from = 0;
  for (let at = buf.indexOf(MARK); at >= 0; ) {
    const end = buf.indexOf(0x22, at + MARK.length);
    if (end < 0) break;
    const before = buf[at - 1];
    // a value starts after ':', ',' or '['; inside a string the quote would follow a backslash
    if (before === 0x3a || before === 0x2c || before === 0x5b) {
      buf.copyWithin(to, from, at);
      to += at - from;
      buf.copyWithin(to, at + MARK.length, end);
      to += end - at - MARK.length;
      from = end + 1;
    }
    at = buf.indexOf(MARK, end + 1);
  }
  buf.copyWithin(to, from);
  return buf.subarray(0, to + buf.length - from);
}

/**
 * The fast way, JSON.stringify itself: one walk finds the bigints, they are
 * swapped for marked strings in place and the tree is stringified natively
 * (unmark then turns the marks into bare integer literals); the bigints are
 * put back before it returns. Gives up (undefined) when a string or key starts with U+0000 or
 * the tree is too deep for the native (recursive) stringify.
 */
function nativeJson(value: unknown): { text: string; marks: number } | undefined | typeof ENCODED_INSIDE {
  if (typeof value !== 'object' || value === null) return undefined;
  const holders: Array<Record<string | number, unknown>> = [];
  const keys: Array<string | number> = [];
  const bigints: bigint[] = [];
  const todo: object[] = [value];
  for (let v = todo.pop(); v !== undefined; v = todo.pop()) {
    if (Array.isArray(v)) {
      // a kept array inside the tree: writeParts copies its bytes (the kept array itself is written here)
      if (v !== value && KEPT in v) return ENCODED_INSIDE;
      for (let i = 0; i < v.length; i++) {
        const item: unknown = v[i];
        if (typeof item === 'object') {
          if (item !== null) todo.push(item);
        } else if (typeof item === 'bigint') {
          holders.push(v as unknown as Record<number, unknown>);
          keys.push(i);
          bigints.push(item);
        } else if (typeof item === 'string' && item.charCodeAt(0) === 0) return undefined;
      }
      continue;
    }
    const o = v as Record<string, unknown>;
    for (const k in o) {
      if (k.charCodeAt(0) === 0) return undefined;
      const item = o[k];
      if (typeof item === 'object') {
        if (item !== null) todo.push(item);
      } else if (typeof item === 'bigint') {
        holders.push(o);
        keys.push(k);
        bigints.push(item);
      } else if (typeof item === 'string' && item.charCodeAt(0) === 0) return undefined;
    }
  }
  let marked = 0;
  try {
    for (; marked < holders.length; marked++) holders[marked]![keys[marked]!] = BIG + bigints[marked]!.toString();
    return { text: JSON.stringify(value), marks: holders.length };
  } catch {
    // a tree deeper than the native stringify's stack, or a frozen holder: the explicit-stack writer takes it
    return undefined;
  } finally {
    for (let i = 0; i < marked; i++) holders[i]![keys[i]!] = bigints[i];
  }
}

/** The explicit-stack writer: any depth, any strings. */
function slowJson(value: unknown): string {
  const parts: string[] = [];
  // an explicit stack instead of recursion: a recursive listing can nest deeper than the call stack
  const todo: unknown[] = [value];
  while (todo.length > 0) {
    const v = todo.pop();
    if (v instanceof Text) parts.push(v.text);
    else write(v, parts, todo);
  }
  return parts.join('');
}

/** A piece of written JSON: text, or the bytes of a kept array. */
type Part = string | Buffer;

/**
 * The writer for trees that hold kept arrays (`withJsonBytes`): the
 * explicit-stack writer, each kept array's bytes as they are.
 */
function writeParts(value: unknown): Part[] {
  const parts: Part[] = [];
  const todo: unknown[] = [value];
  while (todo.length > 0) {
    const v = todo.pop();
    if (v instanceof Text) parts.push(v.text);
    else {
      // the root is written here even when kept: its own bytes are what is being written
      const kept = v === value ? undefined : keptOf(v);
      if (kept === undefined) write(v, parts, todo);
      else parts.push(kept.bytes);
    }
  }
  return parts;
}

/** The pieces in one buffer (each run of texts joined and encoded at once). */
function joinParts(parts: Part[]): Buffer {
  const buffers: Buffer[] = [];
  let texts: string[] = [];
  for (const p of parts) {
    if (typeof p === 'string') texts.push(p);
    else {
      if (texts.length > 0) buffers.push(Buffer.from(texts.join(''), 'utf8'));
      texts = [];
      buffers.push(p);
    }
  }
  if (texts.length > 0) buffers.push(Buffer.from(texts.join(''), 'utf8'));
  // a kept array's bytes alone are copied all the same: what is returned is the caller's own
  return buffers.length === 1 && texts.length > 0 ? buffers[0]! : Buffer.concat(buffers);
}

/** Literal JSON text waiting on the stack (a bracket, a comma, a key). */
class Text {
  constructor(readonly text: string) {}
}

const COMMA = new Text(',');
const CLOSE_ARRAY = new Text(']');
const CLOSE_OBJECT = new Text('}');

/** Writes a scalar, or opens a container and stacks its members (last first). */
function write(v: unknown, out: Part[], todo: unknown[]): void {
  switch (typeof v) {
    case 'string':
      out.push(JSON.stringify(v));
      return;
    case 'number':
      out.push(Number.isFinite(v) ? String(v) : 'null');
      return;
    case 'bigint':
      out.push(v.toString());
      return;
    case 'boolean':
      out.push(v ? 'true' : 'false');
      return;
    case 'object':
      if (v === null) {
        out.push('null');
        return;
      }
      if (Array.isArray(v)) {
        out.push('[');
        todo.push(CLOSE_ARRAY);
        for (let i = v.length - 1; i >= 0; i--) {
          todo.push(v[i] === undefined ? null : v[i]);
          if (i > 0) todo.push(COMMA);
        }
        return;
      }
      {
        out.push('{');
        todo.push(CLOSE_OBJECT);
        const members = Object.entries(v as Record<string, unknown>).filter(
          ([, item]) => item !== undefined && typeof item !== 'function' && typeof item !== 'symbol',
        );
        for (let i = members.length - 1; i >= 0; i--) {
          const [k, item] = members[i]!;
          todo.push(item, new Text(`${i > 0 ? ',' : ''}${JSON.stringify(k)}:`));
        }
      }
      return;
    default:
      out.push('null');
  }
}
