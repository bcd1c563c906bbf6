// One import for tests that need their own instance (fault tests stop and restart it).

export {
  type AlertmanagerAddress,
  type AlertmanagerHandle,
  type AlertmanagerOptions,
  startAlertmanager,
  startAlertmanagerCluster,
} from './alertmanager-launcher.js';
export {
  DOCKER_CLIENT,
  type DockerAddress,
  type DockerHandle,
  type DockerOptions,
  dockerApi,
  startDocker,
  TEST_IMAGE,
} from './docker-launcher.js';
export { type ExporterHandle, PG_STAT_STATEMENTS_QUERIES, startPostgresExporter, startRedisExporter } from './exporter-launcher.js';
export { type PostgresAddress, type PostgresHandle, type PostgresOptions, startPostgres } from './postgres-launcher.js';
export { freePort, sleep, sweepOrphans, waitFor } from './process-utils.js';
export {
  type PrometheusAddress,
  type PrometheusHandle,
  type PrometheusOptions,
  startPrometheus,
  type TargetGroup,
  writeTargets,
} from './prometheus-launcher.js';
export { type RedisAddress, type RedisHandle, type RedisOptions, redisPing, startRedis } from './redis-launcher.js';
export type { ServiceControl } from './service-handle.js';
export { startVictoriaMetrics, startVmalert, startVmauth, type VictoriaHandle } from './victoria-launcher.js';
export { type ReceivedRequest, WebhookReceiver } from './webhook-receiver.js';
