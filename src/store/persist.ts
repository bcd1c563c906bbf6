import { type FileHandle, mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { describeError } from '../core/describe-error.js';
import { ERR, isVigilError, type VigilError, vigilError } from '../core/errors.js';
import type { SampleStore } from './sample-store.js';
import {
  decodeStoreFile,
  encodeSeries,
  isStoreFileError,
  restoreStore,
  STORE_FILE_HEADER_BYTES,
  STORE_FILE_NAME,
  type StoreFileError,
  snapshotPoints,
  snapshotSeries,
  storeFileHeader,
} from './store-file.js';

export interface PersistLogger {
  info(message: string): void;
  warn(message: string): void;
}

export interface StorePersisterOptions {
  readonly store: SampleStore;
  /** Folder of the snapshot (the daemon config's `dataDir`, resolved). */
  readonly dataDir: string;
  /** How often `start()` writes a snapshot (the config's `store.persistInterval`). */
  readonly intervalMs: number;
  readonly logger?: PersistLogger;
  readonly now?: () => number;
}

/** The data folder or the store file cannot be used: the daemon refuses to start rather than lose history. */
export type StoreAccessError = VigilError<typeof ERR.VIGIL_ERR_STORE_UNREADABLE | typeof ERR.VIGIL_ERR_STORE_UNWRITABLE>;

export function isStoreAccessError(err: unknown): err is StoreAccessError {
  return isVigilError(err, ERR.VIGIL_ERR_STORE_UNREADABLE, ERR.VIGIL_ERR_STORE_UNWRITABLE);
}

/** What an fs error means for the store, in words an operator can act on. */
export function explainFsError(err: unknown, path: string): string {
  const e = err as NodeJS.ErrnoException;
  const who = typeof process.getuid === 'function' ? ` (vigil runs as uid ${process.getuid()})` : '';
  switch (e.code) {
    case 'EACCES':
    case 'EPERM':
      return `permission denied on ${e.path ?? path}${who}: fix its owner or mode`;
    case 'EROFS':
      return `${e.path ?? path} is on a read-only file system`;
    case 'ENOSPC':
    case 'EDQUOT':
      return `no space left for ${e.path ?? path}`;
    case 'EEXIST':
    case 'ENOTDIR':
      return `${e.path ?? path} is in the way: a file where a folder is needed`;
    case 'EISDIR':
      return `${e.path ?? path} is a folder where the store file should be`;
    case 'ELOOP':
      return `${e.path ?? path} is a symbolic link loop`;
    default:
      return `${e.code ? `${e.code}: ` : ''}${describeError(err)}`;
  }
}

export type LoadReport =
  | { readonly status: 'missing' }
  | { readonly status: 'loaded'; readonly series: number; readonly points: number; readonly bytes: number; readonly ms: number }
  /** The file was foreign, of another version or damaged: renamed to `setAsidePath`, store left empty. */
  | { readonly status: 'set-aside'; readonly code: StoreFileError['code']; readonly reason: string; readonly setAsidePath: string };

export interface SaveReport {
  readonly series: number;
  readonly points: number;
  readonly bytes: number;
  readonly ms: number;
  /** The store's point buffers at the time of the save. */
  readonly memoryBytes: number;
}

/**
 * Keeps the store's history across restarts: a snapshot of every series written on an interval
 * and at shutdown, atomically (temp file, fsync, rename, fsync of the folder: a crash leaves
 * the old snapshot or the new one, never half of one), and loaded at start. A file that cannot
 * be read is set aside with a warning and the daemon starts empty: history is worth less than
 * availability.
 */
export class StorePersister {
  readonly path: string;
  private timer: NodeJS.Timeout | null = null;
  private saving: Promise<SaveReport> | null = null;
  private readonly now: () => number;
  /** Interval saves that failed since start (`vigil_store_persist_failures_total`). */
  failures = 0;

  constructor(private readonly options: StorePersisterOptions) {
    this.path = join(options.dataDir, STORE_FILE_NAME);
    this.now = options.now ?? Date.now;
  }

  async load(): Promise<LoadReport> {
    const started = performance.now();
    await this.removeStaleTempFiles();
    let buf: Buffer;
    try {
      buf = await readFile(this.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { status: 'missing' };
      // Not a format problem: the history may be fine, only out of reach. Starting empty would
      // overwrite it at the first persist, so refuse instead.
      const detail = `store: ${this.path} exists but cannot be read (${explainFsError(err, this.path)}); not starting, so its history is not overwritten`;
      throw vigilError(ERR.VIGIL_ERR_STORE_UNREADABLE, { detail }, { cause: err });
    }
    try {
      const snapshot = decodeStoreFile(buf);
      const restored = restoreStore(this.options.store, snapshot);
      this.options.store.prune(this.now());
      const report = { status: 'loaded' as const, ...restored, bytes: buf.length, ms: performance.now() - started };
      this.options.logger?.info(`store: loaded ${report.series} series, ${report.points} points from ${this.path}`);
      return report;
    } catch (err) {
      if (!isStoreFileError(err)) throw err;
      const setAsidePath = `${this.path}.corrupt-${new Date(this.now()).toISOString().replace(/[:.]/g, '-')}`;
      try {
        await rename(this.path, setAsidePath);
      } catch (renameErr) {
        // Left in place, the damaged file would be replaced at the first persist: refuse instead.
        const detail = `store: ${this.path} is damaged (${err.code}: ${err.message}) and could not be moved aside (${explainFsError(renameErr, this.path)}); not starting`;
        throw vigilError(ERR.VIGIL_ERR_STORE_UNREADABLE, { detail }, { cause: renameErr });
      }
      this.options.logger?.warn(
        `store: ${this.path} could not be read (${err.code}: ${err.message}); moved to ${setAsidePath}, starting with an empty store`,
      );
      return { status: 'set-aside', code: err.code, reason: err.message, setAsidePath };
    }
  }

  /**
   * Makes sure the data folder exists and takes a file (written, synced, removed), so a folder
   * that cannot hold the store is found at start rather than at the first persist.
   */
  async checkWritable(): Promise<void> {
    const { dataDir } = this.options;
    const probe = join(dataDir, `.write-check-${process.pid}`);
    try {
      await mkdir(dataDir, { recursive: true });
      const file = await open(probe, 'w', 0o600);
      try {
        await file.writeFile('vigil');
        await file.sync();
      } finally {
        await file.close();
      }
      await unlink(probe);
    } catch (err) {
      await unlink(probe).catch(() => undefined);
      const detail = `store: the data folder ${dataDir} cannot hold the store (${explainFsError(err, dataDir)}); set \`dataDir\` to a writable folder`;
      throw vigilError(ERR.VIGIL_ERR_STORE_UNWRITABLE, { detail }, { cause: err });
    }
  }

  /** Writes a snapshot now. A call while a write is running shares that write. */
  save(): Promise<SaveReport> {
    if (this.saving) return this.saving;
    const saving = this.writeSnapshot().finally(() => {
      if (this.saving === saving) this.saving = null;
    });
    this.saving = saving;
    return saving;
  }

  /** Saves every `intervalMs`; a failed save is logged and retried on the next interval. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.saving) return;
      this.save().catch((err: unknown) => {
        this.failures++;
        this.options.logger?.warn(
          `store: writing the snapshot to ${this.path} failed (${explainFsError(err, this.path)}); retrying in ${Math.round(this.options.intervalMs / 1000)} s`,
        );
      });
    }, this.options.intervalMs);
    // The interval alone must not keep the process alive after everything else has stopped.
    this.timer.unref();
  }

  /** Stops the interval and writes the final snapshot (shutdown). */
  async stop(): Promise<SaveReport> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.saving) await this.saving.catch(() => undefined);
    return this.save();
  }

  /** A process killed mid-write leaves its temp file; the snapshot itself is intact. */
  private async removeStaleTempFiles(): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.options.dataDir);
    } catch {
      return;
    }
    const prefix = `${STORE_FILE_NAME}.tmp-`;
    await Promise.all(names.filter((n) => n.startsWith(prefix)).map((n) => unlink(join(this.options.dataDir, n)).catch(() => undefined)));
  }

  private async writeSnapshot(): Promise<SaveReport> {
    const started = performance.now();
    const { store, dataDir } = this.options;
    await mkdir(dataDir, { recursive: true });
    const tmp = `${this.path}.tmp-${process.pid}`;
    let written: { series: number; points: number; bytes: number };
    try {
      const file = await open(tmp, 'w', 0o600);
      try {
        written = await writeStoreFile(file, store);
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(tmp, this.path);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
    // The rename is durable only once the folder's entry is on disk.
    const dir = await open(dataDir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
    return { ...written, ms: performance.now() - started, memoryBytes: store.memoryBytes() };
  }
}

/** A save copies and encodes series for about this long, writes them, and lets the event loop run before the next slice. */
const SAVE_SLICE_MS = 5;

/**
 * Writes the store file into `file` a slice at a time, the header last (its count, length and
 * checksum are known at the end): the same bytes as `encodeStoreFile(snapshotStore(store))` when
 * the store does not change meanwhile. Encoding all series at once held the event loop for the
 * whole save (116 000 series in bench:scale) and built the file in memory. Sampling goes on
 * between slices, so each series is as it was when its slice ran: every series in the file is
 * whole, and one created during the save may or may not be in it.
 */
export async function writeStoreFile(
  file: Pick<FileHandle, 'write'>,
  store: SampleStore,
  sliceMs = SAVE_SLICE_MS,
): Promise<{ series: number; points: number; bytes: number }> {
  // The series as they are now (references only): a series pruned and made again between slices
  // sits at the end of the live map and would be written twice.
  const all = [...store.all()].values();
  let position = STORE_FILE_HEADER_BYTES;
  let crc = 0;
  let series = 0;
  let points = 0;
  for (let done = false; !done; ) {
    const parts: Buffer[] = [];
    const sliceStart = performance.now();
    // At least one series a slice, however short `sliceMs` is.
    do {
      const next = all.next();
      if (next.done) {
        done = true;
        break;
      }
      // Copied and encoded in the same slice: a series' chunks are views valid until its next append.
      const snapshot = snapshotSeries(next.value);
      parts.push(encodeSeries([snapshot]));
      points += snapshotPoints(snapshot);
      series++;
    } while (performance.now() - sliceStart < sliceMs);
    const bytes = Buffer.concat(parts);
    crc = crc32(bytes, crc);
    await writeWhole(file, bytes, position);
    position += bytes.length;
  }
  await writeWhole(file, storeFileHeader(series, position - STORE_FILE_HEADER_BYTES, crc), 0);
  return { series, points, bytes: position };
}

/**
 * One `write` may write less than asked (a disk nearly full): the rest is written, or the error
 * (ENOSPC) thrown, never skipped — a header claiming bytes the file does not hold would make the
 * next start set the file aside as corrupt.
 */
async function writeWhole(file: Pick<FileHandle, 'write'>, bytes: Buffer, position: number): Promise<void> {
  for (let done = 0; done < bytes.length; ) {
    const { bytesWritten } = await file.write(bytes, done, bytes.length - done, position + done);
    if (bytesWritten <= 0)
      throw vigilError(ERR.VIGIL_ERR_STORE_UNWRITABLE, { detail: 'the data folder accepted no more bytes (disk full?)' });
    done += bytesWritten;
  }
}
