import { describe, expect, it } from 'vitest';
import { changedPath } from '../../../src/daemon/config-watcher.js';

describe('changedPath: the file a watch event names', () => {
  it('a watched file is the changed path itself, not the file joined onto itself', () => {
    expect(changedPath('/etc/vigil/vigil.yaml', false, 'vigil.yaml')).toBe('/etc/vigil/vigil.yaml');
  });

  it('a watched folder names the entry inside it', () => {
    expect(changedPath('/etc/vigil/slo', true, 'api.yaml')).toBe('/etc/vigil/slo/api.yaml');
    expect(changedPath('/etc/vigil/slo', true, Buffer.from('api.yaml'))).toBe('/etc/vigil/slo/api.yaml');
  });

  it('an event without a name is about the watched path', () => {
    expect(changedPath('/etc/vigil/slo', true, null)).toBe('/etc/vigil/slo');
  });
});
