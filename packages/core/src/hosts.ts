/**
 * Which host a call goes to: the region's default host, or the nearest host
 * `getapiserver` suggested. The state lives in one small object that the
 * client and the host layer share.
 */
import { hostOrigin, resolveRegion, type Region } from './regions.js';
import type { HostKind } from './types.js';

export interface HostStateInit {
  /** The host list the transport talks to. */
  hostKind: HostKind;
  /** `us` (default), `eu`, or a custom host list. */
  region?: 'us' | 'eu' | Region;
  /**
   * Fetches the nearest hosts (the client asks `getapiserver`). Called once
   * per region, on first need; omit it to always use the region's default host.
   */
  suggest?: () => Promise<{ api?: unknown; binapi?: unknown }>;
}

/** Region, scheme and host suggestions of one client. */
export interface HostState {
  readonly hostKind: HostKind;
  /** The region in use. */
  readonly region: Region;
  /** Scheme for bare hosts: `http` when the region's default API host is an `http://` origin. */
  readonly scheme: 'https' | 'http';
  /** Suggested hosts, best first; `undefined` until fetched. */
  readonly suggested: readonly string[] | undefined;
  /** Fetches the suggestions once (when a source was given) and returns them; never throws. */
  suggestions(): Promise<readonly string[]>;
  /** Forgets a suggested host, e.g. one that could not be reached. */
  drop(host: string): void;
  /** The region's default host for this transport. */
  defaultHost(): string;
  /** A host list entry as the transport wants it: an origin for HTTP hosts, unchanged for binary ones. */
  wire(entry: string): string;
  /** Switches region and forgets the suggestions. */
  setRegion(region: 'us' | 'eu' | Region): void;
  /** Suggested hosts first, then the region's own, for both kinds. */
  hosts(): Promise<{ api: string[]; binapi: string[] }>;
}

export function hostState(init: HostStateInit): HostState {
  const { hostKind, suggest } = init;
  let region = resolveRegion(init.region, hostKind, 'createClient: options.region');
  let suggested: string[] | undefined;
  let loading: Promise<readonly string[]> | undefined;
  /** The last host `wire` turned into an origin, and that origin (the default host, on nearly every call). */
  let wired: [string?, string?] = [];
  const scheme = (): 'https' | 'http' => (/^http:\/\//i.test(region.api[0] ?? '') ? 'http' : 'https');

  async function load(): Promise<readonly string[]> {
    const asked = region;
    let list: string[];
    try {
      const answer = (await suggest!()) as Record<string, unknown>;
      const entries = answer?.[hostKind];
      list = Array.isArray(entries) ? entries.filter((h): h is string => typeof h === 'string') : [];
    } catch {
      list = []; // the default host still works; suggestions are an optimisation
    }
    if (asked === region) suggested = list; // a region switch meanwhile makes this answer stale
    return list;
  }

  const state: HostState = {
    hostKind,
    get region() {
      return region;
    },
    get scheme() {
      return scheme();
    },
    get suggested() {
      return suggested;
    },
    async suggestions() {
      if (suggested || !suggest) return suggested ?? [];
      return (loading ??= load());
    },
    drop(host) {
      suggested = suggested?.filter((h) => h !== host);
    },
    defaultHost: () => region[hostKind]?.[0] ?? region.api[0]!,
    wire: (entry) => (hostKind !== 'api' ? entry : entry === wired[0] ? wired[1]! : (wired = [entry, hostOrigin(entry, scheme())])[1]),
    setRegion(next) {
      region = resolveRegion(next, hostKind, 'setRegion: region');
      wired = [];
      suggested = undefined;
      loading = undefined;
    },
    async hosts() {
      if (suggest) await state.suggestions();
      const list = [...(suggested ?? []), ...(region[hostKind] ?? [])].filter((h, i, all) => all.indexOf(h) === i);
      return hostKind === 'api' ? { api: list, binapi: [...(region.binapi ?? [])] } : { api: [...region.api], binapi: list };
    },
  };
  return state;
}
