/**
 * "What to do" advice for pCloud error codes, shown next to each code in the
 * method reference. pCloud's own message says what went wrong; this says what
 * a caller can do about it. Exact codes first, then ranges (the ranges follow
 * the classes core's `errorClassOf` gives: 1xxx bad request, 19xx timing, 2xxx
 * state, 3xxx permanent, 4xxx rate limit, 5xxx server, 6000 not modified,
 * 7xxx public-link condition).
 */

const EXACT: Record<number, string> = {
  1000: 'Sign in first: give createClient an auth option (an OAuth2 access token, an auth token or a username and password).',
  1007: 'The file descriptor is closed or belongs to another connection: open the file again on this connection.',
  1013: 'Pass a Date or a Unix timestamp; the client sends it in the format pCloud reads.',
  1900: 'The upload progress hash is unknown or expired: start the upload again.',
  1901: 'The zip job is unknown or finished long ago: build the archive again.',
  2000: 'The credentials were refused: check the token or password, or sign in again.',
  2003: 'The account may not do this here (for example a read-only share): ask the owner for the right, or act on your own files.',
  2004: 'The name is taken: pick another name, or rename or delete the existing item first.',
  2005: 'The folder does not exist: check its id or path (list the parent folder to find it).',
  2008: 'The account is out of space: free some space (empty the trash) or upgrade the plan.',
  2009: 'The file does not exist: check its id or path (list the folder to find it).',
  2014: "Verify the account's email address first (sendverificationemail), then try again.",
  2041: 'The connection broke during the call: send it again on a fresh connection.',
  2094: 'The access token is invalid: run the OAuth2 sign-in again for a new token.',
  2095: 'The access token was revoked: the user has to authorize the app again.',
  4000: 'Too many sign-in attempts from this address: wait several minutes before trying again, and reuse tokens instead of signing in per call.',
  5003: 'A write on the file failed on the server: reopen the file and write again.',
  5004: 'A read on the file failed on the server: reopen the file and read again.',
  6000: 'Nothing changed since the version you have: keep using your copy.',
  7010: "The link only works when opened from the page its owner allowed (the request's Referer).",
};

/** The advice for one error code. */
export function errorHint(code: number): string {
  const exact = EXACT[code];
  if (exact) return exact;
  if (code >= 1900 && code < 2000)
    return 'The job or session this call refers to is gone or not ready yet: start it again or wait and retry.';
  if (code >= 1000 && code < 2000)
    return 'Fix the input: a param is missing or malformed (the client catches most of these before sending, with a ValidationError naming the param).';
  if (code >= 2000 && code < 3000)
    return 'Fix the input or the state it refers to (ids, names, permissions, account state); sending the same call again will not help.';
  if (code >= 3000 && code < 4000) return 'A permanent failure for this item or source: do not retry; try another file or source.';
  if (code >= 4000 && code < 5000) return 'Rate limited: wait before trying again.';
  if (code >= 5000 && code < 6000) return "A server-side failure: retry after a pause (the client's default retry policy does this).";
  if (code >= 7000 && code < 8000)
    return 'The public link can no longer be used (deleted, expired or over a limit): ask its owner for a new link.';
  return "Not a documented class: read the server's message and report it if it persists.";
}
