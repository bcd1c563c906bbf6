import type { HotViews } from './hot-routes.js';

// How one snapshot's views travel from the daemon's thread to the API front thread: in slices of
// a few services each (so neither thread holds its event loop long for a 2 000-service fleet),
// then a commit that names the version's services and carries the list. The front swaps to a
// version when its commit arrives and every service it names has come, so one answer never mixes
// two snapshots and the list never names a service `/current` does not know. Pure: the
// messages are plain data, the threads only post and receive them.

/** A few services' view bytes, packed into one buffer that is transferred, not copied. */
export interface SliceMessage {
  readonly type: 'slice';
  readonly version: number;
  readonly services: readonly string[];
  /** End offset of each service's bytes in `bytes`. */
  readonly ends: readonly number[];
  readonly bytes: ArrayBuffer;
}

/** The last message of a version: it is complete, swap to it. */
export interface CommitMessage {
  readonly type: 'commit';
  readonly version: number;
  readonly evaluatedAt: number;
  /** Every service of the snapshot, in its order. */
  readonly services: readonly string[];
  readonly shard: HotViews['shard'];
  readonly list: ArrayBuffer;
}

/** One fresh buffer holding `parts` end to end (a transfer moves it whole, so it holds nothing else). */
function packed(parts: readonly Buffer[]): { bytes: ArrayBuffer; ends: number[] } {
  let total = 0;
  const ends = parts.map((p) => {
    total += p.byteLength;
    return total;
  });
  const bytes = new ArrayBuffer(total);
  const view = new Uint8Array(bytes);
  let at = 0;
  for (const p of parts) {
    view.set(p, at);
    at += p.byteLength;
  }
  return { bytes, ends };
}

export function sliceMessage(version: number, entries: ReadonlyArray<readonly [string, Buffer]>): SliceMessage {
  const { bytes, ends } = packed(entries.map(([, b]) => b));
  return { type: 'slice', version, services: entries.map(([s]) => s), ends, bytes };
}

export function commitMessage(version: number, views: HotViews): CommitMessage {
  const list = views.list();
  return {
    type: 'commit',
    version,
    evaluatedAt: views.evaluatedAt,
    services: [...views.services],
    shard: views.shard,
    list: packed([list]).bytes,
  };
}

/** A slice's services and their bytes (views into the slice's buffer, not copies). */
export function unpackSlice(slice: SliceMessage): Array<[string, Buffer]> {
  let start = 0;
  return slice.services.map((service, i) => {
    const end = slice.ends[i]!;
    const bytes = Buffer.from(slice.bytes, start, end - start);
    start = end;
    return [service, bytes];
  });
}

/** The views a commit completes, as the hot routes read them. */
function frontViews(commit: CommitMessage, byService: ReadonlyMap<string, Buffer>): HotViews {
  const list = Buffer.from(commit.list);
  return {
    evaluatedAt: commit.evaluatedAt,
    services: commit.services,
    shard: commit.shard,
    current: (service) => byService.get(service),
    list: () => list,
  };
}

/**
 * The front thread's versions: the one it answers from, and the one being received. A slice
 * of a newer version drops an unfinished older one (the daemon moved on); anything older than
 * what is being received is ignored.
 */
export class FrontVersions {
  private current: HotViews | null = null;
  private currentVersion = -1;
  private pending: { version: number; byService: Map<string, Buffer> } | null = null;

  /** The views answered from; null until the first version is complete. */
  get(): HotViews | null {
    return this.current;
  }

  get version(): number {
    return this.currentVersion;
  }

  receive(message: SliceMessage | CommitMessage): void {
    if (message.type === 'slice') this.slice(message);
    else this.commit(message);
  }

  private receiving(version: number): Map<string, Buffer> | null {
    if (version <= this.currentVersion) return null;
    if (this.pending === null || this.pending.version < version) this.pending = { version, byService: new Map() };
    return this.pending.version === version ? this.pending.byService : null;
  }

  private slice(slice: SliceMessage): void {
    const byService = this.receiving(slice.version);
    if (!byService) return;
    for (const [service, bytes] of unpackSlice(slice)) byService.set(service, bytes);
  }

  /** Swaps to the committed version when all its services came; a version with gaps is dropped. */
  private commit(commit: CommitMessage): void {
    const byService = this.receiving(commit.version);
    if (!byService) return;
    this.pending = null;
    if (!commit.services.every((s) => byService.has(s))) return;
    this.current = frontViews(commit, byService);
    this.currentVersion = commit.version;
  }
}
