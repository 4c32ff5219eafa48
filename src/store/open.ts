import { mkdir, stat } from "node:fs/promises";
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

/**
 * Creates the data directory readable by its owner only, because it contains
 * private repositories, tokens and secrets. Returns a warning when an
 * existing directory is open to the group or to other users. Its mode is
 * left alone, because it may have been set on purpose.
 */
export async function prepareDataDir(dataDir: string): Promise<string | undefined> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const mode = (await stat(dataDir)).mode & 0o777;
  if ((mode & 0o077) === 0) return undefined;
  return `the data directory ${dataDir} is readable by other local users (mode ${mode.toString(8)}); run \`chmod 700 ${dataDir}\``;
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
