/**
 * Parses the text of Redis `INFO` (`# Section` headers, `key:value` lines, CRLF) into a flat map,
 * and the keyspace lines (`db0:keys=12,expires=0,avg_ttl=0`) into per-database key counts.
 */

export interface RedisInfo {
  readonly fields: ReadonlyMap<string, string>;
  /** Keys per database, by name (`db0`). */
  readonly dbKeys: ReadonlyMap<string, number>;
}

export function parseRedisInfo(text: string): RedisInfo {
  const fields = new Map<string, string>();
  const dbKeys = new Map<string, number>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon);
    const value = line.slice(colon + 1);
    fields.set(key, value);
    if (/^db\d+$/.test(key)) {
      const keys = /(?:^|,)keys=(\d+)/.exec(value);
      if (keys) dbKeys.set(key, Number(keys[1]));
    }
  }
  return { fields, dbKeys };
}

/** A numeric INFO field, or undefined when absent or not a number. */
export function infoNumber(info: RedisInfo, key: string): number | undefined {
  const raw = info.fields.get(key);
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  return Number.isFinite(value) ? value : undefined;
}
