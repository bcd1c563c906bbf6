import { describe, expect, it } from 'vitest';
import { type AlertContent, AlertTracker } from '../../../src/alerting/alert-tracker.js';

const MIN = 60_000;
const breach = (objective: string, summary = `${objective} breached`, forMs = 0): AlertContent => ({
  labels: { alertname: 'VigilObjectiveBreach', service: 'ml', objective, severity: 'page' },
  annotations: { summary, description: 'value 70ms against max 50ms' },
  forMs,
});

describe('AlertTracker', () => {
  it('sends a new breach at once, with endsAt four resend intervals ahead', () => {
    const tracker = new AlertTracker({ resendIntervalMs: MIN, resolvedRetentionMs: 15 * MIN });
    const sent = tracker.update([breach('latency')], 1_000_000);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.startsAt).toBe(new Date(1_000_000).toISOString());
    expect(sent[0]!.endsAt).toBe(new Date(1_000_000 + 4 * MIN).toISOString());
  });

  it('does not re-send an unchanged firing alert before the resend interval, then re-sends it', () => {
    const tracker = new AlertTracker({ resendIntervalMs: MIN, resolvedRetentionMs: 15 * MIN });
    tracker.update([breach('latency')], 0);
    expect(tracker.update([breach('latency')], 5_000)).toEqual([]);
    expect(tracker.update([breach('latency')], MIN - 1)).toEqual([]);
    const resent = tracker.update([breach('latency')], MIN);
    expect(resent).toHaveLength(1);
    // The alert keeps its original start: Alertmanager sees one alert, not a new one.
    expect(resent[0]!.startsAt).toBe(new Date(0).toISOString());
  });

  it('re-sends early when the summary changes', () => {
    const tracker = new AlertTracker({ resendIntervalMs: MIN, resolvedRetentionMs: 15 * MIN });
    tracker.update([breach('latency', 'a')], 0);
    expect(tracker.update([breach('latency', 'b')], 1000)).toHaveLength(1);
  });

  it('with a resolve delay, posts the resolution with endsAt that far after it cleared, and keeps it on re-sends', () => {
    const tracker = new AlertTracker({ resendIntervalMs: MIN, resolvedRetentionMs: 15 * MIN, resolveDelayMs: 10_000 });
    tracker.update([breach('latency')], 0);
    const resolved = tracker.update([], 30_000);
    expect(resolved[0]!.endsAt).toBe(new Date(40_000).toISOString());
    expect(tracker.firing()).toEqual([]);
    // Re-sent while its endsAt lies ahead (resend interval 5 s here), never after it.
    const quick = new AlertTracker({ resendIntervalMs: 5_000, resolvedRetentionMs: 15 * MIN, resolveDelayMs: 10_000 });
    quick.update([breach('latency')], 0);
    expect(quick.update([], 30_000)[0]!.endsAt).toBe(new Date(40_000).toISOString());
    expect(quick.update([], 35_000)[0]!.endsAt).toBe(new Date(40_000).toISOString());
    expect(quick.update([], 40_000)).toEqual([]);
    expect(quick.update([], 45_000)).toEqual([]);
    expect(quick.update([], 10 * MIN)).toEqual([]);
  });

  it('resolves a cleared alert with endsAt = the time it cleared, re-sends it, then forgets it', () => {
    const tracker = new AlertTracker({ resendIntervalMs: MIN, resolvedRetentionMs: 3 * MIN });
    tracker.update([breach('latency')], 0);
    const resolved = tracker.update([], 10_000);
    expect(resolved).toHaveLength(1);
    expect(resolved[0]!.endsAt).toBe(new Date(10_000).toISOString());
    expect(tracker.firing()).toEqual([]);
    expect(tracker.update([], 20_000)).toEqual([]);
    expect(tracker.update([], 10_000 + MIN)).toHaveLength(1);
    expect(tracker.update([], 10_000 + 3 * MIN)).toEqual([]);
    // Gone from the tracker: a new breach starts a new alert.
    const again = tracker.update([breach('latency')], 10_000 + 4 * MIN);
    expect(again[0]!.startsAt).toBe(new Date(10_000 + 4 * MIN).toISOString());
  });

  it('tracks alerts independently by their labels', () => {
    const tracker = new AlertTracker({ resendIntervalMs: MIN, resolvedRetentionMs: 15 * MIN });
    tracker.update([breach('a'), breach('b')], 0);
    const sent = tracker.update([breach('a')], 1000);
    expect(sent.map((a) => [a.labels.objective, a.endsAt])).toEqual([['b', new Date(1000).toISOString()]]);
  });

  it('holds a new breach as pending for its `for`, then fires with startsAt = when it fired', () => {
    const tracker = new AlertTracker({ resendIntervalMs: MIN, resolvedRetentionMs: 15 * MIN });
    const held = (t: number) => tracker.update([breach('latency', 'x', 5 * MIN)], t);
    expect(held(0)).toEqual([]);
    expect(held(4 * MIN)).toEqual([]);
    expect(tracker.firing()).toEqual([]);
    const fired = held(5 * MIN);
    expect(fired).toHaveLength(1);
    expect(fired[0]!.startsAt).toBe(new Date(5 * MIN).toISOString());
    expect(tracker.firing()).toHaveLength(1);
  });

  it('forgets a pending breach that clears before its `for`: nothing fires, nothing resolves', () => {
    const tracker = new AlertTracker({ resendIntervalMs: MIN, resolvedRetentionMs: 15 * MIN });
    tracker.update([breach('latency', 'x', 5 * MIN)], 0);
    expect(tracker.update([], 2 * MIN)).toEqual([]);
    // A flap restarts the clock: 4 more minutes are not enough.
    tracker.update([breach('latency', 'x', 5 * MIN)], 3 * MIN);
    expect(tracker.update([breach('latency', 'x', 5 * MIN)], 7 * MIN)).toEqual([]);
    expect(tracker.update([breach('latency', 'x', 5 * MIN)], 8 * MIN)).toHaveLength(1);
  });
});
