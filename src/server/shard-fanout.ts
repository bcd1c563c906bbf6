// One view across shards: the local list plus every peer's `scope=local` list, each peer asked
// once with a timeout. A peer that does not answer in time (or answers badly) is reported, and
// the answer is marked partial rather than delayed or failed: a status page that waits for a dead
// shard is no status page. Merging is pure; only `askPeers` does I/O.

import type { ResolvedShard } from '../config/shard.js';
import { describeError } from '../core/describe-error.js';
import { redact } from '../core/redact.js';
import { declaredKeys } from '../core/wire-keys.js';
import { type PeerAnswer, type ServiceListEntry, type ServiceListResponse, serviceListResponseSchema } from './api-schemas.js';

/** One peer's reply: its list, or why there is none. */
export type PeerReply = { url: string; ok: true; list: ServiceListResponse } | { url: string; ok: false; error: string };

/** The local view with this shard's identity: index, total and the services it owns. */
export function withShard(list: ServiceListResponse, shard: ResolvedShard): ServiceListResponse {
  return {
    ...list,
    services: list.services.map((s) => ({ ...s, shard: shard.index })),
    shard: { index: shard.index, total: shard.total, services: list.services.map((s) => s.service) },
  };
}

/**
 * The local list and the peers' lists as one: every service once (the first shard listing it
 * wins; with a consistent config none is listed twice), sorted by name, hrefs of a peer's
 * services pointing at that peer; `partial` when any peer failed.
 */
export function mergeLists(local: ServiceListResponse, replies: readonly PeerReply[]): ServiceListResponse {
  const byName = new Map<string, ServiceListEntry>();
  for (const s of local.services) byName.set(s.service, s);
  const peers: PeerAnswer[] = [];
  for (const reply of replies) {
    if (!reply.ok) {
      peers.push({ url: reply.url, ok: false, shard: null, services: 0, error: reply.error });
      continue;
    }
    const base = reply.url.replace(/\/+$/, '');
    for (const s of reply.list.services) {
      if (byName.has(s.service)) continue;
      byName.set(s.service, { ...s, href: s.href.startsWith('/') ? base + s.href : s.href, shard: s.shard ?? reply.list.shard?.index });
    }
    peers.push({ url: reply.url, ok: true, shard: reply.list.shard?.index ?? null, services: reply.list.services.length });
  }
  const services = [...byName.values()].sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0));
  return { ...local, services, partial: peers.some((p) => !p.ok), peers };
}

/** Asks every peer for its local list, all at once, each bounded by the shard's peer timeout. */
export function askPeers(shard: ResolvedShard, fetchFn: typeof fetch = fetch): Promise<PeerReply[]> {
  return Promise.all(shard.peers.map((url) => askPeer(url, shard.peerTimeoutMs, fetchFn)));
}

async function askPeer(url: string, timeoutMs: number, fetchFn: typeof fetch): Promise<PeerReply> {
  const target = `${url.replace(/\/+$/, '')}/api/sla?scope=local`;
  try {
    const res = await fetchFn(target, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
    if (!res.ok) return { url, ok: false, error: `HTTP ${res.status}` };
    const parsed = serviceListResponseSchema.safeParse(declaredKeys(serviceListResponseSchema, await res.json()));
    if (!parsed.success) return { url, ok: false, error: 'the answer is not a service list' };
    return { url, ok: true, list: parsed.data };
  } catch (err) {
    const timedOut = err instanceof DOMException && err.name === 'TimeoutError';
    return { url, ok: false, error: timedOut ? `no answer within ${timeoutMs} ms` : redact(describeError(err)) };
  }
}
