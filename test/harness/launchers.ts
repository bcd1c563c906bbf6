// One import for tests that need their own instance (fault tests stop and restart it).
export { startPostgres, type PostgresAddress, type PostgresHandle, type PostgresOptions } from './postgres-launcher.js';
export { startRedis, redisPing, type RedisAddress, type RedisHandle, type RedisOptions } from './redis-launcher.js';
export { startDocker, dockerApi, TEST_IMAGE, DOCKER_CLIENT, type DockerAddress, type DockerHandle, type DockerOptions } from './docker-launcher.js';
export {
  startPrometheus,
  writeTargets,
  type PrometheusAddress,
  type PrometheusHandle,
  type PrometheusOptions,
  type TargetGroup,
} from './prometheus-launcher.js';
export { startAlertmanager, startAlertmanagerCluster, type AlertmanagerAddress, type AlertmanagerHandle, type AlertmanagerOptions } from './alertmanager-launcher.js';
export { WebhookReceiver, type ReceivedRequest } from './webhook-receiver.js';
export type { ServiceControl } from './service-handle.js';
export { freePort, waitFor, sleep, sweepOrphans } from './process-utils.js';
export { startRedisExporter, startPostgresExporter, PG_STAT_STATEMENTS_QUERIES, type ExporterHandle } from './exporter-launcher.js';
export { startVictoriaMetrics, startVmauth, startVmalert, type VictoriaHandle } from './victoria-launcher.js';
