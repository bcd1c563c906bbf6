// Sharding the Prometheus way: a service belongs to shard `hashmod(service name, total)`, the
// same arithmetic as Prometheus's `hashmod` relabel action (MD5, the last 8 bytes as a big-endian
// unsigned 64-bit integer, modulo the shard count), so a relabel rule and vigil agree on who owns
// what. The shard index is configured, or read from the ordinal a StatefulSet puts at the end of
// the host name (`vigil-2` is shard 2).
import { createHash } from 'node:crypto';
import { deepFreeze } from '../core/freeze.js';
import type { Config } from './config.js';
import type { ShardConfig } from './daemon-schema.js';

/** Prometheus's `hashmod`: md5(value), last 8 bytes big-endian, modulo `modulus`. */
export function hashmod(value: string, modulus: number): number {
  const digest = createHash('md5').update(value, 'utf8').digest();
  return Number(digest.readBigUInt64BE(8) % BigInt(modulus));
}

/** The ordinal at the end of a StatefulSet pod's host name (`vigil-2` -> 2), or null. */
export function ordinalOf(hostname: string): number | null {
  const m = /-(\d+)$/.exec(hostname.split('.')[0] ?? '');
  return m ? Number(m[1]) : null;
}

/** Which shard this process is, and where the others answer. */
export interface ResolvedShard {
  readonly index: number;
  readonly total: number;
  /** Base URLs of the other shards' APIs. */
  readonly peers: readonly string[];
  readonly peerTimeoutMs: number;
}

/** `shard.index`, else the host name's ordinal; an error says what to set when neither fits. */
export function resolveShard(shard: ShardConfig | undefined, hostname: string): ResolvedShard | null {
  if (shard === undefined) return null;
  const index = shard.index ?? ordinalOf(hostname);
  if (index === null) {
    throw new Error(
      `shard: no shard.index is set and the host name ${JSON.stringify(hostname)} ends in no ordinal (like "vigil-2"); ` +
        'set shard.index (or VIGIL_SHARD_INDEX)',
    );
  }
  if (index >= shard.total) {
    throw new Error(
      `shard: index ${index}${shard.index === undefined ? ` (from the host name ${JSON.stringify(hostname)})` : ''} is not below shard.total ${shard.total}`,
    );
  }
  return { index, total: shard.total, peers: shard.peers, peerTimeoutMs: shard.peerTimeout };
}

/** Whether `service` is this shard's. */
export function ownsService(service: string, shard: ResolvedShard): boolean {
  return hashmod(service, shard.total) === shard.index;
}

/**
 * The config this shard runs: only the services it owns (sources' targets, evaluation, alerting
 * and the API all follow from the service list), and of the implicit source instances only those
 * its objectives read. Without sharding, the config itself.
 */
export function configForShard(config: Config, shard: ResolvedShard | null): Config {
  if (shard === null) return config;
  const services = config.services.filter((s) => ownsService(s.slo.service, shard));
  // Instances vigil.yaml does not name exist for the objectives that read them: only ours.
  // (An objective's source is the same object as its entry in `sources`.)
  const used = new Set<object>(services.flatMap((s) => s.slo.objectives.map((o) => o.source)));
  const sources = config.sources.filter((i) => !i.implicit || used.has(i));
  return deepFreeze({ ...config, services, sources });
}
