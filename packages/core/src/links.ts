/** Builds ready URLs from a link answer (`hosts` + `path`), best host first. */
export function linkUrls(answer: { hosts: readonly string[]; path: string }, options: { scheme?: 'https' | 'http'; query?: Record<string, string | number> } = {}): string[] {
  if (!Array.isArray(answer?.hosts) || typeof answer.path !== 'string') throw new TypeError('linkUrls: the answer needs hosts[] and path');
  const scheme = options.scheme ?? 'https';
  const query = options.query ? Object.entries(options.query) : [];
  return answer.hosts.map((host) => {
    const url = new URL(answer.path, `${scheme}://${host}`);
    for (const [k, v] of query) url.searchParams.set(k, String(v));
    return url.toString();
  });
}
