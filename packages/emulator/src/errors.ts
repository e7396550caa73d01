import { errorMessages } from '@pcloudkit/catalog';

/** Code -> the message text pCloud sends with it, from the catalogue. */
export const ERROR_MESSAGES: Readonly<Record<number, string>> = errorMessages;

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
