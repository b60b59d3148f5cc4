import Database from 'better-sqlite3';
import { type CheckResult, clip, failed, fencedBlock, passed, skipped } from '../check-result.ts';
import type { SqlSpec } from '../verify-spec.ts';
import { addDialectFunctions, toSqlite } from './sqlite-dialect.ts';

export type { SqlSpec };

const CREATE = /CREATE\s+TABLE[\s\S]*?\)\s*;/gi;
const INSERT = /INSERT\s+INTO[\s\S]*?\)\s*;/gi;
const SHORT_DEF = /^[\s\-*・]*(?:テーブル[::]\s*)?`?([A-Za-z_][\w]*)`?\s*\(/;

/** `orders(order_id INT PRIMARY KEY, amount DECIMAL(10,2))` lines → CREATE TABLE statements. */
export function tableDefinitions(text: string): string[] {
  const out = [...(text.match(CREATE) ?? [])];
  if (out.length > 0) return out;
  for (const line of text.split('\n')) {
    const m = SHORT_DEF.exec(line);
    if (!m) continue;
    let depth = 0;
    let end = -1;
    const start = m[0].length - 1;
    for (let i = start; i < line.length; i++) {
      if (line[i] === '(') depth++;
      else if (line[i] === ')') {
        depth--;
        if (depth === 0) {
          end = i;
          break;
        }
      }
    }
    if (end < 0) continue;
    const columns = line.slice(start + 1, end).trim();
    if (columns === '' || !/^[A-Za-z_`"]/.test(columns)) continue;
    out.push(`CREATE TABLE ${m[1]} (${columns});`);
  }
  return out;
}

/** The query of an answer: its ```sql block, or the whole output when it starts like a query. */
export function queryOf(output: string): string | undefined {
  const block = fencedBlock(output, ['sql', 'postgresql', 'postgres', 'mysql', 'sqlite']);
  if (block !== undefined) return block;
  const t = output.trim();
  return /^(SELECT|WITH|INSERT|UPDATE|DELETE)\b/i.test(t) ? t : undefined;
}

function expectedRows(input: string): unknown[] | undefined {
  const m = /(?:expected(?: result)?|期待する結果|期待される結果)\s*[::]\s*(\[[\s\S]*\])/i.exec(input);
  if (!m) return undefined;
  try {
    const v = JSON.parse(m[1]!) as unknown;
    return Array.isArray(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function statements(sql: string): string[] {
  return sql
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter(
      (s) =>
        s !== '' &&
        !/^--/.test(s.replace(/^(--[^\n]*\n\s*)+/, '')) &&
        s.replace(/--[^\n]*/g, '').trim() !== '',
    );
}

const SYNTAX = /syntax error|incomplete input|unrecognized token|near "/i;

/**
 * Runs the answer's query in an in-memory SQLite database made from the table
 * definitions (and INSERT rows) in the input and instruction. Fails on a
 * syntax error, on a table or column the definitions do not have, and — when
 * the input gives `expected: [...]` rows — on a different result. Without
 * table definitions only the syntax is checked.
 */
export function checkSql(
  instruction: string,
  input: string,
  output: string,
  spec: SqlSpec = {},
): CheckResult {
  const query = queryOf(output);
  if (query === undefined) {
    return spec.required === false
      ? skipped('sql', 'the output has no SQL query')
      : failed('sql', 'the output has no SQL query (a ```sql block)');
  }
  const context = `${input}\n${instruction}`;
  const tables = tableDefinitions(context);
  const db = new Database(':memory:');
  try {
    addDialectFunctions(db);
    for (const def of tables) {
      try {
        db.exec(toSqlite(def));
      } catch {
        // A definition SQLite cannot read is left out; its queries then stay unchecked.
      }
    }
    for (const insert of context.match(INSERT) ?? []) {
      try {
        db.exec(toSqlite(insert));
      } catch {
        // Rows that do not fit the definitions are left out.
      }
    }
    let rows: unknown[] = [];
    for (const statement of statements(query)) {
      const sql = toSqlite(statement);
      try {
        const prepared = db.prepare(sql);
        if (prepared.reader) rows = prepared.raw(true).all();
        else prepared.run();
      } catch (err) {
        const message = (err as Error).message;
        if (SYNTAX.test(message))
          return failed('sql', `the query does not run: ${message} (in: ${clip(statement)})`);
        if (/no such (table|column)/i.test(message)) {
          if (tables.length === 0)
            return skipped('sql', `no table definitions in the input to run against (${message})`);
          return failed('sql', `the query does not run on the given tables: ${message}`);
        }
        if (/no such function/i.test(message)) return skipped('sql', `cannot run here: ${message}`);
        return failed('sql', `the query does not run: ${message}`);
      }
    }
    const expected = spec.compareExpected === false ? undefined : expectedRows(input);
    if (expected) {
      const got = rows.map((r) => (Array.isArray(r) ? r : [r]));
      const want = expected.map((r) =>
        Array.isArray(r) ? r : r && typeof r === 'object' ? Object.values(r) : [r],
      );
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        return failed(
          'sql',
          `the query returns ${clip(JSON.stringify(got), 200)}, expected ${clip(JSON.stringify(want), 200)}`,
        );
      }
      return passed('sql', `runs and returns the expected ${want.length} row(s)`);
    }
    return passed('sql', tables.length > 0 ? `runs on ${tables.length} table(s)` : 'syntax');
  } finally {
    db.close();
  }
}
