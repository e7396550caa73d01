export { planCases, outOfRange, isReference, UNKNOWN, WRONG_TYPE } from './cases.js';
export type { Case, CaseKind, CasePlan, Expect, PlanOptions, Value, Values } from './cases.js';
export { checkAnswer, checkMetadata, checkType, compareAnswers, documentedCodes } from './check.js';
export type { Finding } from './check.js';
export { deviations } from './deviations.js';
export type { DeliberateDeviation } from './deviations.js';
export {
  CONDITIONAL_OUTPUT,
  GENERAL_CODES,
  METADATA_FIELDS,
  NOTED_CODES,
  OUTPUT_ALSO_FALSE,
  STATE_LISTS,
  TIME_DEPENDENT,
  VARYING_FIELDS,
} from './facts.js';
export { DEFAULTS, FIXTURES, FixtureEnv, fixtureFor, NOT_CALLABLE } from './fixtures.js';
export type { Fixture, FixtureContext } from './fixtures.js';
export { binaryCall, httpCall } from './protocol.js';
export type { Answer, Endpoints, Protocol } from './protocol.js';
export { formatReport, totalLine } from './report.js';
export { runConformance } from './run.js';
export type { Deviation, MethodReport, MethodStatus, RunOptions, RunReport, ServerTarget } from './run.js';
export { checkEmulator, emulatorTarget } from './emulator.js';
