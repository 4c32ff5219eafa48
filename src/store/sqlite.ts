import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import type { Database, Migration, SqlExecutor } from "./database.js";
import { applyMigrations } from "./migrate.js";

type Statement = BetterSqlite3.Statement<unknown[], unknown>;

/**
 * SqliteDatabase is the embedded store: one better-sqlite3 connection in WAL
 * mode. better-sqlite3 is synchronous, but transactions here span awaits
 * (the bookmark hook is async), so every statement and transaction waits
 * its turn on one queue; a statement can never slip into another caller's
 * open transaction.
 */
export class SqliteDatabase implements Database {
  readonly dialect = "sqlite" as const;
  private readonly connection: BetterSqlite3.Database;
  private readonly statements = new Map<string, { statement: Statement; order: number[] }>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(file: string) {
    if (file !== ":memory:") {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      // SQLite gives the -wal and -shm files the mode of the database file,
      // so creating it owner-only keeps all three private.
      closeSync(openSync(file, "a", 0o600));
      for (const path of [file, `${file}-wal`, `${file}-shm`]) {
        if (existsSync(path)) chmodSync(path, 0o600);
      }
    }
    this.connection = new BetterSqlite3(file);
    this.connection.pragma("journal_mode = WAL");
    this.connection.pragma("foreign_keys = ON");
    this.connection.pragma("busy_timeout = 10000");
  }

  query<Row>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    return this.serialise(async () => this.queryNow<Row>(sql, params));
  }

  execute(sql: string, params: readonly unknown[] = []): Promise<number> {
    return this.serialise(async () => this.executeNow(sql, params));
  }

  runScript(sql: string): Promise<void> {
    return this.serialise(async () => {
      this.connection.exec(sql);
    });
  }

  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.serialise(async () => {
      const tx: SqlExecutor = {
        dialect: "sqlite",
        query: async <Row>(sql: string, params: readonly unknown[] = []) =>
          this.queryNow<Row>(sql, params),
        execute: async (sql, params = []) => this.executeNow(sql, params),
        runScript: async (sql) => {
          this.connection.exec(sql);
        },
      };
      // IMMEDIATE takes the write lock up front, so a second process on the
      // same file waits at BEGIN instead of failing halfway through.
      this.connection.exec("BEGIN IMMEDIATE");
      try {
        const result = await work(tx);
        this.connection.exec("COMMIT");
        return result;
      } catch (error) {
        if (this.connection.inTransaction) this.connection.exec("ROLLBACK");
        throw error;
      }
    });
  }

  migrate(migrations: readonly Migration[]): Promise<void> {
    return applyMigrations(this, migrations, async () => {});
  }

  async close(): Promise<void> {
    await this.queue.catch(() => {});
    this.connection.close();
  }

  private serialise<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work, work);
    this.queue = result.catch(() => {});
    return result;
  }

  private prepare(sql: string): { statement: Statement; order: number[] } {
    let cached = this.statements.get(sql);
    if (!cached) {
      // `$n` becomes `?` in order of appearance; `order` maps each `?` back
      // to its parameter, so `$1` may appear twice or after `$2`.
      const order: number[] = [];
      const text = sql.replace(/\$(\d+)/g, (_match, index: string) => {
        order.push(Number(index) - 1);
        return "?";
      });
      cached = { statement: this.connection.prepare(text), order };
      this.statements.set(sql, cached);
    }
    return cached;
  }

  private bind(order: number[], params: readonly unknown[]): unknown[] {
    return order.map((index) => {
      const value = params[index];
      if (typeof value === "boolean") return value ? 1 : 0;
      return value === undefined ? null : value;
    });
  }

  private queryNow<Row>(sql: string, params: readonly unknown[]): Row[] {
    const { statement, order } = this.prepare(sql);
    const values = this.bind(order, params);
    if (statement.reader) return statement.all(...values) as Row[];
    statement.run(...values);
    return [];
  }

  private executeNow(sql: string, params: readonly unknown[]): number {
    const { statement, order } = this.prepare(sql);
    const values = this.bind(order, params);
    if (statement.reader) return statement.all(...values).length;
    return statement.run(...values).changes;
  }
}
