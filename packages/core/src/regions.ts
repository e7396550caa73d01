/**
 * pCloud's two data centres and their host lists. An account lives in one
 * region and its credentials only work on that region's hosts.
 */
export interface Region {
  /** `1` United States, `2` Europe; absent for custom host lists. */
  readonly locationid?: number;
  /** HTTP JSON hosts; the first is the default the client falls back to. */
  readonly api: readonly string[];
  /** Binary protocol hosts; the first is the default. */
  readonly binapi: readonly string[];
}

export const US: Region = Object.freeze({ locationid: 1, api: ['api.pcloud.com'], binapi: ['binapi.pcloud.com'] });
export const EU: Region = Object.freeze({ locationid: 2, api: ['eapi.pcloud.com'], binapi: ['bineapi.pcloud.com'] });

/** Region for a `locationid` (1 US, 2 EU) as reported by the OAuth2 redirect. */
export function regionFromLocationId(locationid: number | string): Region {
  return Number(locationid) === 2 ? EU : US;
}

/**
 * Region for the `hostname` reported by the OAuth2 redirect: a known host
 * maps to its region; any other host (an emulator, say) becomes a custom
 * region whose only API host is that one.
 */
export function regionFromHostname(hostname: string): Region {
  if (hostname === 'eapi.pcloud.com') return EU;
  if (hostname === 'api.pcloud.com') return US;
  return { api: [hostname], binapi: [hostname] };
}

export function resolveRegion(region: 'us' | 'eu' | Region | undefined): Region {
  if (region === undefined || region === 'us') return US;
  if (region === 'eu') return EU;
  if (!region.api.length) throw new TypeError('region.api must list at least one host');
  return region;
}

/**
 * Turns a host entry into an origin. Entries may be bare (`api.pcloud.com`,
 * `127.0.0.1:8080`), which get `scheme`, or already carry one
 * (`http://127.0.0.1:8080`).
 */
export function hostOrigin(host: string, scheme: 'https' | 'http' = 'https'): string {
  const trimmed = host.trim().replace(/\/+$/, '');
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `${scheme}://${trimmed}`;
}
