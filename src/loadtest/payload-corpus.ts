import type { CorpusSpec } from './profile-schema.js';
import { seededRandom } from './seeded-random.js';

/**
 * Request payloads for load tests: many distinct tasks (the long tail, mostly cache misses) and a
 * small hot set that comes back often (should hit the prediction cache). Generated from word
 * lists with a seeded generator, so two runs of the same profile send the same traffic.
 */

const VERBS = [
  'add',
  'fix',
  'refactor',
  'remove',
  'rename',
  'document',
  'introduce',
  'deprecate',
  'optimize',
  'change',
  'support',
  'expose',
  'migrate',
  'test',
  'clean up',
];
const ADJECTIVES = ['public', 'internal', 'new', 'legacy', 'flaky', 'experimental', 'default', 'private', 'breaking', 'optional'];
const OBJECTS = [
  'REST endpoint',
  'config option',
  'CLI flag',
  'database migration',
  'cache layer',
  'retry policy',
  'unit test',
  'webhook payload',
  'helper function',
  'API key scope',
  'metrics exporter',
  'login flow',
  'export format',
  'job scheduler',
  'feature flag',
];
const CONTEXTS = [
  'for the billing service',
  'in the search API',
  'of the model registry',
  'in the worker pool',
  'for enterprise tenants',
  'in the admin console',
  'of the payment client',
  'in the CI pipeline',
  'for the mobile app',
  'of the audit log',
];

/** The n-th task of the generated space; distinct for n below the space's size (22 500 × ticket numbers). */
export function generatedTask(n: number): string {
  let k = n;
  const pick = <T>(list: readonly T[]): T => {
    const item = list[k % list.length];
    if (item === undefined) throw new RangeError('generatedTask: an empty word list');
    k = Math.floor(k / list.length);
    return item;
  };
  const verb = pick(VERBS);
  const adjective = pick(ADJECTIVES);
  const object = pick(OBJECTS);
  const context = pick(CONTEXTS);
  // Beyond the word combinations, a ticket number keeps tasks distinct.
  return k > 0 ? `${verb} ${adjective} ${object} ${context} (ticket ${k})` : `${verb} ${adjective} ${object} ${context}`;
}

export class PayloadCorpus {
  readonly hot: readonly string[];
  readonly tail: readonly string[];
  private readonly random: () => number;

  constructor(
    private readonly spec: Pick<CorpusSpec, 'distinct' | 'hotSet' | 'hotShare' | 'seed'>,
    extraTasks: readonly string[] = [],
  ) {
    this.random = seededRandom(spec.seed);
    // Spread the picks over the generated space, so neighbouring tasks differ in more than one word.
    const stride = 7919;
    const all = [...extraTasks];
    for (let i = 0; all.length < spec.distinct + spec.hotSet && i < 10_000_000; i++) all.push(generatedTask(i * stride));
    this.hot = all.slice(0, spec.hotSet);
    this.tail = all.slice(spec.hotSet);
  }

  /** A task: from the hot set with probability hotShare, else uniformly from the tail. */
  next(): string {
    const fromHot = this.hot.length > 0 && (this.tail.length === 0 || this.random() < this.spec.hotShare);
    const list = fromHot ? this.hot : this.tail;
    const task = list[Math.floor(this.random() * list.length)];
    // Both lists empty only when the corpus asks for no tasks at all, which its schema refuses.
    if (task === undefined) throw new RangeError('PayloadCorpus: no tasks to pick from');
    return task;
  }
}

/** Replaces `{{task}}` in every string of a JSON body. */
export function fillTemplate(body: unknown, task: string): unknown {
  if (typeof body === 'string') return body.split('{{task}}').join(task);
  if (Array.isArray(body)) return body.map((item) => fillTemplate(item, task));
  if (body && typeof body === 'object') {
    return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, fillTemplate(v, task)]));
  }
  return body;
}
