/**
 * pCloud's two data centres and their host lists. An account lives in one
 * region and its credentials only work on that region's hosts.
 */
export interface Region {
  /** `1` United States, `2` Europe; absent for custom host lists. */
  readonly locationid?: number;
  /** HTTP JSON hosts; the first is the default the client falls back to. */
  readonly api: readonly string[];
  /**
   * Binary protocol hosts; the first is the default. Only the binary
   * transport reads them, so a region for the HTTP transport may leave them out.
   */
  readonly binapi?: readonly string[];
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
 * region whose only API host is that one. The redirect names no binary host,
 * so such a region has none (a binary client needs one added).
 */
export function regionFromHostname(hostname: string): Region {
  if (hostname === 'eapi.pcloud.com') return EU;
  if (hostname === 'api.pcloud.com') return US;
  return { api: [hostname] };
}

const HOSTS_EXAMPLE = `{ api: ['eapi.pcloud.com'], binapi: ['bineapi.pcloud.com'] }`;
const REGION_FORMS = `'us', 'eu' or a host list such as ${HOSTS_EXAMPLE}`;

/** A wrong option value, named for an error message. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return value ? JSON.stringify(value) : 'an empty string';
  if (value == null) return String(value);
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

function checkHostList(list: unknown, name: string, where: string, allowEmpty = false): void {
  if (!Array.isArray(list) || (!allowEmpty && list.length === 0) || list.some((h) => typeof h !== 'string' || h.trim() === '')) {
    throw new TypeError(`${where}.${name} must be a non-empty list of host names, as in ${HOSTS_EXAMPLE}; got ${describeValue(list)}`);
  }
}

/**
 * Checks a region option and returns the region. `where` names the option in
 * errors (`createClient: options.region`). With `hostKind: 'binapi'` (the
 * binary transport) the region must list binary hosts.
 */
export function resolveRegion(region: 'us' | 'eu' | Region | undefined, hostKind: 'api' | 'binapi' = 'api', where = 'region'): Region {
  if (region === undefined || region === 'us') return US;
  if (region === 'eu') return EU;
  if (typeof region === 'string') {
    const text: string = region;
    const lower = text.trim().toLowerCase();
    const hint =
      lower === 'us' || lower === 'eu'
        ? `; region names are lowercase: '${lower}'`
        : /^[a-z][a-z0-9+.-]*:\/\//i.test(text) || text.includes('.')
          ? `; for a single host write { api: [${JSON.stringify(text)}] }`
          : '';
    throw new TypeError(`${where} must be ${REGION_FORMS}; got ${JSON.stringify(text)}${hint}`);
  }
  if (typeof region !== 'object' || region === null || Array.isArray(region)) {
    throw new TypeError(`${where} must be ${REGION_FORMS}; got ${describeValue(region)}`);
  }
  checkHostList(region.api, 'api', where);
  if (region.binapi !== undefined || hostKind === 'binapi') {
    if (region.binapi === undefined)
      throw new TypeError(`${where}.binapi is missing: the binary transport needs binary hosts, as in ${HOSTS_EXAMPLE}`);
    // The HTTP transport never reads binary hosts, so an empty list is fine there.
    checkHostList(region.binapi, 'binapi', where, hostKind === 'api');
  }
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
