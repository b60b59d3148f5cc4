/**
 * `@tane/plugin-verifier`: programmatic checks of generated examples, before
 * the judge. The default export is the plugin; the checks are exported for
 * tools and benchmarks.
 */
export type { CheckName, CheckResult } from './check-result.ts';
export { checkArithmetic, type Equation, equationsIn } from './checks/arithmetic-check.ts';
export { checkFormula, formulasOf } from './checks/formula-check.ts';
export { checkJson, type JsonSpec, jsonTextOf, keysNamedIn } from './checks/json-check.ts';
export { checkLanguage, japaneseShare } from './checks/lang-check.ts';
export { checkLength, type LengthSpec } from './checks/length-check.ts';
export { checkPatterns, type RegexSpec } from './checks/regex-check.ts';
export { checkSql, queryOf, type SqlSpec, tableDefinitions } from './checks/sql-check.ts';
export { toSqlite } from './checks/sqlite-dialect.ts';
export { type VerifierConfig, verifierConfigSchema } from './verifier-config.ts';
export { type VerificationMeta, verifierPlugin as default } from './verifier-plugin.ts';
export { type VerifiableExample, type Verification, verifyExample } from './verify-example.ts';
export { type VerifySpec, verifySpecSchema } from './verify-spec.ts';
