import { describe, expect, it } from 'vitest';
import { daemonConfigSchema, dockerSourceSchema } from '../../../src/config/daemon-schema.js';
import { resolveConfig } from '../../../src/config/resolve-config.js';
import { type SloFileInput, sloFileSchema } from '../../../src/config/slo-schema.js';
import { SHIPPED_WINDOW_SETS } from '../../../src/config/window-sets.js';
import {
  ContainerMatcher,
  containerLabelSeriesName,
  containerSelectorsFor,
  globToRegExp,
  selectedLabelKeys,
} from '../../../src/sources/docker/container-selector.js';
import { apiAtLeast, dockerConnection } from '../../../src/sources/docker/docker-source.js';

describe('container name globs', () => {
  it('anchors, and treats only * and ? as wildcards', () => {
    const re = globToRegExp('ml-serving*');
    expect(re.test('ml-serving')).toBe(true);
    expect(re.test('ml-serving-2')).toBe(true);
    expect(re.test('old-ml-serving')).toBe(false);
    expect(globToRegExp('web-?').test('web-1')).toBe(true);
    expect(globToRegExp('web-?').test('web-12')).toBe(false);
    expect(globToRegExp('a.b').test('axb')).toBe(false);
    expect(globToRegExp('(x)+[y]').test('(x)+[y]')).toBe(true);
  });
});

describe('Docker labels on series', () => {
  it('names the series label label_<key> with characters outside [a-zA-Z0-9_] as _', () => {
    expect(containerLabelSeriesName('team')).toBe('label_team');
    expect(containerLabelSeriesName('com.docker.compose.service')).toBe('label_com_docker_compose_service');
    expect(containerLabelSeriesName('a-b/c:d é')).toBe('label_a_b_c_d__');
  });
  it('copies only the keys the selectors name, once each, sorted', () => {
    expect(selectedLabelKeys([{ containers: 'x' }])).toEqual([]);
    expect(selectedLabelKeys([{ containerLabels: { tier: 'a', app: 'b' } }, { containers: 'y', containerLabels: { app: 'c' } }])).toEqual([
      'app',
      'tier',
    ]);
  });
});

describe('ContainerMatcher', () => {
  const c = (name: string, labels: Record<string, string> = {}) => ({ name, labels });
  it('needs both the glob and every label when a selector has both', () => {
    const m = new ContainerMatcher([{ containers: 'ml-*', containerLabels: { team: 'ml', tier: 'serving' } }]);
    expect(m.matches(c('ml-a', { team: 'ml', tier: 'serving', x: '1' }))).toBe(true);
    expect(m.matches(c('ml-a', { team: 'ml' }))).toBe(false);
    expect(m.matches(c('db', { team: 'ml', tier: 'serving' }))).toBe(false);
  });
  it('picks a container when any selector matches; none picks nothing', () => {
    const m = new ContainerMatcher([{ containers: 'redis' }, { containerLabels: { app: 'api' } }]);
    expect(m.matches(c('redis'))).toBe(true);
    expect(m.matches(c('x', { app: 'api' }))).toBe(true);
    expect(m.matches(c('x', { app: 'web' }))).toBe(false);
    expect(new ContainerMatcher([]).matches(c('anything'))).toBe(false);
    expect(new ContainerMatcher([]).empty).toBe(true);
  });
});

describe('containerSelectorsFor', () => {
  const slo = (objectives: SloFileInput['objectives']) => ({
    path: 'x.yaml',
    slo: sloFileSchema.parse({ apiVersion: 'vigil/v1', kind: 'ServiceLevels', service: 's', objectives }),
  });
  it('collects the docker selectors of one instance, once each', () => {
    const config = resolveConfig({
      configPath: null,
      windowSets: SHIPPED_WINDOW_SETS,
      baseDir: '/',
      daemon: daemonConfigSchema.parse({}),
      services: [
        slo([
          { name: 'mem', indicator: { containerMemory: { containers: 'ml-*' } }, threshold: { max: '2GiB' } },
          { name: 'cpu', indicator: { containerCpu: { containers: 'ml-*' } }, threshold: { max: '60%' } },
          { name: 'leak', indicator: { memoryLeak: { containerLabels: { app: 'x' } } } },
          { name: 'other', indicator: { containerCpu: { source: 'remote', containers: 'db' } }, threshold: { max: '60%' } },
          { name: 'hit', indicator: { redisHitRatio: {} }, threshold: { min: '80%' } },
        ]),
      ],
    });
    expect(containerSelectorsFor(config, 'default')).toEqual([
      { containers: 'ml-*', containerLabels: undefined },
      { containers: undefined, containerLabels: { app: 'x' } },
    ]);
    expect(containerSelectorsFor(config, 'remote')).toEqual([{ containers: 'db', containerLabels: undefined }]);
    expect(containerSelectorsFor(config, 'none')).toEqual([]);
  });
});

describe('docker connection', () => {
  it('uses the unix socket by default and TCP when a host is given', () => {
    expect(dockerConnection(dockerSourceSchema.parse({}))).toEqual({ socketPath: '/var/run/docker.sock' });
    expect(dockerConnection(dockerSourceSchema.parse({ socketPath: '/tmp/d.sock' }))).toEqual({ socketPath: '/tmp/d.sock' });
    expect(dockerConnection(dockerSourceSchema.parse({ host: '127.0.0.1', port: 2375 }))).toEqual({
      host: '127.0.0.1',
      port: 2375,
      protocol: 'http',
    });
  });
  it('knows which engines support one-shot stats', () => {
    expect(apiAtLeast('1.41', [1, 41])).toBe(true);
    expect(apiAtLeast('1.43', [1, 41])).toBe(true);
    expect(apiAtLeast('1.40', [1, 41])).toBe(false);
    expect(apiAtLeast('2.0', [1, 41])).toBe(true);
    expect(apiAtLeast(undefined, [1, 41])).toBe(false);
  });
});
