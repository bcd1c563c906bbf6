import { deepFreeze } from '../core/freeze.js';
import type { Snapshot } from './snapshot-schema.js';

type Listener = (snapshot: Snapshot) => void;

/**
 * Holds the current snapshot. A new one is built completely elsewhere, frozen here and swapped
 * in with one assignment: JavaScript runs one thing at a time, so a reader sees the old snapshot
 * or the new one, never half of either.
 */
export class SnapshotHolder {
  private current: Snapshot | null = null;
  /** When the current snapshot was published, on the monotonic clock (wall-clock steps do not move it). */
  private publishedAt: number | null = null;

  constructor(private readonly monotonicNow: () => number = () => performance.now()) {}
  private readonly listeners = new Set<Listener>();

  /** null until the first evaluation (`/readyz` says not ready). */
  get(): Snapshot | null {
    return this.current;
  }

  /** Milliseconds since the last publish (monotonic); null before the first. */
  ageMs(): number | null {
    return this.publishedAt === null ? null : this.monotonicNow() - this.publishedAt;
  }

  publish(snapshot: Snapshot): void {
    this.current = deepFreeze(snapshot);
    this.publishedAt = this.monotonicNow();
    for (const listener of this.listeners) listener(this.current);
  }

  /** Called after each publish; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
