/**
 * Deliberate deviations: places where the emulator knowingly answers
 * differently from what the catalogue says, because pCloud's behaviour
 * cannot be reproduced here. `check` is the exact key the checker prints
 * (`<case>: <aspect>`). The emulator README lists these entries; a test
 * keeps the two in step. Keep this list short.
 */
export interface DeliberateDeviation {
  method: string;
  check: string;
  reason: string;
}

export const deviations: readonly DeliberateDeviation[] = [];
