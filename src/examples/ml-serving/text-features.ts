/**
 * Feature preparation from free text: tokens hashed into a fixed-size vector (the "hashing trick",
 * so the model needs no vocabulary file), plus counts and simple statistics. Pure and deterministic:
 * the same text always gives the same features, which is what makes caching predictions sound.
 */

/** Size of the dense vector returned to clients. */
export const FEATURE_VECTOR_SIZE = 64;
/** Size of the sparse space the model learns over (unigrams and bigrams). */
export const MODEL_HASH_SPACE = 1 << 12;

export interface TextFeatures {
  token_count: number;
  unique_tokens: number;
  char_count: number;
  avg_token_length: number;
  digit_ratio: number;
  uppercase_ratio: number;
  /** L2-normalised token counts hashed into FEATURE_VECTOR_SIZE buckets, rounded to 4 decimals. */
  vector: number[];
}

/** Sparse hashed counts: bucket index -> count. */
export type SparseVector = Map<number, number>;

/** FNV-1a, 32 bit: fast, good spread for short strings, no dependency. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export function tokenize(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [];
}

/** Unigrams and bigrams hashed into `space` buckets; the model's input. */
export function hashedTerms(tokens: readonly string[], space = MODEL_HASH_SPACE): SparseVector {
  const out: SparseVector = new Map();
  const add = (term: string) => {
    const index = fnv1a(term) % space;
    out.set(index, (out.get(index) ?? 0) + 1);
  };
  for (let i = 0; i < tokens.length; i++) {
    add(tokens[i]!);
    if (i > 0) add(`${tokens[i - 1]} ${tokens[i]}`);
  }
  return out;
}

export function prepareFeatures(text: string): { features: TextFeatures; tokens: string[] } {
  const tokens = tokenize(text);
  const vector = new Array<number>(FEATURE_VECTOR_SIZE).fill(0);
  let tokenChars = 0;
  for (const token of tokens) {
    vector[fnv1a(token) % FEATURE_VECTOR_SIZE]! += 1;
    tokenChars += token.length;
  }
  const norm = Math.sqrt(vector.reduce((sum, v) => sum + v * v, 0));
  let digits = 0;
  let upper = 0;
  let letters = 0;
  for (const ch of text) {
    if (ch >= '0' && ch <= '9') digits++;
    else if (ch.toLowerCase() !== ch.toUpperCase()) {
      letters++;
      if (ch === ch.toUpperCase()) upper++;
    }
  }
  const chars = text.length;
  return {
    tokens,
    features: {
      token_count: tokens.length,
      unique_tokens: new Set(tokens).size,
      char_count: chars,
      avg_token_length: tokens.length ? round4(tokenChars / tokens.length) : 0,
      digit_ratio: chars ? round4(digits / chars) : 0,
      uppercase_ratio: letters ? round4(upper / letters) : 0,
      vector: vector.map((v) => (norm ? round4(v / norm) : 0)),
    },
  };
}

function round4(n: number): number {
  return Math.round(n * 10_000) / 10_000;
}
