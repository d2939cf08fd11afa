// Type-checks the provisioned dashboards against Grafana's published Dashboard schema type
// (tsc -p tsconfig.json; test/monitoring.e2e-spec.ts runs it on this file alone).
import type { Dashboard } from '@grafana/schema';
import apiPerformance from './dashboards/api-performance.json';
import backups from './dashboards/backups.json';
import databasePerformance from './dashboards/database-performance.json';
import systemResources from './dashboards/system-resources.json';

export const dashboards: Dashboard[] = [
  apiPerformance,
  databasePerformance,
  systemResources,
  backups,
];
