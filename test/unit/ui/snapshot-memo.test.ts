import { describe, expect, it } from 'vitest';
import { SnapshotMemo } from '../../../src/ui/snapshot-memo.js';

describe('SnapshotMemo', () => {
  it('computes a question once per snapshot, forgets on the next one, and stays bounded', () => {
    const memo = new SnapshotMemo<string>(3);
    let computed = 0;
    const ask = (snapshot: object, key: string) => memo.get(snapshot, key, () => `${key}#${++computed}`);
    const a = {};
    const b = {};
    expect(ask(a, 'x')).toBe('x#1');
    expect(ask(a, 'x')).toBe('x#1');
    expect(ask(b, 'x')).toBe('x#2');
    expect(ask(b, 'y')).toBe('y#3');
    expect(ask(b, 'z')).toBe('z#4');
    // A fourth key over the bound of three starts the memo over: x is computed again.
    expect(ask(b, 'w')).toBe('w#5');
    expect(ask(b, 'x')).toBe('x#6');
  });
});
