import type { Config, LoadedSloFile, SourceInstance } from '../config/config.js';
import type { SourceKind, SourceSettings } from '../config/daemon-schema.js';
import { servicesReading } from '../config/resolve-config.js';
import { containerSelectorsFor } from './docker/container-selector.js';
import { DockerSource } from './docker/docker-source.js';
import { PostgresSource } from './postgres/postgres-source.js';
import { ProbeSource } from './probe/probe-source.js';
import { PrometheusSource } from './prometheus/prometheus-source.js';
import { RedisSource } from './redis/redis-source.js';
import { ScrapeSource } from './scrape/scrape-source.js';
import type { Source } from './source.js';

/**
 * Builds one source from its instance's settings and the objectives bound to it (they pick what
 * to sample); the whole Config for what is not per instance (the window sets).
 */
type SourceFactory<K extends SourceKind> = (
  name: string,
  settings: SourceSettings<K>,
  services: readonly LoadedSloFile[],
  config: Config,
) => Source;

/** One factory per kind. */
const FACTORIES: { [K in SourceKind]: SourceFactory<K> } = {
  docker: (name, settings, services) => new DockerSource({ name, config: settings, selectors: containerSelectorsFor({ services }, name) }),
  redis: (name, settings, services) => new RedisSource(name, settings, services),
  postgres: (name, settings, services) => new PostgresSource(name, settings, services),
  scrape: (name, settings, services) => new ScrapeSource(name, settings, services),
  prometheus: (name, settings, services, config) => new PrometheusSource(name, settings, services, config.windowSets),
  probe: (name, settings, services) => new ProbeSource(name, settings, services),
};

/** Which of the config's instances to build (all by default). */
export type InstanceFilter = (instance: SourceInstance) => boolean;

/** A source and the resolved instance it was built from (its schedule, interval and timeout). */
export interface InstanceSource {
  readonly instance: SourceInstance;
  readonly source: Source;
}

/**
 * One Source per instance of `config.sources` that `include` keeps, in the config's order. The
 * others are never built, so no client or pool is made only to be closed again.
 */
export function createSources(config: Config, include: InstanceFilter = () => true): InstanceSource[] {
  return config.sources.filter(include).map((instance) => ({ instance, source: createSource(config, instance) }));
}

function createSource(config: Config, instance: SourceInstance): Source {
  const factory = FACTORIES[instance.kind] as SourceFactory<SourceKind>;
  return factory(instance.name, instance.settings, servicesReading(config, instance), config);
}
