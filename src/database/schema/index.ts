// Every table of the service. Each area keeps its tables in its own file here; the SQL migrations in
// ../migrations create them, and test/database.e2e-spec.ts proves the two agree.
export * from './audit';
export * from './auth';
export * from './mixtures';
export * from './molecules';
export * from './users';
