import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CommitMessage,
  commitMessage,
  FrontVersions,
  type SliceMessage,
  sliceMessage,
  unpackSlice,
} from '../../../src/server/front-versions.js';
import type { HotViews } from '../../../src/server/hot-routes.js';

/** Views of a snapshot at `evaluatedAt` whose bytes name the service and the time. */
function viewsAt(evaluatedAt: number, services: readonly string[]): HotViews {
  return {
    evaluatedAt,
    services,
    shard: null,
    current: (s) => (services.includes(s) ? Buffer.from(`${s}@${evaluatedAt}`) : undefined),
    list: () => Buffer.from(`list@${evaluatedAt}`),
  };
}

/** The messages the daemon's thread posts for one version, `perSlice` services each. */
function messagesOf(version: number, views: HotViews, perSlice: number): Array<SliceMessage | CommitMessage> {
  const out: Array<SliceMessage | CommitMessage> = [];
  for (let i = 0; i < views.services.length; i += perSlice) {
    out.push(
      sliceMessage(
        version,
        views.services.slice(i, i + perSlice).map((s) => [s, views.current(s)!] as const),
      ),
    );
  }
  out.push(commitMessage(version, views));
  return out;
}

const text = (b: Buffer | undefined) => b?.toString('utf8');

describe('API front versions', () => {
  it('packs a slice into one buffer and unpacks the same services and bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string({ minLength: 1 }), fc.uint8Array({ maxLength: 64 })), { maxLength: 20 }), (entries) => {
        const slice = sliceMessage(
          7,
          entries.map(([s, b]) => [s, Buffer.from(b)] as const),
        );
        expect(slice.bytes.byteLength).toBe(entries.reduce((n, [, b]) => n + b.length, 0));
        const back = unpackSlice(slice);
        expect(back.map(([s]) => s)).toEqual(entries.map(([s]) => s));
        back.forEach(([, b], i) => expect([...b]).toEqual([...entries[i]![1]]));
      }),
    );
  });

  it('answers nothing until a version is complete, then swaps to it whole at its commit', () => {
    const versions = new FrontVersions();
    const views = viewsAt(1000, ['a', 'b', 'c']);
    const messages = messagesOf(1, views, 2);
    for (const m of messages.slice(0, -1)) {
      versions.receive(m);
      expect(versions.get()).toBeNull();
    }
    versions.receive(messages.at(-1)!);
    const got = versions.get()!;
    expect(got.evaluatedAt).toBe(1000);
    expect(got.services).toEqual(['a', 'b', 'c']);
    expect(['a', 'b', 'c'].map((s) => text(got.current(s)))).toEqual(['a@1000', 'b@1000', 'c@1000']);
    expect(got.current('d')).toBeUndefined();
    expect(text(got.list())).toBe('list@1000');
  });

  it('keeps answering the old version while the next arrives, never a mix of the two', () => {
    const versions = new FrontVersions();
    for (const m of messagesOf(1, viewsAt(1000, ['a', 'b']), 1)) versions.receive(m);
    const next = messagesOf(2, viewsAt(2000, ['a', 'b']), 1);
    versions.receive(next[0]!);
    expect(text(versions.get()!.current('a'))).toBe('a@1000');
    expect(text(versions.get()!.current('b'))).toBe('b@1000');
    for (const m of next.slice(1)) versions.receive(m);
    expect(text(versions.get()!.current('a'))).toBe('a@2000');
    expect(text(versions.get()!.current('b'))).toBe('b@2000');
    expect(versions.version).toBe(2);
  });

  it('drops an unfinished version when a newer one starts, and ignores anything older than the current', () => {
    const versions = new FrontVersions();
    const second = messagesOf(2, viewsAt(2000, ['a', 'b']), 1);
    const third = messagesOf(3, viewsAt(3000, ['a', 'b']), 1);
    versions.receive(second[0]!);
    for (const m of third) versions.receive(m);
    // Version 2's rest arrives late: neither its slices nor its commit take effect.
    for (const m of second.slice(1)) versions.receive(m);
    expect(versions.version).toBe(3);
    expect(text(versions.get()!.current('a'))).toBe('a@3000');
    for (const m of messagesOf(1, viewsAt(1000, ['a']), 1)) versions.receive(m);
    expect(versions.get()!.evaluatedAt).toBe(3000);
  });

  it('refuses a commit naming a service whose bytes never came (the old version stays)', () => {
    const versions = new FrontVersions();
    for (const m of messagesOf(1, viewsAt(1000, ['a']), 1)) versions.receive(m);
    const gap = messagesOf(2, viewsAt(2000, ['a', 'b']), 1).filter((m) => m.type === 'commit' || !m.services.includes('b'));
    for (const m of gap) versions.receive(m);
    expect(versions.version).toBe(1);
    expect(text(versions.get()!.current('a'))).toBe('a@1000');
  });

  it('in any interleaving of whole versions sent in order, ends on the last one complete', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { minLength: 1 }), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 1, max: 4 }),
        (fleets, perSlice) => {
          const versions = new FrontVersions();
          fleets.forEach((services, i) => {
            for (const m of messagesOf(i + 1, viewsAt((i + 1) * 1000, services), perSlice)) {
              versions.receive(m);
              const now = versions.get();
              // Whatever is answered is one version: every service's bytes carry its time.
              if (now) for (const s of now.services) expect(text(now.current(s))).toBe(`${s}@${now.evaluatedAt}`);
            }
          });
          const last = fleets.length;
          expect(versions.version).toBe(last);
          expect(versions.get()!.services).toEqual(fleets[last - 1]);
        },
      ),
    );
  });
});
