import { join } from "node:path";
import { UsageError } from "../util/errors.js";
import type { Database, Migration } from "./database.js";
import { CORE_MIGRATIONS } from "./migrations.js";
import { ObjectStore } from "./objects.js";
import { PostgresDatabase } from "./postgres.js";
import { SqliteDatabase } from "./sqlite.js";
import { Store } from "./store.js";

/** StoreOptions chooses where a Store keeps its records and blobs. */
export interface StoreOptions {
  /** Holds `objects/` always, and `pogo.db` unless `databaseUrl` names PostgreSQL. */
  dataDir: string;
  /**
   * `postgres://…` or `postgresql://…`; the embedded SQLite file is used when
   * absent. A `schema` query parameter (`…/pogo?schema=ci`) selects the
   * schema like `databaseSchema` does.
   */
  databaseUrl?: string;
  /** A PostgreSQL schema instead of `public` (created when missing). */
  databaseSchema?: string;
  /** Migrations to apply after the core ones, such as the CI queue's. */
  migrations?: readonly Migration[];
}

/** Opens the database and the object store and brings the schema up to date. */
export async function openStore(options: StoreOptions): Promise<Store> {
  const db = await openDatabase(options);
  try {
    await db.migrate([...CORE_MIGRATIONS, ...(options.migrations ?? [])]);
    const objects = new ObjectStore(join(options.dataDir, "objects"));
    await objects.open();
    return new Store(db, objects);
  } catch (error) {
    await db.close();
    throw error;
  }
}

async function openDatabase(options: StoreOptions): Promise<Database> {
  const url = options.databaseUrl;
  if (url === undefined || url === "") return new SqliteDatabase(join(options.dataDir, "pogo.db"));
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new UsageError("--database-url must start with postgres:// or postgresql://");
  }
  const parsed = new URL(url);
  const schema = options.databaseSchema ?? (parsed.searchParams.get("schema") || undefined);
  parsed.searchParams.delete("schema");
  const db = new PostgresDatabase({ url: parsed.toString(), schema });
  try {
    await db.open();
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}
