import { ERROR_MESSAGES as CATALOGUE_MESSAGES } from './errors-table.js';

/**
 * Codes pCloud sends that the project catalogue does not list yet: the
 * OAuth token errors, as real pCloud answers and real SDKs expect them.
 */
const EXTRA_MESSAGES: Readonly<Record<number, string>> = {
  2094: "Invalid 'access_token' provided.",
  2095: "Revoked 'access_token' provided, you need to re-authorize the application.",
};

export const ERROR_MESSAGES: Readonly<Record<number, string>> = { ...CATALOGUE_MESSAGES, ...EXTRA_MESSAGES };

/** The exact text pCloud sends for an error code (a generic text for unknown codes). */
export function errorMessage(code: number): string {
  return ERROR_MESSAGES[code] ?? `Error ${code}.`;
}

/**
 * A pCloud method error. Handlers throw it; the dispatcher turns it into
 * `{ result: code, error: message, ...extra }`.
 */
export class ApiError extends Error {
  readonly code: number;
  readonly extra: Record<string, unknown> | undefined;
  constructor(code: number, extra?: Record<string, unknown>) {
    super(errorMessage(code));
    this.name = 'ApiError';
    this.code = code;
    this.extra = extra;
  }
}

/**
 * Thrown when the request is something pCloud answers by dropping the
 * connection (unknown method name, unparseable request).
 */
export class DropConnection extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'DropConnection';
  }
}
