let nextConnectionId = 1;

/**
 * Per-connection state shared by every transport. One instance lives as long
 * as one TCP connection (HTTP keep-alive socket or binary-protocol socket).
 */
export class ConnectionState {
  readonly id = nextConnectionId++;
  /** Address of the peer, used for the login rate limit and `getip`. */
  remoteAddress: string;
  /** Transport name, informative ("http", "https", "binary", "direct"). */
  readonly transport: string;
  /**
   * When true, a successful login sticks to the connection: later calls run
   * as that user and their own credentials are ignored until `logout`.
   * pCloud does this on every transport; the emulator's HTTP port leaves it
   * off by default (see `EmulatorOptions.httpStickyAuth`), the binary port
   * must turn it on.
   */
  stickyAuth: boolean;
  /** User logged in on this connection (sticky login), if any. */
  userid: number | undefined;
  /** Token that logged the connection in, if it was a token. */
  authToken: string | undefined;
  /** Sticky metadata filters (`filtermeta`, `filterfilemeta`, `filterfoldermeta`). */
  filterMeta: Set<string> | undefined;
  filterFileMeta: Set<string> | undefined;
  filterFolderMeta: Set<string> | undefined;
  /** File descriptor table for fileops (owned by whoever implements them). */
  readonly fds = new Map<number, unknown>();
  /** Next descriptor number; numbers are never reused on a connection. */
  nextFd = 1;
  /** Free slot for transports and later method groups. */
  readonly extra = new Map<string, unknown>();
  private closedFlag = false;
  private readonly closeCtl = new AbortController();
  private blockCtl: AbortController | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(init: { remoteAddress?: string; transport?: string; stickyAuth?: boolean } = {}) {
    this.remoteAddress = init.remoteAddress ?? '127.0.0.1';
    this.transport = init.transport ?? 'direct';
    this.stickyAuth = init.stickyAuth ?? false;
    this.userid = undefined;
    this.authToken = undefined;
    this.filterMeta = undefined;
    this.filterFileMeta = undefined;
    this.filterFolderMeta = undefined;
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** Aborted when the connection closes. */
  get closeSignal(): AbortSignal {
    return this.closeCtl.signal;
  }

  /** Call when the underlying connection is gone: ends blocking calls. */
  close(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.closeCtl.abort();
    this.blockCtl?.abort();
  }

  /**
   * A signal for a blocking call (diff with block): aborted when a new
   * request arrives on this connection or the connection closes.
   */
  blockSignal(): AbortSignal {
    this.blockCtl = new AbortController();
    // a call already queued behind this one counts as "a new request arrived"
    if (this.closedFlag || this.pending > 1) this.blockCtl.abort();
    return this.blockCtl.signal;
  }

  /** A new request arrived: release whatever call is blocking. */
  interruptBlocking(): void {
    this.blockCtl?.abort();
    this.blockCtl = undefined;
  }

  /** Runs calls of one connection strictly one after another, in arrival order. */
  serial<T>(fn: () => Promise<T>): Promise<T> {
    this.pending += 1;
    const task = () => fn().finally(() => (this.pending -= 1));
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Calls of this connection queued or running. */
  private pending = 0;
}
