/**
 * Deliberate deviations: places where the emulator knowingly answers
 * differently from what the catalogue says, because pCloud's behaviour
 * cannot be reproduced or is not documented. `check` is the exact key the
 * checker prints (`<case>: <aspect>`). The emulator README lists these
 * entries; a test keeps the two in step. Keep this list short.
 */
export interface DeliberateDeviation {
  method: string;
  check: string;
  reason: string;
}

export const deviations: readonly DeliberateDeviation[] = [
  {
    method: 'oauth2_token',
    check: 'missing code: result',
    reason:
      "pCloud documents no error codes for oauth2_token; the emulator answers 1022 (Please provide 'code'.), pCloud's code for a missing code elsewhere",
  },
  {
    method: 'oauth2_token',
    check: 'unknown code: result',
    reason:
      "pCloud documents no error codes for oauth2_token; the emulator answers 2012 (Invalid 'code' provided.) for an unknown, used or expired code",
  },
];
