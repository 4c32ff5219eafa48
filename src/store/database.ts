/** Dialect names the SQL engine behind a Database, for the few statements that differ. */
export type Dialect = "sqlite" | "postgres";

/**
 * SqlExecutor runs SQL with positional `$1, $2, …` placeholders on either
 * engine. Integers come back as JavaScript numbers on both, booleans go in
 * as 0/1, and column names are returned as written in the statement.
 */
export interface SqlExecutor {
  readonly dialect: Dialect;
  /** Runs a statement and returns its rows (empty for statements without rows). */
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Runs a statement and returns the number of rows it changed. */
  execute(sql: string, params?: readonly unknown[]): Promise<number>;
  /** Runs a script of several statements without parameters, as migrations are written. */
  runScript(sql: string): Promise<void>;
}

/**
 * Database is one connection (SQLite) or pool (PostgreSQL). Work that must
 * be atomic goes through `transaction`: the callback gets an executor bound
 * to the transaction, and must use only that executor until it returns,
 * because SQLite serialises every statement behind the open transaction and
 * a call on the Database itself would wait for it forever.
 */
export interface Database extends SqlExecutor {
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Applies the migrations not applied yet, in order, each in its own transaction. */
  migrate(migrations: readonly Migration[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * Migration is one versioned schema change. `id` is recorded in the
 * `schema_migrations` table once applied; ids sort in the order they were
 * written (`0001_core`, `0002_…`), and other modules add their own with a
 * prefix of their own (`ci_0001_queue`).
 */
export interface Migration {
  id: string;
  sqlite: string;
  postgres: string;
}

/** Returns true when `error` is a unique or primary key violation on either engine. */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return (
    code === "23505" ||
    code === "SQLITE_CONSTRAINT_UNIQUE" ||
    code === "SQLITE_CONSTRAINT_PRIMARYKEY"
  );
}
