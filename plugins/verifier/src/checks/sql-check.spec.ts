import { describe, expect, it } from 'vitest';
import { checkSql, tableDefinitions } from './sql-check.ts';
import { toSqlite } from './sqlite-dialect.ts';

const SCHEMA = 'orders(order_id INT PRIMARY KEY, customer_id INT, order_date DATE, amount DECIMAL(10,2))';
const answer = (sql: string) => `\`\`\`sql\n${sql}\n\`\`\`\n\nポイント: 期間で絞り込みます。`;

describe('checkSql', () => {
  it('runs a PostgreSQL-style query on tables made from the definitions in the input', () => {
    const r = checkSql(
      '2025年の顧客別売上を出すSQL',
      SCHEMA,
      answer(
        "SELECT customer_id, SUM(amount)::int AS total, EXTRACT(YEAR FROM order_date) AS y\nFROM orders\nWHERE order_date >= DATE '2025-01-01'\nGROUP BY customer_id\nORDER BY total DESC;",
      ),
    );
    expect(r).toEqual({ check: 'sql', status: 'passed', note: 'runs on 1 table(s)' });
  });

  it('fails a syntax error with the SQLite message, and a column the tables do not have', () => {
    const typo = checkSql('SQL', SCHEMA, answer('SELECT customer_id\nFORM orders;'));
    expect(typo.status).toBe('failed');
    expect(typo.error).toMatch(/^the query does not run: near "orders": syntax error/);
    const column = checkSql('SQL', SCHEMA, answer('SELECT customer_name FROM orders;'));
    expect(column).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('no such column: customer_name'),
    });
  });

  it('compares with the expected rows the input gives, using its INSERT rows', () => {
    const input = `CREATE TABLE t (id INT, v INT);\nINSERT INTO t VALUES (1, 10), (2, 20);\nexpected: [[30]]`;
    expect(checkSql('SQL', input, answer('SELECT SUM(v) FROM t;')).status).toBe('passed');
    expect(checkSql('SQL', input, answer('SELECT MAX(v) FROM t;'))).toMatchObject({
      status: 'failed',
      error: 'the query returns [[20]], expected [[30]]',
    });
  });

  it('checks only the syntax without table definitions, and needs a query unless told otherwise', () => {
    expect(checkSql('SQL', '', answer('SELECT * FROM employees;')).status).toBe('skipped');
    expect(checkSql('SQL', '', answer('SELECT * FORM employees;')).status).toBe('failed');
    expect(checkSql('SQL', '', 'No query here.').status).toBe('failed');
    expect(checkSql('Python', '', 'print(1)', { required: false }).status).toBe('skipped');
  });

  it('reads short table definitions and rewrites dialect forms', () => {
    expect(tableDefinitions(`- ${SCHEMA}\n説明文(これは表ではない)`)).toEqual([
      `CREATE TABLE orders (${SCHEMA.slice(7, -1)});`,
    ]);
    expect(toSqlite("x::int + 1, DATE '2025-01-01', CURRENT_DATE - INTERVAL '5 years'")).toBe(
      "x + 1, '2025-01-01', CURRENT_DATE",
    );
  });
});
