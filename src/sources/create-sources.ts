import type { Config } from '../config/config.js';
import {
  SOURCE_KINDS,
  daemonConfigSchema,
  type DaemonConfig,
  type SourceKind,
} from '../config/daemon-schema.js';
import { lookupIndicatorSource } from '../config/source-lookup.js';
import { containerSelectorsFor } from './docker/container-selector.js';
import { DockerSource } from './docker/docker-source.js';
import { PostgresSource } from './postgres/postgres-source.js';
import { RedisSource } from './redis/redis-source.js';
import { ScrapeSource } from './scrape/scrape-source.js';
import { ProbeSource } from './probe/probe-source.js';
import { PrometheusSource } from './prometheus/prometheus-source.js';
import type { Source } from './source.js';

type Instances = DaemonConfig['sources'];
type InstanceConfig<K extends SourceKind> = Instances[K][string];

/** Builds one source instance from its config and the whole Config (objectives pick what to sample). */
type SourceFactory<K extends SourceKind> = (name: string, instance: InstanceConfig<K>, config: Config) => Source;

/** One factory per kind. */
const FACTORIES: { [K in SourceKind]: SourceFactory<K> } = {
  docker: (name, instance, config) =>
    new DockerSource({ name, config: instance, selectors: containerSelectorsFor(config, name) }),
  redis: (name, instance, config) => new RedisSource(name, instance, config.services),
  postgres: (name, instance, config) => new PostgresSource(name, instance, config.services),
  scrape: (name, instance, config) => new ScrapeSource(name, instance, config.services),
  prometheus: (name, instance, config) => new PrometheusSource(name, instance, config.services, config.windowSets),
  probe: (name, instance, config) => new ProbeSource(name, instance, config.services),
};

/**
 * The instances to run: every configured instance, plus instances objectives name that are not
 * configured but whose kind works on defaults (docker on `/var/run/docker.sock`, probe with
 * absolute URLs). An objective naming an instance that is neither is a config error reported by
 * the loader, not here.
 */
export function sourceInstances(config: Config): Array<{ kind: SourceKind; name: string; instance: unknown }> {
  const instances = config.daemon.sources as Record<SourceKind, Record<string, unknown>>;
  const out = new Map<string, { kind: SourceKind; name: string; instance: unknown }>();
  for (const kind of SOURCE_KINDS) {
    for (const [name, instance] of Object.entries(instances[kind])) out.set(`${kind}/${name}`, { kind, name, instance });
  }
  const defaults = daemonConfigSchema.shape.sources;
  for (const { slo } of config.services) {
    for (const objective of slo.objectives) {
      const found = lookupIndicatorSource(config.daemon.sources, objective.indicator);
      // Configured instances are in already; a name that resolves to nothing is a config error
      // the loader reports. Only an implicit instance (a kind that runs on defaults) is added.
      if (!found.ok || found.implicit !== true) continue;
      const { kind, name } = found;
      if (out.has(`${kind}/${name}`)) continue;
      const parsed = defaults.safeParse({ [kind]: { [name]: {} } });
      if (parsed.success) {
        const implicit = (parsed.data as Record<SourceKind, Record<string, unknown>>)[kind][name];
        out.set(`${kind}/${name}`, { kind, name, instance: implicit });
      }
    }
  }
  return [...out.values()];
}

/** One Source per instance (see `sourceInstances`), in a stable order. */
export function createSources(config: Config): Source[] {
  return sourceInstances(config).map(({ kind, name, instance }) =>
    (FACTORIES[kind] as SourceFactory<SourceKind>)(name, instance as InstanceConfig<SourceKind>, config),
  );
}
