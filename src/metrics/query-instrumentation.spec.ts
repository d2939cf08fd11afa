import { PGlite } from '@electric-sql/pglite';
import { instrumentPglite, QueryOperation, queryOperation } from './query-instrumentation';

describe('queryOperation', () => {
  it.each<[string, QueryOperation]>([
    ['SELECT 1', 'select'],
    ['  with x as (select 1) select * from x', 'select'],
    ['insert into molecules values (1)', 'insert'],
    ['UPDATE users SET x = 1', 'update'],
    ['delete from audit_events', 'delete'],
    ['BEGIN ISOLATION LEVEL SERIALIZABLE', 'transaction'],
    ['COMMIT', 'transaction'],
    ['CREATE TABLE t (id int)', 'ddl'],
    ['VACUUM', 'other'],
  ])('should label %j as %s', (sql, operation) => {
    expect(queryOperation(sql)).toBe(operation);
    expect(queryOperation({ text: sql })).toBe(operation);
  });
});

describe(instrumentPglite.name, () => {
  it('should observe every query, inside transactions too, when PGlite is instrumented', async () => {
    const sut = await PGlite.create({ dataDir: 'memory://' });
    const seen: QueryOperation[] = [];
    instrumentPglite(sut, (operation, seconds) => {
      expect(seconds).toBeGreaterThanOrEqual(0);
      seen.push(operation);
    });
    await sut.exec('CREATE TABLE t (id int)');
    await sut.query('INSERT INTO t VALUES ($1)', [1]);
    await sut.transaction(async (tx) => {
      await tx.query('UPDATE t SET id = 2');
      await tx.query('SELECT * FROM t');
    });
    await expect(sut.query('SELECT * FROM missing_table')).rejects.toThrow();
    await sut.close();
    expect(seen).toEqual(['ddl', 'insert', 'update', 'select', 'select']);
  });
});
