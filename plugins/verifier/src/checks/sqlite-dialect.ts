import type Database from 'better-sqlite3';

/**
 * Rewrites the PostgreSQL and MySQL forms that example answers use (the
 * sql-query category asks for PostgreSQL by default) into forms SQLite runs,
 * so that a query is judged on its syntax and its tables and columns, not on
 * the dialect: typed literals (`DATE '2025-01-01'`), casts (`x::int`),
 * `EXTRACT(YEAR FROM x)`, intervals, `STRING_AGG(x, ',' ORDER BY y)`, `ILIKE`
 * and `FETCH FIRST n ROWS ONLY`. The functions SQLite lacks are added by
 * {@link addDialectFunctions}.
 */
export function toSqlite(sql: string): string {
  return sql
    .replace(/\b(?:DATE|TIMESTAMP|TIME)\s+('[^']*')/gi, '$1')
    .replace(/::\s*[A-Za-z_]+(?:\s+[A-Za-z_]+)?(?:\s*\(\s*\d+(?:\s*,\s*\d+)?\s*\))?(?:\[\])?/g, '')
    .replace(/\bEXTRACT\s*\(\s*([A-Za-z]+)\s+FROM\s+/gi, "extract_part('$1', ")
    .replace(/\s*[+-]\s*INTERVAL\s*'[^']*'/gi, '')
    .replace(/\bINTERVAL\s*'[^']*'/gi, '0')
    .replace(/\bILIKE\b/gi, 'LIKE')
    .replace(/\bFETCH\s+(?:FIRST|NEXT)\s+(\d+)\s+ROWS?\s+ONLY\b/gi, 'LIMIT $1')
    .replace(/(\bSTRING_AGG\s*\((?:[^()]|\([^()]*\))*?)\s+ORDER\s+BY\s+(?:[^()]|\([^()]*\))*?\)/gi, '$1)')
    .replace(
      /\bGROUP_CONCAT\s*\(\s*((?:[^()]|\([^()]*\))*?)\s+SEPARATOR\s+('[^']*')\s*\)/gi,
      'group_concat($1, $2)',
    );
}

const toDate = (v: unknown): Date | undefined => {
  if (v === null || v === undefined) return undefined;
  const d = new Date(typeof v === 'number' ? v : String(v));
  return Number.isNaN(d.getTime()) ? undefined : d;
};

/** Functions of PostgreSQL and MySQL that SQLite lacks, with their usual meaning. */
export function addDialectFunctions(db: Database.Database): void {
  const opts = { deterministic: true, varargs: true } as const;
  db.function('date_trunc', opts, (unit: unknown, value: unknown) => {
    const d = toDate(value);
    if (!d) return null;
    const u = String(unit).toLowerCase();
    const y = d.getUTCFullYear();
    const m = u === 'year' ? 0 : u === 'quarter' ? Math.floor(d.getUTCMonth() / 3) * 3 : d.getUTCMonth();
    const day = u === 'day' ? d.getUTCDate() : 1;
    return new Date(Date.UTC(y, m, day)).toISOString().slice(0, 10);
  });
  db.function('extract_part', opts, (part: unknown, value: unknown) => {
    const d = toDate(value);
    if (typeof value === 'number' && String(part).toLowerCase() === 'year') return value;
    if (!d) return null;
    switch (String(part).toLowerCase()) {
      case 'year':
        return d.getUTCFullYear();
      case 'month':
        return d.getUTCMonth() + 1;
      case 'day':
        return d.getUTCDate();
      case 'dow':
        return d.getUTCDay();
      case 'hour':
        return d.getUTCHours();
      default:
        return null;
    }
  });
  db.function('date_part', opts, (part: unknown, value: unknown) => {
    const d = toDate(value);
    if (!d) return null;
    const p = String(part).toLowerCase();
    return p === 'year' ? d.getUTCFullYear() : p === 'month' ? d.getUTCMonth() + 1 : d.getUTCDate();
  });
  db.function('age', opts, (a: unknown, b?: unknown) => {
    const later = b === undefined ? new Date() : toDate(a);
    const earlier = toDate(b === undefined ? a : b);
    if (!later || !earlier) return null;
    return (later.getTime() - earlier.getTime()) / (365.25 * 86_400_000);
  });
  db.function('now', { varargs: true }, () => new Date().toISOString());
  db.function('curdate', { varargs: true }, () => new Date().toISOString().slice(0, 10));
  db.function('to_char', opts, (v: unknown) => (v === null ? null : String(v)));
  db.function('date_format', opts, (v: unknown) => (v === null ? null : String(v)));
  db.function('greatest', opts, (...xs: unknown[]) => Math.max(...(xs as number[])));
  db.function('least', opts, (...xs: unknown[]) => Math.min(...(xs as number[])));
  db.function('datediff', opts, (a: unknown, b: unknown) => {
    const x = toDate(a);
    const y = toDate(b);
    return x && y ? Math.round((x.getTime() - y.getTime()) / 86_400_000) : null;
  });
  db.aggregate('string_agg', {
    varargs: true,
    start: () => [] as string[],
    step: (acc: string[], value: unknown) => {
      if (value !== null && value !== undefined) acc.push(String(value));
      return acc;
    },
    result: (acc: string[]) => acc.join(', '),
  });
}
