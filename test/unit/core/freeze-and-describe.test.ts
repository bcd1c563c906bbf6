import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { describeError } from '../../../src/core/describe-error.js';
import { deepFreeze } from '../../../src/core/freeze.js';

describe('deepFreeze', () => {
  it('freezes every object and array of the graph and returns the same value', () => {
    const value = { a: { b: [1, { c: 2 }] }, d: 'text', e: null };
    expect(deepFreeze(value)).toBe(value);
    expect(Object.isFrozen(value)).toBe(true);
    expect(Object.isFrozen(value.a)).toBe(true);
    expect(Object.isFrozen(value.a.b)).toBe(true);
    expect(Object.isFrozen(value.a.b[1])).toBe(true);
    expect(() => {
      (value.a.b[1] as { c: number }).c = 3;
    }).toThrow(TypeError);
  });

  it('leaves primitives as they are', () => {
    expect(deepFreeze(5)).toBe(5);
    expect(deepFreeze(null)).toBe(null);
    expect(deepFreeze('s')).toBe('s');
  });
});

describe('describeError', () => {
  it('puts a code the message does not already name in front of it', () => {
    const refused = Object.assign(new Error('connect failed'), { code: 'ECONNREFUSED' });
    expect(describeError(refused)).toBe('ECONNREFUSED: connect failed');
    const named = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(describeError(named)).toBe('connect ECONNREFUSED 127.0.0.1:1');
  });

  it('joins the distinct reasons of an AggregateError (a host that resolves to several addresses)', () => {
    const a = Object.assign(new Error(''), { code: 'ECONNREFUSED', name: 'Error' });
    const err = new AggregateError([a, a, new Error('timeout')], '');
    expect(describeError(err)).toBe('ECONNREFUSED: Error; timeout');
  });

  it('names the errno of a fetch to a port nobody listens on, not "fetch failed"', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    const err = await fetch(`http://127.0.0.1:${port}/`).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe('fetch failed');
    expect(describeError(err)).toMatch(/ECONNREFUSED/);
  });

  it('reads anything that is not an Error as text', () => {
    expect(describeError('plain')).toBe('plain');
    expect(describeError(undefined)).toBe('undefined');
  });
});
