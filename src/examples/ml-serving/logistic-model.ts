import { createHash } from 'node:crypto';
import { hashedTerms, MODEL_HASH_SPACE, type SparseVector, tokenize } from './text-features.js';

/**
 * Logistic regression over hashed unigrams and bigrams, trained in process at start by plain
 * stochastic gradient descent with L2 regularisation. Small on purpose: a real model whose
 * inference costs real (if small) CPU time, so the service's latency histograms mean something.
 */

export const LABELS = ['no-docs', 'needs-docs'] as const;
export type Label = (typeof LABELS)[number];

export interface Example {
  readonly text: string;
  readonly label: Label;
}

export interface TrainOptions {
  epochs?: number;
  learningRate?: number;
  l2?: number;
  /** Seed for the shuffling order, so training is reproducible. */
  seed?: number;
}

export interface Prediction {
  decision: Label;
  /** P(needs-docs). */
  probability: number;
}

export class LogisticModel {
  private constructor(
    private readonly weights: Float64Array,
    private readonly bias: number,
    /** Content hash of weights and hyper-parameters: a retrained model gets a new version. */
    readonly version: string,
  ) {}

  static train(examples: readonly Example[], options: TrainOptions = {}): LogisticModel {
    const epochs = options.epochs ?? 30;
    const rate = options.learningRate ?? 0.2;
    const l2 = options.l2 ?? 1e-4;
    const weights = new Float64Array(MODEL_HASH_SPACE);
    let bias = 0;
    const rows = examples.map((e) => ({ x: hashedTerms(tokenize(e.text)), y: e.label === 'needs-docs' ? 1 : 0 }));
    const order = rows.map((_, i) => i);
    let state = (options.seed ?? 7) >>> 0 || 1;
    const random = () => {
      // xorshift32: deterministic shuffles without a dependency.
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) / 0x1_0000_0000;
    };
    for (let epoch = 0; epoch < epochs; epoch++) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      for (const index of order) {
        const row = rows[index]!;
        const error = sigmoid(dot(weights, row.x) + bias) - row.y;
        for (const [k, v] of row.x) weights[k] = weights[k]! - rate * (error * v + l2 * weights[k]!);
        bias -= rate * error;
      }
    }
    const hash = createHash('sha256');
    hash.update(new Uint8Array(weights.buffer));
    hash.update(`${bias}|${epochs}|${rate}|${l2}|${options.seed ?? 7}`);
    return new LogisticModel(weights, bias, `lr-${hash.digest('hex').slice(0, 12)}`);
  }

  predictTokens(tokens: readonly string[], extraLogit = 0): Prediction {
    const probability = sigmoid(dot(this.weights, hashedTerms(tokens)) + this.bias + extraLogit);
    return { decision: probability >= 0.5 ? 'needs-docs' : 'no-docs', probability };
  }

  predict(text: string): Prediction {
    return this.predictTokens(tokenize(text));
  }
}

function dot(weights: Float64Array, x: SparseVector): number {
  let sum = 0;
  for (const [k, v] of x) sum += weights[k]! * v;
  return sum;
}

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** Parses the bundled set: one `label<TAB>text` per line; `#` comments and blank lines skipped. */
export function parseTrainingSet(text: string): Example[] {
  const out: Example[] = [];
  text.split('\n').forEach((line, i) => {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) return;
    const tab = trimmed.indexOf('\t');
    const label = tab > 0 ? trimmed.slice(0, tab).trim() : '';
    if (label !== 'needs-docs' && label !== 'no-docs') {
      throw new Error(`training set line ${i + 1}: expected "needs-docs<TAB>text" or "no-docs<TAB>text"`);
    }
    out.push({ label, text: trimmed.slice(tab + 1).trim() });
  });
  return out;
}
