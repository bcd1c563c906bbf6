/**
 * Answers kept for the current snapshot only: history and resource charts of every open page ask
 * the same questions (the page aligns its range to the step) until the next evaluation, so a
 * thousand open pages cost one computation per question and cycle. Bounded: past `maxEntries`
 * the memo starts over rather than grow.
 */
export class SnapshotMemo<V> {
  private owner: object | null = null;
  private readonly entries = new Map<string, V>();

  constructor(private readonly maxEntries = 256) {}

  get(snapshot: object, key: string, compute: () => V): V {
    if (snapshot !== this.owner) {
      this.owner = snapshot;
      this.entries.clear();
    }
    const hit = this.entries.get(key);
    if (hit !== undefined) return hit;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    const value = compute();
    this.entries.set(key, value);
    return value;
  }
}
