// No statement grows with the input (docs/data-model.md): PostgreSQL's extended protocol counts a
// statement's bind parameters in 16 bits, so a list of ids spelled out as `in ($1, …, $70000)` or
// one multi-row VALUES over every input row breaks on PostgreSQL and PGlite alike ("bind message
// has 4465 parameter formats but 0 parameters"). Lookups pass one array parameter
// (`= any($1::text[])`, `unnest($1, $2)`); bulk writes go in batches of a bounded number of rows.
// Every statement is checked before it is sent, so a regression fails with a message that says so.
import {
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryResult,
  type RawBuilder,
  sql,
  type TransactionSettings,
} from 'kysely';
import { StoreError } from '../core/errors.js';

/** The most bind parameters one statement may carry (the protocol's 16-bit count). */
export const MAX_BIND_PARAMETERS = 65_535;

/** `any($1::text[])`: a list of strings as one parameter, for `.where(col, '=', anyText(ids))`. */
export function anyText(values: readonly string[]): RawBuilder<string> {
  return sql<string>`any(${[...values]}::text[])`;
}

/** `any($1::bigint[])`: a list of numbers as one parameter. */
export function anyNumber(values: readonly number[]): RawBuilder<number> {
  return sql<number>`any(${[...values]}::bigint[])`;
}

/** `items` in consecutive slices of at most `size`. */
export function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Refuses a statement over the protocol's limit before it is sent, naming the statement. */
export function checkStatementSize(query: Pick<CompiledQuery, 'sql' | 'parameters'>): void {
  const n = query.parameters.length;
  if (n <= MAX_BIND_PARAMETERS) return;
  const head = query.sql.replace(/\s+/g, ' ').slice(0, 120);
  throw new StoreError(
    `a statement with ${n} bind parameters was refused (PostgreSQL takes at most ${MAX_BIND_PARAMETERS}): ` +
      `"${head}…". This is a Runsight bug — a statement grew with its input; please report it.`,
  );
}

/** A dialect whose every statement is checked by checkStatementSize before it is sent. */
export function withStatementSizeCheck(dialect: Dialect): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createDriver: () => checkedDriver(dialect.createDriver()),
  };
}

function checkedDriver(driver: Driver): Driver {
  // The driver gets back the connection it handed out; callers get the checked wrapper.
  const inner = new WeakMap<DatabaseConnection, DatabaseConnection>();
  const unwrap = (c: DatabaseConnection) => inner.get(c) ?? c;
  const checked: Driver = {
    init: () => driver.init(),
    destroy: () => driver.destroy(),
    async acquireConnection() {
      const conn = await driver.acquireConnection();
      const wrapper: DatabaseConnection = {
        executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
          checkStatementSize(q);
          return conn.executeQuery<R>(q);
        },
        streamQuery<R>(q: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
          checkStatementSize(q);
          return conn.streamQuery<R>(q, chunkSize);
        },
      };
      inner.set(wrapper, conn);
      return wrapper;
    },
    beginTransaction: (c: DatabaseConnection, settings: TransactionSettings) =>
      driver.beginTransaction(unwrap(c), settings),
    commitTransaction: (c: DatabaseConnection) => driver.commitTransaction(unwrap(c)),
    rollbackTransaction: (c: DatabaseConnection) => driver.rollbackTransaction(unwrap(c)),
    releaseConnection: (c: DatabaseConnection) => driver.releaseConnection(unwrap(c)),
  };
  if (driver.savepoint) checked.savepoint = (c, name, compile) => driver.savepoint!(unwrap(c), name, compile);
  if (driver.rollbackToSavepoint)
    checked.rollbackToSavepoint = (c, name, compile) => driver.rollbackToSavepoint!(unwrap(c), name, compile);
  if (driver.releaseSavepoint)
    checked.releaseSavepoint = (c, name, compile) => driver.releaseSavepoint!(unwrap(c), name, compile);
  return checked;
}
