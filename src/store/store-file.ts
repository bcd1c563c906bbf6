import { endianness } from 'node:os';
import { crc32 } from 'node:zlib';
import { ERR, isVigilError, type VigilError, vigilError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import type { Labels } from './point.js';
import { type SampleStore, type StoredSeries, seriesId } from './sample-store.js';

/**
 * The store's snapshot file format, `store.v1.bin` (pure: bytes in, bytes out).
 *
 *   header, 32 bytes, little-endian:
 *     0  magic    8 bytes  "VIGILSTO"
 *     8  version  u32      1
 *    12  flags    u32      0 (reserved)
 *    16  series   u32      number of series
 *    20  length   u64      payload bytes after the header
 *    28  crc32    u32      of the payload
 *   payload, per series (every block starts 8-byte aligned):
 *     u32 meta length m, u32 point count n,
 *     meta JSON `{"m":metric,"l":labels,"e":ended}` (UTF-8), zero-padded to a multiple of 8,
 *     n × f64 timestamps (unix ms), n × f64 values.
 *
 * Binary rather than JSON+gzip: it writes and reads several times faster and is about as small
 * for float samples (figures in docs/performance.md). The checksum makes a torn or edited file
 * detectable, so the daemon sets it aside instead of loading garbage.
 */

export const STORE_FILE_NAME = 'store.v1.bin';
export const STORE_FILE_VERSION = 1;
const MAGIC = Buffer.from('VIGILSTO', 'ascii');
const HEADER_BYTES = 32;
/** Aligned little-endian hosts copy arrays in one go; others go value by value. */
const LITTLE_ENDIAN = endianness() === 'LE';
const pad8 = (n: number) => (n + 7) & ~7;

const STORE_FILE_CODES = [ERR.VIGIL_ERR_STORE_FOREIGN, ERR.VIGIL_ERR_STORE_VERSION, ERR.VIGIL_ERR_STORE_CORRUPT] as const;
type StoreFileErrorCode = (typeof STORE_FILE_CODES)[number];

/** A file that is not a readable store: it is set aside, never overwritten blindly. */
export type StoreFileError = VigilError<StoreFileErrorCode>;

export function isStoreFileError(err: unknown): err is StoreFileError {
  return isVigilError(err, ...STORE_FILE_CODES);
}

function storeFileError(code: StoreFileErrorCode, detail: string): StoreFileError {
  return vigilError(code, { detail });
}

/** One series as the file holds it. */
export interface SeriesSnapshot {
  readonly metric: string;
  readonly labels: Labels;
  readonly ended: boolean;
  readonly t: Float64Array;
  readonly v: Float64Array;
}

/** Copies every series out of the store (oldest point first). */
export function snapshotStore(store: SampleStore): SeriesSnapshot[] {
  const out: SeriesSnapshot[] = [];
  for (const s of store.all()) {
    const { t, v } = s.buffer.range(-Infinity, Infinity);
    out.push({ metric: s.metric, labels: s.labels, ended: s.ended, t, v });
  }
  return out;
}

export function encodeStoreFile(series: readonly SeriesSnapshot[]): Buffer {
  // Label values are the file's only text; they pass `redact` so no credential reaches the disk
  // (sources keep credentials out of labels; this is the file's own guarantee).
  const metas = series.map((s) => Buffer.from(redact(JSON.stringify({ m: s.metric, l: s.labels, e: s.ended })), 'utf8'));
  let payloadBytes = 0;
  series.forEach((s, i) => (payloadBytes += 8 + pad8(metas[i]!.length) + 16 * s.t.length));
  // Zero-filled (padding bytes are part of the checksum) and on its own ArrayBuffer (offset 0, aligned).
  const buf = Buffer.from(new ArrayBuffer(HEADER_BYTES + payloadBytes));
  let o = HEADER_BYTES;
  series.forEach((s, i) => {
    const meta = metas[i]!;
    const n = s.t.length;
    buf.writeUInt32LE(meta.length, o);
    buf.writeUInt32LE(n, o + 4);
    meta.copy(buf, o + 8);
    o += 8 + pad8(meta.length);
    writeDoubles(buf, o, s.t);
    writeDoubles(buf, o + 8 * n, s.v);
    o += 16 * n;
  });
  MAGIC.copy(buf, 0);
  buf.writeUInt32LE(STORE_FILE_VERSION, 8);
  buf.writeUInt32LE(0, 12);
  buf.writeUInt32LE(series.length, 16);
  buf.writeBigUInt64LE(BigInt(payloadBytes), 20);
  buf.writeUInt32LE(crc32(buf.subarray(HEADER_BYTES)), 28);
  return buf;
}

function writeDoubles(buf: Buffer, offset: number, values: Float64Array): void {
  if (LITTLE_ENDIAN) new Float64Array(buf.buffer, buf.byteOffset + offset, values.length).set(values);
  else for (let j = 0; j < values.length; j++) buf.writeDoubleLE(values[j]!, offset + 8 * j);
}

function readDoubles(buf: Buffer, offset: number, n: number): Float64Array {
  if (LITTLE_ENDIAN) return new Float64Array(buf.buffer.slice(buf.byteOffset + offset, buf.byteOffset + offset + 8 * n));
  const out = new Float64Array(n);
  for (let j = 0; j < n; j++) out[j] = buf.readDoubleLE(offset + 8 * j);
  return out;
}

/** Decodes a snapshot file; throws `StoreFileError` for a foreign, newer or damaged file. */
export function decodeStoreFile(buf: Buffer): SeriesSnapshot[] {
  if (buf.length < MAGIC.length || !buf.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw storeFileError(ERR.VIGIL_ERR_STORE_FOREIGN, 'not a vigil store file (bad magic)');
  }
  if (buf.length < HEADER_BYTES) throw storeFileError(ERR.VIGIL_ERR_STORE_CORRUPT, 'truncated header');
  const version = buf.readUInt32LE(8);
  if (version !== STORE_FILE_VERSION) {
    throw storeFileError(ERR.VIGIL_ERR_STORE_VERSION, `store file version ${version}, this vigil reads version ${STORE_FILE_VERSION}`);
  }
  const count = buf.readUInt32LE(16);
  const length = Number(buf.readBigUInt64LE(20));
  if (buf.length !== HEADER_BYTES + length) {
    throw storeFileError(ERR.VIGIL_ERR_STORE_CORRUPT, `payload is ${buf.length - HEADER_BYTES} bytes, header says ${length}`);
  }
  const payload = buf.subarray(HEADER_BYTES);
  if (crc32(payload) !== buf.readUInt32LE(28)) throw storeFileError(ERR.VIGIL_ERR_STORE_CORRUPT, 'checksum mismatch');

  const out: SeriesSnapshot[] = [];
  let o = HEADER_BYTES;
  const need = (bytes: number) => {
    if (o + bytes > buf.length) throw storeFileError(ERR.VIGIL_ERR_STORE_CORRUPT, `series ${out.length} runs past the end`);
  };
  for (let i = 0; i < count; i++) {
    need(8);
    const metaLength = buf.readUInt32LE(o);
    const n = buf.readUInt32LE(o + 4);
    o += 8;
    need(pad8(metaLength) + 16 * n);
    let meta: { m?: unknown; l?: unknown; e?: unknown };
    try {
      meta = JSON.parse(buf.toString('utf8', o, o + metaLength)) as typeof meta;
    } catch {
      throw storeFileError(ERR.VIGIL_ERR_STORE_CORRUPT, `series ${i}: unreadable metadata`);
    }
    o += pad8(metaLength);
    if (typeof meta.m !== 'string' || typeof meta.l !== 'object' || meta.l === null) {
      throw storeFileError(ERR.VIGIL_ERR_STORE_CORRUPT, `series ${i}: metadata without metric or labels`);
    }
    const t = readDoubles(buf, o, n);
    const v = readDoubles(buf, o + 8 * n, n);
    o += 16 * n;
    out.push({ metric: meta.m, labels: meta.l as Labels, ended: meta.e === true, t, v });
  }
  if (o !== buf.length) throw storeFileError(ERR.VIGIL_ERR_STORE_CORRUPT, `${buf.length - o} bytes after the last series`);
  return out;
}

/**
 * Loads snapshots into a store (normally empty, at start). Points pass through the buffers'
 * own append, so retention and the per-series cap apply as if they had just been sampled.
 */
export function restoreStore(store: SampleStore, series: readonly SeriesSnapshot[]): { series: number; points: number } {
  // Create each series with its first point, then append the rest straight to its buffer:
  // going through appendRaw for every point would rebuild the series id a million times.
  for (const s of series) if (s.t.length > 0) store.appendRaw(s.metric, s.labels, s.t[0]!, s.v[0]!);
  const byId = new Map<string, StoredSeries>();
  for (const entry of store.all()) byId.set(entry.id, entry);
  let points = 0;
  let restored = 0;
  for (const s of series) {
    const entry = byId.get(seriesId(s.metric, s.labels));
    if (!entry) continue;
    for (let j = 1; j < s.t.length; j++) entry.buffer.append(s.t[j]!, s.v[j]!, store.retentionMs);
    entry.ended = s.ended;
    points += entry.buffer.length;
    restored++;
  }
  return { series: restored, points };
}
