import type { Config, SourceInstance } from '../config/config.js';
import type { SourceKind, SourceSettings } from '../config/daemon-schema.js';
import { containerSelectorsFor } from './docker/container-selector.js';
import { DockerSource } from './docker/docker-source.js';
import { PostgresSource } from './postgres/postgres-source.js';
import { RedisSource } from './redis/redis-source.js';
import { ScrapeSource } from './scrape/scrape-source.js';
import { ProbeSource } from './probe/probe-source.js';
import { PrometheusSource } from './prometheus/prometheus-source.js';
import type { Source } from './source.js';

/** Builds one source from its instance's settings and the whole Config (objectives pick what to sample). */
type SourceFactory<K extends SourceKind> = (name: string, settings: SourceSettings<K>, config: Config) => Source;

/** One factory per kind. */
const FACTORIES: { [K in SourceKind]: SourceFactory<K> } = {
  docker: (name, settings, config) =>
    new DockerSource({ name, config: settings, selectors: containerSelectorsFor(config, name) }),
  redis: (name, settings, config) => new RedisSource(name, settings, config.services),
  postgres: (name, settings, config) => new PostgresSource(name, settings, config.services),
  scrape: (name, settings, config) => new ScrapeSource(name, settings, config.services),
  prometheus: (name, settings, config) => new PrometheusSource(name, settings, config.services),
  probe: (name, settings, config) => new ProbeSource(name, settings, config.services),
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
  return factory(instance.name, instance.settings, config);
}
