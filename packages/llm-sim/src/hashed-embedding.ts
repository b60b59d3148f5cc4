function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Feature-hashed character trigrams, L2-normalised: deterministic, and similar
 * texts get a high cosine similarity, which is what dedup tests need.
 */
export function hashedEmbedding(text: string, dimensions: number): number[] {
  const v = new Array<number>(dimensions).fill(0);
  const chars = [...` ${text.toLowerCase()} `];
  const n = Math.max(1, chars.length - 2);
  for (let i = 0; i < n; i++) {
    const gram = chars.slice(i, i + 3).join('');
    const h = fnv1a(gram);
    v[h % dimensions]! += (h & 0x80000000) === 0 ? 1 : -1;
  }
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0)) || 1;
  return v.map((x) => x / norm);
}
