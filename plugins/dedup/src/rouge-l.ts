import { hashString32 } from './hash32.ts';

const CJK = '\\p{scx=Han}\\p{scx=Hira}\\p{scx=Kana}\\p{scx=Hang}';
// A CJK letter or digit on its own, or a run of other letters, digits and
// combining marks. Punctuation (including 、。「」, whose script extensions are
// CJK) and whitespace separate tokens and are dropped.
// A word is cut after 256 characters: a repetition over a Unicode class with
// astral characters recurses per character in V8, and an unbounded one
// overflowed the stack on a long word (a 10 MB field).
const TOKEN = new RegExp(`(?=[\\p{L}\\p{N}])([${CJK}])|((?:(?![${CJK}])[\\p{L}\\p{N}\\p{M}]){1,256})`, 'gu');
/**
 * Tokens ROUGE-L looks at per text: enough for any instruction, and it keeps
 * one LCS bounded (the bit-parallel LCS costs `⌈m/32⌉·n`).
 */
export const MAX_ROUGE_TOKENS = 4096;
// Word ids have the top bit set; code points are below 2^21, so a word never
// collides with a CJK character.
const WORD_BIT = 0x80000000;

/**
 * ROUGE-L tokens of a text, as numbers: NFKC and lower-case, then every CJK
 * character (Han, hiragana, katakana, hangul) is one token, and every run of
 * other letters and digits (a Latin word, a number) is one token.
 *
 * The usual ROUGE tokenizer keeps only `[a-z0-9]` words, so every Japanese
 * pair scores 0; characters are the natural unit for Japanese, and words stay
 * the unit for English, so mixed text works too. Only the first
 * {@link MAX_ROUGE_TOKENS} tokens are kept.
 *
 * @example
 * ```ts
 * rougeTokens('請求書の金額'); // 6 tokens, one per character
 * rougeTokens('Extract the total'); // 3 tokens
 * ```
 */
export function rougeTokens(text: string): Uint32Array {
  const t = text.normalize('NFKC').toLowerCase();
  const out = new Uint32Array(Math.min(t.length, MAX_ROUGE_TOKENS));
  let n = 0;
  // One pass over the code points with a class table: the same tokens as the
  // TOKEN expression (kept below as the definition), without a match object
  // per character.
  let i = 0;
  while (i < t.length && n < MAX_ROUGE_TOKENS) {
    const cp = t.codePointAt(i)!;
    const width = cp > 0xffff ? 2 : 1;
    const kind = classOf(cp);
    if (kind === CJK_TOKEN) {
      out[n++] = cp;
      i += width;
    } else if (kind === WORD_CHAR) {
      const start = i;
      let chars = 0;
      while (i < t.length && chars < MAX_WORD_CHARS) {
        const c = t.codePointAt(i)!;
        if (classOf(c) !== WORD_CHAR) break;
        i += c > 0xffff ? 2 : 1;
        chars++;
      }
      out[n++] = (hashString32(t.slice(start, i), 0x726f7567) | WORD_BIT) >>> 0;
    } else {
      i += width;
    }
  }
  return n === out.length ? out : out.slice(0, n);
}

/** The token expression the scanner in {@link rougeTokens} follows, for tests and reference. */
export const ROUGE_TOKEN_PATTERN = TOKEN;

const SEPARATOR = 1;
const CJK_TOKEN = 2;
const WORD_CHAR = 3;
const MAX_WORD_CHARS = 256;
const IS_CJK = new RegExp(`^[${CJK}]$`, 'u');
const IS_LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u;
const IS_WORD_CHAR = /^[\p{L}\p{N}\p{M}]$/u;
/** Class of each BMP code point, filled in on first sight (0 = not yet). */
const bmpClass = new Uint8Array(0x10000);

function classOf(cp: number): number {
  if (cp < 0x10000) {
    const known = bmpClass[cp]!;
    if (known !== 0) return known;
    const kind = classify(cp);
    bmpClass[cp] = kind;
    return kind;
  }
  return classify(cp);
}

function classify(cp: number): number {
  const ch = String.fromCodePoint(cp);
  if (IS_CJK.test(ch)) return IS_LETTER_OR_DIGIT.test(ch) ? CJK_TOKEN : SEPARATOR;
  return IS_WORD_CHAR.test(ch) ? WORD_CHAR : SEPARATOR;
}

function popcount32(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/**
 * A token sequence prepared for many LCS computations against it: the
 * bit-parallel algorithm (Allison–Dix, Hyyrö) does `⌈m/32⌉` word operations
 * per token of the other sequence instead of `m` DP cells.
 *
 * @example
 * ```ts
 * const pattern = new LcsPattern(rougeTokens('請求書の金額を抽出してください'));
 * pattern.rougeL(rougeTokens('請求書から金額を抽出してください')); // ≈ 0.90
 * ```
 */
export class LcsPattern {
  readonly length: number;
  private readonly words: number;
  /** Open-addressing table token → offset of its match mask (−1 = absent); a Map lookup per token was the hot spot. */
  private readonly keys: Int32Array;
  private readonly offsets: Int32Array;
  private readonly mask: number;
  private readonly masks: Int32Array;
  private readonly v: Int32Array;

  constructor(tokens: ArrayLike<number>) {
    this.length = tokens.length;
    this.words = Math.max(1, Math.ceil(tokens.length / 32));
    let size = 16;
    while (size < tokens.length * 2) size *= 2;
    this.keys = new Int32Array(size);
    this.offsets = new Int32Array(size).fill(-1);
    this.mask = size - 1;
    let distinct = 0;
    const slotOf = new Int32Array(tokens.length);
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]! | 0;
      let h = Math.imul(t, 0x9e3779b1) & this.mask;
      while (this.offsets[h] !== -1 && this.keys[h] !== t) h = (h + 1) & this.mask;
      if (this.offsets[h] === -1) {
        this.keys[h] = t;
        this.offsets[h] = distinct++ * this.words;
      }
      slotOf[i] = this.offsets[h]!;
    }
    this.masks = new Int32Array(distinct * this.words);
    for (let i = 0; i < tokens.length; i++) {
      const at = slotOf[i]! + (i >>> 5);
      this.masks[at] = this.masks[at]! | (1 << (i & 31));
    }
    this.v = new Int32Array(this.words);
  }

  private offsetOf(token: number): number {
    const t = token | 0;
    for (let h = Math.imul(t, 0x9e3779b1) & this.mask; ; h = (h + 1) & this.mask) {
      const o = this.offsets[h]!;
      if (o === -1 || this.keys[h] === t) return o;
    }
  }

  /** Length of the longest common subsequence of the pattern and `other[start, end)`. */
  lcs(other: ArrayLike<number>, start = 0, end = other.length): number {
    const m = this.length;
    if (m === 0 || end <= start) return 0;
    const words = this.words;
    const v = this.v;
    const masks = this.masks;
    v.fill(-1);
    for (let k = start; k < end; k++) {
      const slot = this.offsetOf(other[k]!);
      if (slot < 0) continue;
      let carry = 0;
      for (let w = 0; w < words; w++) {
        const vw = v[w]! >>> 0;
        const uw = (vw & masks[slot + w]!) >>> 0;
        const sum = vw + uw + carry;
        carry = sum > 0xffffffff ? 1 : 0;
        v[w] = sum | 0 | (vw & ~uw);
      }
    }
    let ones = 0;
    const full = m >>> 5;
    for (let w = 0; w < full; w++) ones += popcount32(v[w]!);
    const rest = m & 31;
    if (rest > 0) ones += popcount32(v[full]! & ((1 << rest) - 1));
    return m - ones;
  }

  /** ROUGE-L F1 (β = 1) of the pattern against `other[start, end)`: `2·LCS / (m + n)`. */
  rougeL(other: ArrayLike<number>, start = 0, end = other.length): number {
    const total = this.length + (end - start);
    if (total === 0) return 1;
    return (2 * this.lcs(other, start, end)) / total;
  }
}

/**
 * ROUGE-L F1 of two token sequences (see {@link rougeTokens}).
 *
 * @example
 * ```ts
 * rougeL(rougeTokens('請求書の金額を抽出してください'), rougeTokens('請求書から金額を抽出してください')); // ≈ 0.90
 * ```
 */
export function rougeL(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return new LcsPattern(a).rougeL(b);
}

/**
 * The highest ROUGE-L F1 two sequences of these lengths can reach (when one
 * contains the other): pairs below the threshold need no LCS.
 *
 * @example
 * ```ts
 * rougeLUpperBound(10, 30); // 0.5
 * ```
 */
export function rougeLUpperBound(m: number, n: number): number {
  return m + n === 0 ? 1 : (2 * Math.min(m, n)) / (m + n);
}
