import { describe, expect, it, vi } from 'vitest';
import type { PostableAlert } from '../../../src/alerting/alert-tracker.js';
import { type AlertSender, DeliveryQueue } from '../../../src/alerting/delivery-queue.js';

const alert = (objective: string, endsAt: string): PostableAlert => ({
  labels: { alertname: 'VigilObjectiveBreach', service: 'ml', objective },
  annotations: { summary: objective },
  startsAt: '2026-01-01T00:00:00.000Z',
  endsAt,
});

/** An Alertmanager stand-in that can be "down" and records what it accepted. */
class FlakySender implements AlertSender {
  readonly baseUrl = 'http://127.0.0.1:1';
  down = false;
  calls = 0;
  accepted: PostableAlert[][] = [];
  async post(alerts: readonly PostableAlert[]): Promise<void> {
    this.calls++;
    if (this.down) throw new Error('connect ECONNREFUSED');
    this.accepted.push([...alerts]);
  }
}

const until = async (cond: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('DeliveryQueue', () => {
  it('delivers at once when the Alertmanager is up', async () => {
    const sender = new FlakySender();
    const queue = new DeliveryQueue(sender, { initialBackoffMs: 10, maxBackoffMs: 50 });
    queue.enqueue([alert('a', 'x')]);
    await queue.flush();
    expect(sender.accepted).toEqual([[alert('a', 'x')]]);
    expect(queue.status().pending).toBe(0);
  });

  it('retries with backoff while down and delivers the newest version of each alert once up', async () => {
    const sender = new FlakySender();
    sender.down = true;
    const errors: number[] = [];
    const queue = new DeliveryQueue(sender, { initialBackoffMs: 20, maxBackoffMs: 40, onError: (_e, p) => errors.push(p) });
    queue.enqueue([alert('a', 'firing')]);
    await until(() => sender.calls >= 3);
    // The firing alert resolves while Alertmanager is down: only the resolution is kept.
    queue.enqueue([alert('a', 'resolved'), alert('b', 'firing')]);
    expect(queue.status().pending).toBe(2);
    expect(queue.status().consecutiveFailures).toBeGreaterThanOrEqual(3);
    sender.down = false;
    await until(() => sender.accepted.length > 0);
    expect(sender.accepted[0]!.map((a) => `${a.labels.objective}:${a.endsAt}`).sort()).toEqual(['a:resolved', 'b:firing']);
    expect(queue.status()).toMatchObject({ pending: 0, consecutiveFailures: 0, lastError: null });
    expect(errors.length).toBeGreaterThanOrEqual(3);
    await queue.close(false);
  });

  it('backs off exponentially instead of hammering a down Alertmanager', async () => {
    vi.useFakeTimers();
    try {
      const sender = new FlakySender();
      sender.down = true;
      const queue = new DeliveryQueue(sender, { initialBackoffMs: 40, maxBackoffMs: 200 });
      queue.enqueue([alert('a', 'x')]);
      await vi.advanceTimersByTimeAsync(0);
      expect(sender.calls).toBe(1);
      const callsAt: number[] = [0];
      for (let t = 10; t <= 1000; t += 10) {
        await vi.advanceTimersByTimeAsync(10);
        if (sender.calls > callsAt.length) callsAt.push(t);
      }
      // Attempts at 0, +40, +80, +160, then capped at +200: gaps double up to the cap.
      const gaps = callsAt.slice(1).map((t, i) => t - callsAt[i]!);
      expect(gaps.slice(0, 4)).toEqual([40, 80, 160, 200]);
      // Enqueueing more while backing off does not add attempts.
      const before = sender.calls;
      queue.enqueue([alert('b', 'x')]);
      await vi.advanceTimersByTimeAsync(1);
      expect(sender.calls).toBe(before);
      await queue.close(false);
    } finally {
      vi.useRealTimers();
    }
  });
});
