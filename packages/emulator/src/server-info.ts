/** Facts about the emulator's own servers, fixed once they listen. */
export interface ServerInfoInit {
  /** `host:port` of the API server. */
  apiHost: string;
  /** Scheme of the API and content servers. */
  scheme: 'http' | 'https';
  /** Data region the emulator plays: 1 = US (md5 checksums), 2 = EU (sha256 checksums). */
  locationid: 1 | 2;
  /** `host:port` of each content server (at least one). */
  contentHosts: readonly string[];
  /** `host:port` of the binary-protocol port, when it is already listening. */
  binapiHost?: string;
}

/**
 * What the emulator knows about where it runs: API host and scheme, region,
 * content servers and binary port. Built after the servers listen, so every
 * fact is final; the only change allowed later is a binary-protocol port
 * joining (`attachBinapi`), because such a transport may start after the
 * core exists (see `Emulator.attachTransport`).
 */
export class ServerInfo {
  readonly apiHost: string;
  readonly scheme: 'http' | 'https';
  readonly locationid: 1 | 2;
  readonly contentHosts: readonly string[];
  private binapi: string | undefined;

  constructor(init: ServerInfoInit) {
    if (!init.apiHost) throw new TypeError('ServerInfo: apiHost is required');
    if (init.contentHosts.length === 0) throw new TypeError('ServerInfo: at least one content host is required');
    this.apiHost = init.apiHost;
    this.scheme = init.scheme;
    this.locationid = init.locationid;
    this.contentHosts = Object.freeze([...init.contentHosts]);
    this.binapi = init.binapiHost;
  }

  /** Base URL of the API server, e.g. `http://127.0.0.1:8080`. */
  get apiUrl(): string {
    return `${this.scheme}://${this.apiHost}`;
  }

  /** `host:port` of the binary-protocol port, if one is attached. */
  get binapiHost(): string | undefined {
    return this.binapi;
  }

  /** Records the binary-protocol port once it listens; a second, different port is refused. */
  attachBinapi(hostPort: string): void {
    if (this.binapi !== undefined && this.binapi !== hostPort) throw new Error(`a binary port is already attached (${this.binapi})`);
    this.binapi = hostPort;
  }

  /** Region-specific digests, as pCloud sends them: sha1 plus md5 (US) or sha256 (EU). */
  checksums(info: { sha1: string; md5: string; sha256: string }): { sha1: string; md5?: string; sha256?: string } {
    return this.locationid === 2 ? { sha1: info.sha1, sha256: info.sha256 } : { sha1: info.sha1, md5: info.md5 };
  }
}
