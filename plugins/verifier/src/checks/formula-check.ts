import { DetailedCellError, HyperFormula } from 'hyperformula';
import { type CheckResult, clip, failed, passed, skipped } from '../check-result.ts';

/**
 * Functions of Excel or Google Sheets that HyperFormula does not implement: a
 * formula using them is reported as not checkable, not as wrong.
 */
const KNOWN_ELSEWHERE = new Set([
  'QUERY',
  'ARRAYFORMULA',
  'IMPORTRANGE',
  'IMPORTDATA',
  'IMPORTHTML',
  'GOOGLEFINANCE',
  'GOOGLETRANSLATE',
  'REGEXMATCH',
  'REGEXEXTRACT',
  'REGEXREPLACE',
  'SPLIT',
  'LET',
  'LAMBDA',
  'MAP',
  'REDUCE',
  'BYROW',
  'BYCOL',
  'SCAN',
  'MAKEARRAY',
  'SORTBY',
  'SEQUENCE',
  'TEXTSPLIT',
  'TEXTBEFORE',
  'TEXTAFTER',
  'VSTACK',
  'HSTACK',
  'TOCOL',
  'TOROW',
  'CHOOSECOLS',
  'CHOOSEROWS',
  'TAKE',
  'DROP',
  'XMATCH',
  'FLATTEN',
  'SPARKLINE',
  'IMAGE',
  'HYPERLINK',
  'JOIN',
  'CONCAT',
  'NETWORKDAYS.INTL',
]);
const REGISTERED = new Set(HyperFormula.getRegisteredFunctionNames('enGB'));
const SHEET_REF = /(^|[^\w'!$.\]])([^\s'!(),=&+\-*/<>:;"$0-9.[\]{}][^\s'!(),=&+\-*/<>:;"[\]{}]*)!/gu;

/** The formulas of an answer: fenced lines, or inline `code`, that start with `=`. */
export function formulasOf(output: string): string[] {
  const out: string[] = [];
  for (const m of output.matchAll(/(`{3,})[^\n]*\n([\s\S]*?)\n?\1(?!`)/g)) {
    for (const line of m[2]!.split('\n')) if (line.trim().startsWith('=')) out.push(line.trim());
  }
  if (out.length === 0) for (const m of output.matchAll(/`(=[^`\n]+)`/g)) out.push(m[1]!.trim());
  return out;
}

/** Excel and Sheets spellings HyperFormula reads differently: sheet names, TRUE/FALSE, spills, open ranges. */
function toHyperFormula(formula: string): { formula: string; sheets: string[] } {
  const sheets = new Set<string>();
  let f = formula.replace(/'([^']+)'!/g, (_, name: string) => {
    sheets.add(name);
    return `'${name}'!`;
  });
  f = f.replace(SHEET_REF, (_, pre: string, name: string) => {
    sheets.add(name);
    return `${pre}'${name}'!`;
  });
  f = f
    .replace(/\b(TRUE|FALSE)\b(?!\s*\()/gi, '$1()')
    .replace(/(\$?[A-Z]{1,3}\$?\d+)#/g, '$1')
    .replace(/(\$?[A-Z]{1,3}\$?\d+):(\$?[A-Z]{1,3})(?![\w$(])/g, '$1:$21000');
  return { formula: f, sheets: [...sheets] };
}

/** A Markdown or tab-separated table in the input, as rows of cells (numbers where they look like numbers). */
export function tableOf(input: string): (string | number)[][] {
  const rows: (string | number)[][] = [];
  for (const line of input.split('\n')) {
    const t = line.trim();
    if (!t.startsWith('|') || /^\|[\s:|-]+\|$/.test(t)) continue;
    const cells = t
      .replace(/^\||\|$/g, '')
      .split('|')
      .map((c) => c.trim());
    rows.push(cells.map((c) => (/^-?[\d,]+(\.\d+)?$/.test(c) ? Number(c.replace(/,/g, '')) : c)));
  }
  return rows;
}

/**
 * One engine for the process, its sheets replaced for each answer: building
 * an engine (its formula parser) costs far more than checking a formula.
 */
let shared: HyperFormula | undefined;

/** The shared engine holding exactly `content`'s sheets (Sheet1 first), nothing of an earlier answer. */
function engineWith(content: Record<string, (string | number)[][]>): HyperFormula {
  if (!shared) {
    shared = HyperFormula.buildFromSheets(content, { licenseKey: 'gpl-v3', undoLimit: 0 });
    return shared;
  }
  const hf = shared;
  hf.batch(() => {
    for (const name of hf.getSheetNames()) {
      if (!(name in content)) hf.removeSheet(hf.getSheetId(name)!);
    }
    for (const [name, cells] of Object.entries(content)) {
      if (hf.getSheetId(name) === undefined) hf.addSheet(name);
      hf.setSheetContent(hf.getSheetId(name)!, cells);
    }
  });
  return hf;
}

/**
 * Parses and evaluates each formula of an answer with HyperFormula, on a
 * sheet holding the input's table (if it has one, from A1) and on the other
 * sheets the formula names. Fails when a formula does not parse, or uses a
 * function or name that neither HyperFormula nor Excel / Google Sheets has.
 * Errors that come from the data (#N/A, #VALUE!, #DIV/0! on an empty sheet)
 * are not failures.
 */
export function checkFormula(input: string, output: string): CheckResult {
  const formulas = formulasOf(output);
  if (formulas.length === 0)
    return failed('formula', 'the output has no formula (a line starting with = in a code block)');
  const notCheckable: string[] = [];
  const runnable: { original: string; formula: string }[] = [];
  const content: Record<string, (string | number)[][]> = { Sheet1: tableOf(input) };
  for (const original of formulas) {
    const { formula, sheets } = toHyperFormula(original);
    const used = [...formula.matchAll(/([A-Z][A-Z0-9.]*)\s*\(/g)].map((m) => m[1]!);
    const foreign = used.filter((n) => !REGISTERED.has(n) && KNOWN_ELSEWHERE.has(n));
    if (foreign.length > 0) {
      notCheckable.push(foreign[0]!);
      continue;
    }
    const unknown = used.filter((n) => !REGISTERED.has(n) && n !== 'TRUE' && n !== 'FALSE');
    if (unknown.length > 0) {
      return failed(
        'formula',
        `${clip(original)} uses ${unknown[0]}, which is not an Excel or Google Sheets function`,
      );
    }
    for (const sheet of sheets) if (!(sheet in content)) content[sheet] = [];
    runnable.push({ original, formula });
  }
  if (runnable.length === 0)
    return skipped('formula', `uses ${notCheckable.join(', ')}, which the formula engine does not have`);
  const hf = engineWith(content);
  {
    const sheet = hf.getSheetId('Sheet1')!;
    for (const { original, formula } of runnable) {
      if (!hf.validateFormula(formula))
        return failed('formula', `${clip(original)} does not parse as a spreadsheet formula`);
      let value: unknown;
      try {
        value = hf.calculateFormula(formula, sheet);
      } catch (err) {
        return failed('formula', `${clip(original)} does not parse: ${(err as Error).message}`);
      }
      const errors = (Array.isArray(value) ? value.flat() : [value]).filter(
        (v): v is DetailedCellError => v instanceof DetailedCellError,
      );
      const fatal = errors.find((e) => e.type === 'NAME' || e.type === 'ERROR');
      if (fatal) return failed('formula', `${clip(original)}: ${fatal.message}`);
    }
  }
  return passed('formula', `${runnable.length} formula(s) evaluated`);
}
