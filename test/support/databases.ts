import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore, type StoreOptions } from "../../src/store/open.js";
import { PostgresDatabase } from "../../src/store/postgres.js";
import type { Store } from "../../src/store/store.js";

/**
 * The PostgreSQL server the store tests use, from POGO_TEST_DATABASE_URL
 * (`bash scripts/start-postgres.sh` prints one). Without it the PostgreSQL
 * cases are skipped, except under CI=true, where they fail instead.
 */
export const postgresUrl = process.env.POGO_TEST_DATABASE_URL || undefined;

if (!postgresUrl && process.env.CI === "true") {
  throw new Error(
    "POGO_TEST_DATABASE_URL must be set when CI=true; run `bash scripts/start-postgres.sh`",
  );
}

/** Backend is one database engine the same test suite runs against. */
export interface Backend {
  name: "sqlite" | "postgres";
  skip: boolean;
  /** Options for openStore, or for `pogo serve` flags, naming a fresh database. */
  options(dataDir: string): StoreOptions;
}

export const backends: Backend[] = [
  { name: "sqlite", skip: false, options: (dataDir) => ({ dataDir }) },
  {
    name: "postgres",
    skip: postgresUrl === undefined,
    // Each test gets its own schema, so parallel runs on one server never collide.
    options: (dataDir) => ({
      dataDir,
      databaseUrl: postgresUrl,
      databaseSchema: `pogo_test_${process.pid}_${randomBytes(4).toString("hex")}`,
    }),
  },
];

/** TestStore is an open Store on a fresh data dir (and schema), with its cleanup. */
export interface TestStore {
  store: Store;
  dataDir: string;
  options: StoreOptions;
  close(): Promise<void>;
}

export async function openTestStore(
  backend: Backend,
  extra: Partial<StoreOptions> = {},
): Promise<TestStore> {
  const dataDir = await mkdtemp(join(tmpdir(), "pogo-store-"));
  const options = { ...backend.options(dataDir), ...extra };
  const store = await openStore(options);
  const opened: TestStore = {
    store,
    dataDir,
    options,
    close: async () => {
      await opened.store.db.close();
      await dropSchema(options);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return opened;
}

/** Drops the PostgreSQL schema a test created; a no-op for SQLite. */
export async function dropSchema(options: StoreOptions): Promise<void> {
  if (!options.databaseUrl || !options.databaseSchema) return;
  const db = new PostgresDatabase({ url: options.databaseUrl, schema: options.databaseSchema });
  try {
    await db.dropSchema();
  } finally {
    await db.close();
  }
}
