import { BitReader, BitWriter, unzigzag, zigzag } from './bit-stream.js';

/**
 * Lossless compression of a run of points (a "chunk" of history), after the ideas of Facebook's
 * Gorilla and Prometheus's TSDB: timestamps and values are columns, each stored as the change of
 * the change from one point to the next, which is small or zero for regular sampling, counters
 * and slowly moving gauges.
 *
 * Each column is coded one of two ways, whichever applies:
 * - decimal: every value is an integer divided by a power of ten (10^0…10^9) and reading it
 *   back gives the very same double (timestamps in ms, counters, byte gauges, 0/1 probe results,
 *   latencies to the microsecond). The integers' deltas are divided by their greatest common
 *   divisor (page-sized memory steps) and Rice-coded, as deltas or deltas of deltas, whichever is
 *   shorter, with the Rice parameter that makes this chunk shortest;
 * - raw: 64 bits per value, for anything else (NaN never reaches the store; -0 does not round-trip).
 * Lossless means a budget computed from history equals the one from the raw points: the chunk
 * is the same data, smaller.
 *
 *   chunk := count u32, column(t), column(v)
 *   column := mode 1 bit; raw: count × 64 bits;
 *             decimal: scale 4 bits, zigzag(first) 51 bits, and with two values or more:
 *             gcd 51 bits, order 1 bit (0 delta, 1 delta of delta), rest-zero 1 bit, rice k 6 bits,
 *             count − 1 Rice codes (only the first when rest-zero says the others are all 0)
 *   rice(z, k) := q = z >> k below ESCAPE: q ones, a zero, the k low bits; else ESCAPE ones and z in 53 bits
 */

/** Integers up to 2^49 in magnitude: their deltas of deltas stay exact (below 2^53) after zigzag. */
const MAX_INT = 2 ** 49;
const MAX_SCALE = 9;
const ESCAPE = 24;
const POW10 = Array.from({ length: MAX_SCALE + 1 }, (_, i) => 10 ** i);

export interface ChunkPoints {
  readonly t: Float64Array;
  readonly v: Float64Array;
}

export function encodeChunk(t: ArrayLike<number>, v: ArrayLike<number>): Uint8Array {
  const w = new BitWriter();
  w.write(t.length, 32);
  writeColumn(w, t);
  writeColumn(w, v);
  return w.finish();
}

export function decodeChunk(bytes: Uint8Array): ChunkPoints {
  const r = new BitReader(bytes);
  const n = r.read(32);
  const t = readColumn(r, n);
  const v = readColumn(r, n);
  return { t, v };
}

/** The number of points in a chunk, without decoding it. */
export function chunkCount(bytes: Uint8Array): number {
  return new BitReader(bytes).read(32);
}

function writeColumn(w: BitWriter, values: ArrayLike<number>): void {
  const n = values.length;
  const scale = decimalScale(values);
  if (scale === null) {
    w.writeBit(0);
    const word = new DataView(new ArrayBuffer(8));
    for (let i = 0; i < n; i++) {
      word.setFloat64(0, values[i]!);
      w.write(word.getUint32(0), 32);
      w.write(word.getUint32(4), 32);
    }
    return;
  }
  w.writeBit(1);
  w.write(scale, 4);
  const p = POW10[scale]!;
  const ints = new Float64Array(n);
  for (let i = 0; i < n; i++) ints[i] = Math.round(values[i]! * p) + 0;
  w.write(zigzag(ints[0]!), 51);
  if (n < 2) return;
  let g = 0;
  for (let i = 1; i < n; i++) g = gcd(g, Math.abs(ints[i]! - ints[i - 1]!));
  if (g === 0) g = 1;
  const deltas = new Float64Array(n - 1);
  for (let i = 1; i < n; i++) deltas[i - 1] = (ints[i]! - ints[i - 1]!) / g;
  const dods = new Float64Array(n - 1);
  dods[0] = deltas[0]!;
  for (let i = 1; i < n - 1; i++) dods[i] = deltas[i]! - deltas[i - 1]!;
  const byDelta = bestRice(deltas);
  const byDod = bestRice(dods);
  const useDod = byDod.bits < byDelta.bits;
  const { k } = useDod ? byDod : byDelta;
  const codes = useDod ? dods : deltas;
  // Regular sampling and constant values: every code after the first is zero, and none is written.
  let restZero = true;
  for (let i = 1; i < codes.length && restZero; i++) restZero = codes[i] === 0;
  w.write(g, 51);
  w.writeBit(useDod ? 1 : 0);
  w.writeBit(restZero ? 1 : 0);
  w.write(k, 6);
  for (let i = 0; i < (restZero ? 1 : codes.length); i++) writeRice(w, zigzag(codes[i]!), k);
}

function readColumn(r: BitReader, n: number): Float64Array {
  const out = new Float64Array(n);
  if (r.readBit() === 0) {
    const word = new DataView(new ArrayBuffer(8));
    for (let i = 0; i < n; i++) {
      word.setUint32(0, r.read(32));
      word.setUint32(4, r.read(32));
      out[i] = word.getFloat64(0);
    }
    return out;
  }
  const scale = r.read(4);
  if (scale > MAX_SCALE) throw new RangeError(`decimal scale ${scale}`);
  const p = POW10[scale]!;
  let int = unzigzag(r.read(51));
  if (n === 0) return out;
  out[0] = int / p;
  if (n < 2) return out;
  const g = r.read(51);
  const useDod = r.readBit() === 1;
  const restZero = r.readBit() === 1;
  const k = r.read(6);
  let delta = 0;
  for (let i = 1; i < n; i++) {
    const x = restZero && i > 1 ? 0 : unzigzag(readRice(r, k));
    delta = useDod && i > 1 ? delta + x : x;
    int += delta * g;
    out[i] = int / p;
  }
  return out;
}

/** The smallest power of ten that turns every value into an integer that reads back exactly; null if none. */
function decimalScale(values: ArrayLike<number>): number | null {
  next: for (let s = 0; s <= MAX_SCALE; s++) {
    const p = POW10[s]!;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      const int = Math.round(v * p) + 0;
      if (!(Math.abs(int) <= MAX_INT) || !Object.is(int / p, v)) continue next;
    }
    return s;
  }
  return null;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** The Rice parameter that codes `xs` (signed) in the fewest bits, and that many bits. */
function bestRice(xs: Float64Array): { k: number; bits: number } {
  let max = 0;
  for (const x of xs) max = Math.max(max, zigzag(x));
  const top = Math.min(53, Math.ceil(Math.log2(max + 1)) + 1);
  let best = { k: 0, bits: Number.POSITIVE_INFINITY };
  for (let k = 0; k <= top; k++) {
    const unit = 2 ** k;
    let bits = 0;
    for (const x of xs) {
      const q = Math.floor(zigzag(x) / unit);
      bits += q < ESCAPE ? q + 1 + k : ESCAPE + 53;
    }
    if (bits < best.bits) best = { k, bits };
  }
  return best;
}

function writeRice(w: BitWriter, z: number, k: number): void {
  const unit = 2 ** k;
  const q = Math.floor(z / unit);
  if (q < ESCAPE) {
    w.writeUnary(q);
    w.write(z - q * unit, k);
    return;
  }
  for (let i = 0; i < ESCAPE; i++) w.writeBit(1);
  w.write(z, 53);
}

function readRice(r: BitReader, k: number): number {
  const q = r.readOnes(ESCAPE);
  if (q === ESCAPE) return r.read(53);
  return q * 2 ** k + r.read(k);
}
