import type { PGlite, Transaction } from '@electric-sql/pglite';
import type { Pool, PoolClient } from 'pg';

/** Called once per finished query with its operation (select, insert, …) and duration in seconds. */
export type QueryObserver = (operation: QueryOperation, seconds: number) => void;

export type QueryOperation =
  'select' | 'insert' | 'update' | 'delete' | 'transaction' | 'ddl' | 'other';

const OPERATIONS: Record<string, QueryOperation> = {
  select: 'select',
  with: 'select',
  insert: 'insert',
  update: 'update',
  delete: 'delete',
  begin: 'transaction',
  commit: 'transaction',
  rollback: 'transaction',
  savepoint: 'transaction',
  release: 'transaction',
  start: 'transaction',
  set: 'transaction',
  create: 'ddl',
  alter: 'ddl',
  drop: 'ddl',
};

/** The operation label of a SQL text: its first keyword, folded into a small fixed set. */
export function queryOperation(sql: unknown): QueryOperation {
  const text = typeof sql === 'string' ? sql : (sql as { text?: unknown } | null)?.text;
  if (typeof text !== 'string') return 'other';
  const keyword = /^\s*\(?\s*([A-Za-z]+)/.exec(text)?.[1]?.toLowerCase();
  return (keyword && OPERATIONS[keyword]) || 'other';
}

// The observer is looked up at call time, so instrumenting the same connection again (a second app
// over a shared database in tests) replaces the observer instead of wrapping twice.
const observers = new WeakMap<object, QueryObserver>();
const wrapped = new WeakSet<object>();
const activeQueries = new WeakMap<object, number>();

type AnyFunction = (...args: unknown[]) => unknown;

function timed(owner: object, original: AnyFunction, self: unknown, args: unknown[]): unknown {
  const operation = queryOperation(args[0]);
  const started = process.hrtime.bigint();
  activeQueries.set(owner, (activeQueries.get(owner) ?? 0) + 1);
  const done = () => {
    activeQueries.set(owner, Math.max(0, (activeQueries.get(owner) ?? 1) - 1));
    observers.get(owner)?.(operation, Number(process.hrtime.bigint() - started) / 1e9);
  };
  const last = args[args.length - 1];
  if (typeof last === 'function') {
    // node-postgres' Pool.query calls client.query with a callback.
    args[args.length - 1] = (...results: unknown[]) => {
      done();
      return (last as AnyFunction)(...results);
    };
    return original.apply(self, args);
  }
  const result = original.apply(self, args);
  if (result && typeof (result as Promise<unknown>).then === 'function') {
    return (result as Promise<unknown>).then(
      (value) => {
        done();
        return value;
      },
      (error: unknown) => {
        done();
        throw error;
      },
    );
  }
  // Streams (cursors, COPY) are not timed.
  activeQueries.set(owner, Math.max(0, (activeQueries.get(owner) ?? 1) - 1));
  return result;
}

function wrapMethod(owner: object, target: object, name: string): void {
  const holder = target as Record<string, unknown>;
  const original = holder[name] as AnyFunction;
  holder[name] = function (this: unknown, ...args: unknown[]) {
    return timed(owner, original, this, args);
  };
}

/** Times every query of a node-postgres pool, including those of checked-out clients. */
export function instrumentPool(pool: Pool, observer: QueryObserver): void {
  observers.set(pool, observer);
  if (wrapped.has(pool)) return;
  wrapped.add(pool);
  const instrumentClient = (client: PoolClient | undefined) => {
    if (!client || wrapped.has(client)) return;
    wrapped.add(client);
    wrapMethod(pool, client, 'query');
  };
  const connect = pool.connect.bind(pool) as (
    callback?: AnyFunction,
  ) => Promise<PoolClient> | undefined;
  (pool as unknown as { connect: AnyFunction }).connect = (callback?: unknown) => {
    if (typeof callback === 'function') {
      return connect((error: unknown, client: unknown, release: unknown) => {
        instrumentClient(client as PoolClient | undefined);
        (callback as AnyFunction)(error, client, release);
      });
    }
    return connect()!.then((client) => {
      instrumentClient(client);
      return client;
    });
  };
}

/** Times every query of an embedded PGlite instance, including those inside transactions. */
export function instrumentPglite(pglite: PGlite, observer: QueryObserver): void {
  observers.set(pglite, observer);
  if (wrapped.has(pglite)) return;
  wrapped.add(pglite);
  wrapMethod(pglite, pglite, 'query');
  wrapMethod(pglite, pglite, 'exec');
  const transaction = pglite.transaction.bind(pglite);
  pglite.transaction = <T>(callback: (tx: Transaction) => Promise<T>) =>
    transaction((tx) => {
      wrapMethod(pglite, tx, 'query');
      wrapMethod(pglite, tx, 'exec');
      return callback(tx);
    });
}

/** Queries started and not yet finished on this pool or PGlite instance. */
export function activeQueryCount(owner: object): number {
  return activeQueries.get(owner) ?? 0;
}
