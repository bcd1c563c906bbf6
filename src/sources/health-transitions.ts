import type { SourceHealth } from './source.js';
import type { RunOutcome } from './source-runner.js';

/** A source changed state: logged once, not on every sample. */
export type HealthChange = { readonly to: 'down' } | { readonly to: 'up'; readonly failures: number; readonly downMs: number };

/**
 * Up/down as last reported, per source. A source that fails sample after sample is one "down"
 * line (its error), and its recovery one "up" line (how long it was down); the samples in
 * between are debug noise. A first sample that fails counts as going down; a first success says
 * nothing (there was nothing to recover from). Pure apart from the clock passed in.
 */
export class HealthTransitions {
  private down = false;
  private downSince = 0;
  private failures = 0;

  record(outcome: RunOutcome, health: SourceHealth, now: number): HealthChange | null {
    if (outcome === 'failed') {
      this.failures = health.consecutiveFailures;
      if (this.down) return null;
      this.down = true;
      this.downSince = now;
      return { to: 'down' };
    }
    if (outcome === 'ok' && this.down) {
      this.down = false;
      return { to: 'up', failures: this.failures, downMs: now - this.downSince };
    }
    return null;
  }
}
