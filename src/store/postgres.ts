import pg from "pg";
import type { Database, Migration, SqlExecutor } from "./database.js";
import { applyMigrations } from "./migrate.js";

const INT8_OID = 20;
const NUMERIC_OID = 1700;

// BIGINT columns hold millisecond timestamps and sizes, all far below 2^53.
const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") => {
    if (oid === INT8_OID || oid === NUMERIC_OID) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  }) as typeof pg.types.getTypeParser,
};

/** PostgresOptions configures a PostgresDatabase. */
export interface PostgresOptions {
  /** A `postgres://` or `postgresql://` connection URL. */
  url: string;
  /** A schema to use instead of `public`; it is created when missing. Tests use one per run. */
  schema?: string;
  /** Maximum connections in the pool (default 10). */
  maxConnections?: number;
}

/** PostgresDatabase is the store for deployments that outgrow one machine: a pg connection pool. */
export class PostgresDatabase implements Database {
  readonly dialect = "postgres" as const;
  private readonly pool: pg.Pool;
  private readonly schema: string | undefined;

  constructor(options: PostgresOptions) {
    this.schema = options.schema;
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.maxConnections ?? 10,
      types,
      options: this.schema ? `-c search_path=${quoteIdentifier(this.schema)}` : undefined,
    });
    // An idle client that loses its connection emits here; without a
    // listener that would crash the process.
    this.pool.on("error", () => {});
  }

  /** Creates the schema when one was configured; call once before anything else. */
  async open(): Promise<void> {
    if (this.schema) {
      await this.pool.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(this.schema)}`);
    }
  }

  async query<Row>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    const result = await this.pool.query(sql, params as unknown[]);
    return result.rows as Row[];
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<number> {
    const result = await this.pool.query(sql, params as unknown[]);
    return result.rowCount ?? 0;
  }

  async runScript(sql: string): Promise<void> {
    await this.pool.query(sql);
  }

  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const tx: SqlExecutor = {
      dialect: "postgres",
      query: async <Row>(sql: string, params: readonly unknown[] = []) =>
        (await client.query(sql, params as unknown[])).rows as Row[],
      execute: async (sql, params = []) =>
        (await client.query(sql, params as unknown[])).rowCount ?? 0,
      runScript: async (sql) => {
        await client.query(sql);
      },
    };
    let broken: unknown;
    try {
      await client.query("BEGIN");
      const result = await work(tx);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      try {
        await client.query("ROLLBACK");
      } catch (rollbackError) {
        broken = rollbackError;
      }
      throw error;
    } finally {
      // A client whose rollback failed is in an unknown state; drop it from the pool.
      client.release(broken instanceof Error ? broken : undefined);
    }
  }

  migrate(migrations: readonly Migration[]): Promise<void> {
    return applyMigrations(this, migrations, async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock(84208420)");
    });
  }

  /** Drops the configured schema with everything in it; tests call it to clean up. */
  async dropSchema(): Promise<void> {
    if (this.schema) {
      await this.pool.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(this.schema)} CASCADE`);
    }
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
