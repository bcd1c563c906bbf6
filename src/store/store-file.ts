import { endianness } from 'node:os';
import { crc32 } from 'node:zlib';
import { ERR, isVigilError, type VigilError, vigilError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { decodeChunk, encodeChunk } from './chunk-codec.js';
import type { Labels } from './point.js';
import type { SampleStore, StoredSeries } from './sample-store.js';
import type { HistoryChunk } from './series-buffer.js';

/**
 * The store's snapshot file format (pure: bytes in, bytes out). The file keeps its name,
 * `store.v1.bin`, across format versions, so an upgraded daemon finds its history where it was;
 * the header's version says how to read it. This vigil writes version 2 and reads 1 and 2.
 *
 *   header, 32 bytes, little-endian:
 *     0  magic    8 bytes  "VIGILSTO"
 *     8  version  u32      2
 *    12  flags    u32      0 (reserved)
 *    16  series   u32      number of series
 *    20  length   u64      payload bytes after the header
 *    28  crc32    u32      of the payload
 *   version 2 payload, per series:
 *     u32 meta length m, u32 chunk count c,
 *     meta JSON `{"m":metric,"l":labels,"e":ended}` (UTF-8), zero-padded to a multiple of 8,
 *     c × (f64 first time, f64 last time, u32 points, u32 byte length b, b bytes zero-padded to a
 *     multiple of 8): chunks as `chunk-codec.ts` writes them, oldest first; the last one is the
 *     series' raw tier, compressed for the file, the others its sealed history, written as held.
 *   version 1 payload, per series (every block starts 8-byte aligned):
 *     u32 meta length m, u32 point count n, meta as above,
 *     n × f64 timestamps (unix ms), n × f64 values.
 *
 * Binary rather than JSON+gzip: it writes and reads several times faster (figures in
 * docs/performance.md); the chunks make it about 1–2 bytes per point (docs/storage.md). The
 * checksum makes a torn or edited file detectable, so the daemon sets it aside instead of loading
 * garbage.
 */

export const STORE_FILE_NAME = 'store.v1.bin';
export const STORE_FILE_VERSION = 2;
/** Older versions this vigil still reads. */
const READABLE_VERSIONS = [1, 2];
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

/** One series as the file holds it: its sealed history chunks, then its raw points. */
export interface SeriesSnapshot {
  readonly metric: string;
  readonly labels: Labels;
  readonly ended: boolean;
  /** Compressed history, oldest first (immutable: shared with the store, not copied). */
  readonly chunks: readonly HistoryChunk[];
  readonly t: Float64Array;
  readonly v: Float64Array;
}

/** Copies every series out of the store (raw points copied, chunks shared). */
export function snapshotStore(store: SampleStore): SeriesSnapshot[] {
  return Array.from(store.all(), snapshotSeries);
}

/** One series copied out of the store: its raw points copied, its chunks shared (views, valid until the series' next append). */
export function snapshotSeries(s: StoredSeries): SeriesSnapshot {
  const n = s.buffer.length;
  const { t, v } =
    n > 0 ? s.buffer.rawRange(s.buffer.timeAt(0), s.buffer.timeAt(n - 1)) : { t: new Float64Array(0), v: new Float64Array(0) };
  return { metric: s.metric, labels: s.labels, ended: s.ended, chunks: s.buffer.chunks, t, v };
}

/** The points a snapshot holds, in both tiers. */
export function snapshotPoints(s: SeriesSnapshot): number {
  let n = s.t.length;
  for (const c of s.chunks) n += c.count;
  return n;
}

const CHUNK_HEADER_BYTES = 24;

export function encodeStoreFile(series: readonly SeriesSnapshot[]): Buffer {
  const payload = encodeSeries(series);
  return Buffer.concat([storeFileHeader(series.length, payload.length, crc32(payload)), payload]);
}

/** The file's header: `series` series in `payloadBytes` bytes whose crc32 is `crc`. */
export function storeFileHeader(series: number, payloadBytes: number, crc: number): Buffer {
  const buf = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(buf, 0);
  buf.writeUInt32LE(STORE_FILE_VERSION, 8);
  buf.writeUInt32LE(0, 12);
  buf.writeUInt32LE(series, 16);
  buf.writeBigUInt64LE(BigInt(payloadBytes), 20);
  buf.writeUInt32LE(crc, 28);
  return buf;
}

export const STORE_FILE_HEADER_BYTES = HEADER_BYTES;

/**
 * A run of series as the payload holds them, back to back: the payload is the concatenation of
 * any split of its series into runs (the daemon writes the file a run at a time, persist.ts).
 * Every series' block is a multiple of 8 bytes, so alignment does not depend on the split.
 */
export function encodeSeries(series: readonly SeriesSnapshot[]): Buffer {
  // Label values are the file's only text; they pass `redact` so no credential reaches the disk
  // (sources keep credentials out of labels; this is the file's own guarantee).
  const metas = series.map((s) => Buffer.from(redact(JSON.stringify({ m: s.metric, l: s.labels, e: s.ended })), 'utf8'));
  const chunkLists = series.map((s) => [...s.chunks, rawChunk(s.t, s.v)]);
  let payloadBytes = 0;
  series.forEach((_, i) => {
    payloadBytes += 8 + pad8(metas[i]!.length);
    for (const c of chunkLists[i]!) payloadBytes += CHUNK_HEADER_BYTES + pad8(c.bytes.length);
  });
  // Zero-filled (padding bytes are part of the checksum) and on its own ArrayBuffer.
  const buf = Buffer.from(new ArrayBuffer(payloadBytes));
  let o = 0;
  series.forEach((_, i) => {
    const meta = metas[i]!;
    const chunks = chunkLists[i]!;
    buf.writeUInt32LE(meta.length, o);
    buf.writeUInt32LE(chunks.length, o + 4);
    meta.copy(buf, o + 8);
    o += 8 + pad8(meta.length);
    for (const c of chunks) {
      buf.writeDoubleLE(c.minT, o);
      buf.writeDoubleLE(c.maxT, o + 8);
      buf.writeUInt32LE(c.count, o + 16);
      buf.writeUInt32LE(c.bytes.length, o + 20);
      buf.set(c.bytes, o + CHUNK_HEADER_BYTES);
      o += CHUNK_HEADER_BYTES + pad8(c.bytes.length);
    }
  });
  return buf;
}

function rawChunk(t: Float64Array, v: Float64Array): HistoryChunk {
  return { minT: t.length > 0 ? t[0]! : 0, maxT: t.length > 0 ? t[t.length - 1]! : 0, count: t.length, bytes: encodeChunk(t, v) };
}

function readDoubles(buf: Buffer, offset: number, n: number): Float64Array {
  if (LITTLE_ENDIAN) return new Float64Array(buf.buffer.slice(buf.byteOffset + offset, buf.byteOffset + offset + 8 * n));
  const out = new Float64Array(n);
  for (let j = 0; j < n; j++) out[j] = buf.readDoubleLE(offset + 8 * j);
  return out;
}

/** Decodes a snapshot file (version 1 or 2); throws `StoreFileError` for a foreign, newer or damaged file. */
export function decodeStoreFile(buf: Buffer): SeriesSnapshot[] {
  if (buf.length < MAGIC.length || !buf.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw storeFileError(ERR.VIGIL_ERR_STORE_FOREIGN, 'not a vigil store file (bad magic)');
  }
  if (buf.length < HEADER_BYTES) throw storeFileError(ERR.VIGIL_ERR_STORE_CORRUPT, 'truncated header');
  const version = buf.readUInt32LE(8);
  if (!READABLE_VERSIONS.includes(version)) {
    throw storeFileError(
      ERR.VIGIL_ERR_STORE_VERSION,
      `store file version ${version}, this vigil reads versions ${READABLE_VERSIONS.join(' and ')}`,
    );
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
    need(pad8(metaLength));
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
    const series = { metric: meta.m, labels: meta.l as Labels, ended: meta.e === true };
    if (version === 1) {
      need(16 * n);
      const t = readDoubles(buf, o, n);
      const v = readDoubles(buf, o + 8 * n, n);
      o += 16 * n;
      out.push({ ...series, chunks: [], t, v });
      continue;
    }
    const chunks: HistoryChunk[] = [];
    for (let c = 0; c < n; c++) {
      need(CHUNK_HEADER_BYTES);
      const bytesLength = buf.readUInt32LE(o + 20);
      need(CHUNK_HEADER_BYTES + pad8(bytesLength));
      const start = o + CHUNK_HEADER_BYTES;
      chunks.push({
        minT: buf.readDoubleLE(o),
        maxT: buf.readDoubleLE(o + 8),
        count: buf.readUInt32LE(o + 16),
        // A view: adopting a chunk copies it into the series' arena.
        bytes: buf.subarray(start, start + bytesLength),
      });
      o += CHUNK_HEADER_BYTES + pad8(bytesLength);
    }
    const raw = chunks.pop();
    let points: { t: Float64Array; v: Float64Array } = { t: new Float64Array(0), v: new Float64Array(0) };
    try {
      if (raw) points = decodeChunk(raw.bytes);
    } catch {
      throw storeFileError(ERR.VIGIL_ERR_STORE_CORRUPT, `series ${i}: unreadable raw points`);
    }
    out.push({ ...series, chunks, ...points });
  }
  if (o !== buf.length) throw storeFileError(ERR.VIGIL_ERR_STORE_CORRUPT, `${buf.length - o} bytes after the last series`);
  return out;
}

/**
 * Loads snapshots into a store (normally empty, at start). History chunks are taken as they are;
 * raw points pass through the buffers' own append, so retention, sealing and the per-series cap
 * apply as if they had just been sampled (a version 1 file's 20 000 raw points become history).
 */
export function restoreStore(store: SampleStore, series: readonly SeriesSnapshot[]): { series: number; points: number } {
  let points = 0;
  let restored = 0;
  for (const s of series) {
    if (snapshotPoints(s) === 0) continue;
    const entry = store.seriesFor(s.metric, s.labels);
    for (const chunk of s.chunks) entry.buffer.adoptChunk(chunk);
    for (let j = 0; j < s.t.length; j++) entry.buffer.append(s.t[j]!, s.v[j]!, store.retentionMs);
    entry.ended = s.ended;
    points += entry.buffer.pointCount;
    restored++;
  }
  return { series: restored, points };
}
