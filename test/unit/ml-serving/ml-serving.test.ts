import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { LogisticModel, parseTrainingSet } from '../../../src/examples/ml-serving/logistic-model.js';
import { buildMlServingApp, DECIDE_ROUTE, FEATURES_ROUTE, RETRAIN_ROUTE } from '../../../src/examples/ml-serving/ml-serving-app.js';
import { cacheKey, MemoryPredictionCache } from '../../../src/examples/ml-serving/prediction-cache.js';
import { TRAINING_SET_URL } from '../../../src/examples/ml-serving/start-ml-serving.js';
import { FEATURE_VECTOR_SIZE, fnv1a, prepareFeatures, tokenize } from '../../../src/examples/ml-serving/text-features.js';
import { parseExposition } from '../../../src/sources/scrape/exposition-parser.js';

const examples = parseTrainingSet(readFileSync(TRAINING_SET_URL, 'utf8'));

describe('text features', () => {
  it('tokenizes, counts and hashes deterministically', () => {
    expect(tokenize('Add a REST-endpoint, v2!')).toEqual(['add', 'a', 'rest', 'endpoint', 'v2']);
    const { features } = prepareFeatures('Fix bug 42 in Parser');
    expect(features).toMatchObject({ token_count: 5, unique_tokens: 5, char_count: 20, digit_ratio: 0.1 });
    expect(features.uppercase_ratio).toBeCloseTo(2 / 14, 4);
    expect(features.vector).toHaveLength(FEATURE_VECTOR_SIZE);
    const norm = Math.sqrt(features.vector.reduce((s, v) => s + v * v, 0));
    expect(norm).toBeCloseTo(1, 3);
    expect(prepareFeatures('Fix bug 42 in Parser')).toEqual(prepareFeatures('Fix bug 42 in Parser'));
    expect(prepareFeatures('').features.vector.every((v) => v === 0)).toBe(true);
    // FNV-1a reference values.
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
  });
});

describe('logistic model', () => {
  it('learns the bundled set (training accuracy) and generalises to unseen phrasings', () => {
    expect(examples.length).toBeGreaterThanOrEqual(100);
    const model = LogisticModel.train(examples);
    const correct = examples.filter((e) => model.predict(e.text).decision === e.label).length;
    expect(correct / examples.length).toBeGreaterThan(0.95);
    expect(model.predict('add a public API endpoint for exporting reports').decision).toBe('needs-docs');
    expect(model.predict('fix flaky internal unit test').decision).toBe('no-docs');
  });

  it('versions by content: same training -> same version, another seed -> another', () => {
    expect(LogisticModel.train(examples).version).toBe(LogisticModel.train(examples).version);
    expect(LogisticModel.train(examples, { seed: 8 }).version).not.toBe(LogisticModel.train(examples).version);
  });

  it('refuses a malformed training line', () => {
    expect(() => parseTrainingSet('needs-docs\tok\nmaybe\tbad\n')).toThrow(/line 2/);
  });
});

describe('memory prediction cache', () => {
  it('evicts the least recently used entry and expires by TTL', async () => {
    const cache = new MemoryPredictionCache(2);
    await cache.set('a', '1', 60);
    await cache.set('b', '2', 60);
    expect(await cache.get('a')).toBe('1'); // a is now the most recent
    await cache.set('c', '3', 60); // evicts b
    expect(await cache.get('b')).toBeNull();
    expect(await cache.get('a')).toBe('1');
    await cache.set('d', '4', -1); // already expired
    expect(await cache.get('d')).toBeNull();
    expect(cacheKey('v1', 'x')).not.toBe(cacheKey('v2', 'x'));
  });
});

describe('ml-serving app (in-memory cache)', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
  });

  it('reads a JSON body whatever its content type (curl -d sends a form type), and answers 400 to a body that is not JSON', async () => {
    const { app } = buildMlServingApp({ examples, cache: new MemoryPredictionCache(), defaultMetrics: false });
    close = () => app.close();
    for (const type of ['application/x-www-form-urlencoded', 'text/plain', 'application/octet-stream']) {
      const res = await app.inject({
        method: 'POST',
        url: DECIDE_ROUTE,
        headers: { 'content-type': type },
        payload: '{"task": "update README"}',
      });
      expect(res.statusCode, type).toBe(200);
      expect(typeof res.json().decision).toBe('string');
    }
    const bad = await app.inject({
      method: 'POST',
      url: DECIDE_ROUTE,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'task=update+README',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/not JSON; send a JSON object such as \{"task": "update README"\}/);
  });

  it('serves features and cached decisions, invalidated by a model version change, with metrics', async () => {
    const { app } = buildMlServingApp({ examples, cache: new MemoryPredictionCache(), defaultMetrics: false });
    close = () => app.close();
    const features = await app.inject({ method: 'POST', url: FEATURES_ROUTE, payload: { context: 'Add an endpoint' } });
    expect(features.statusCode).toBe(200);
    expect(features.json().features.token_count).toBe(3);
    expect(features.json().preparation_time_ms).toBeGreaterThanOrEqual(0);

    const ask = async () =>
      (await app.inject({ method: 'POST', url: DECIDE_ROUTE, payload: { task: 'add a public REST endpoint' } })).json();
    const first = await ask();
    expect(first).toMatchObject({ decision: 'needs-docs', cache_hit: false });
    expect(first.inference_time_ms).toBeGreaterThan(0);
    const second = await ask();
    expect(second).toMatchObject({ decision: 'needs-docs', cache_hit: true, inference_time_ms: 0, model_version: first.model_version });

    const retrained = (await app.inject({ method: 'POST', url: RETRAIN_ROUTE, payload: {} })).json();
    expect(retrained.previous_version).toBe(first.model_version);
    expect(retrained.model_version).not.toBe(first.model_version);
    const third = await ask();
    expect(third).toMatchObject({ cache_hit: false, model_version: retrained.model_version });

    const bad = await app.inject({ method: 'POST', url: DECIDE_ROUTE, payload: { nope: 1 } });
    expect(bad.statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: '/health' })).json()).toMatchObject({ status: 'ok', cache: 'memory' });

    const { samples } = parseExposition((await app.inject({ method: 'GET', url: '/metrics' })).body);
    const count = (name: string, labels: Record<string, string>) =>
      samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
    expect(count('http_requests_total', { route: DECIDE_ROUTE, method: 'POST', code: '200' })).toBe(3);
    expect(count('http_requests_total', { route: DECIDE_ROUTE, method: 'POST', code: '400' })).toBe(1);
    expect(count('http_request_duration_seconds_count', { route: DECIDE_ROUTE, code: '200' })).toBe(3);
    expect(count('ml_inference_seconds_count', {})).toBe(2);
    expect(count('ml_feature_preparation_seconds_count', {})).toBe(4);
    expect(count('ml_prediction_cache_lookups_total', { result: 'hit' })).toBe(1);
    // Buckets fine enough between 1 and 100 ms.
    const les = samples
      .filter((s) => s.name === 'http_request_duration_seconds_bucket' && s.labels.code === '200' && s.labels.route === DECIDE_ROUTE)
      .map((s) => Number(s.labels.le));
    expect(les.filter((le) => le >= 0.001 && le <= 0.1).length).toBeGreaterThanOrEqual(12);
  });
});
