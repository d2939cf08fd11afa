/**
 * Every metric name the service exports, in one place: the alert rules, the Grafana dashboards and
 * the cross-check test (test/monitoring.e2e-spec.ts) read these. Standard process metrics from
 * prom-client (`process_*`, `nodejs_*`) keep their usual names.
 */
export const MetricNames = {
  httpRequests: 'cryoprotect_http_requests_total',
  httpRequestDuration: 'cryoprotect_http_request_duration_seconds',
  httpRequestsInFlight: 'cryoprotect_http_requests_in_flight',
  dbQueryDuration: 'cryoprotect_db_query_duration_seconds',
  dbPoolTotal: 'cryoprotect_db_pool_connections_total',
  dbPoolIdle: 'cryoprotect_db_pool_connections_idle',
  dbPoolWaiting: 'cryoprotect_db_pool_clients_waiting',
  dbPoolMax: 'cryoprotect_db_pool_connections_max',
  cacheHits: 'cryoprotect_cache_hits_total',
  cacheMisses: 'cryoprotect_cache_misses_total',
  cacheErrors: 'cryoprotect_cache_errors_total',
  molecules: 'cryoprotect_molecules',
  mixtures: 'cryoprotect_mixtures',
  experiments: 'cryoprotect_experiments',
  /** Registered by the backup module through MetricsService, labelled by target and schedule. */
  backupLastSuccess: 'cryoprotect_backup_last_success_timestamp_seconds',
  backupDuration: 'cryoprotect_backup_duration_seconds',
  backupSize: 'cryoprotect_backup_size_bytes',
  backupFailures: 'cryoprotect_backup_failures_total',
  backupVerifyLastSuccess: 'cryoprotect_backup_verify_last_success_timestamp_seconds',
} as const;

/** The route label of requests that matched no route (never the raw URL: it would explode cardinality). */
export const UNMATCHED_ROUTE = 'unmatched';

/** Request duration buckets (seconds); 0.5 s is the latency objective of the SLO alerts. */
export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Query duration buckets (seconds). */
export const DB_DURATION_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
];
