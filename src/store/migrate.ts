import { PogoError } from "../util/errors.js";
import type { Database, Migration, SqlExecutor } from "./database.js";

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  id TEXT PRIMARY KEY,
  applied_at BIGINT NOT NULL
)`;

/**
 * Applies `migrations` that are not recorded yet. `lock` runs first inside
 * each transaction, so two servers starting on one PostgreSQL database
 * apply each migration once. A database that records a migration this
 * build does not know was written by a newer Pogo and is rejected.
 */
export async function applyMigrations(
  db: Database,
  migrations: readonly Migration[],
  lock: (tx: SqlExecutor) => Promise<void>,
): Promise<void> {
  const ids = new Set<string>();
  for (const migration of migrations) {
    if (ids.has(migration.id)) {
      throw new PogoError("MIGRATION_DUPLICATE", `migration ${migration.id} is listed twice`);
    }
    ids.add(migration.id);
  }

  await db.transaction(async (tx) => {
    await lock(tx);
    await tx.runScript(CREATE_TABLE);
  });
  const applied = await db.query<{ id: string }>("SELECT id FROM schema_migrations");
  const unknown = applied.map((row) => row.id).filter((id) => !ids.has(id));
  if (unknown.length > 0) {
    throw new PogoError(
      "MIGRATION_UNKNOWN",
      `the database has migrations this version of Pogo does not know (${unknown.join(", ")}); run a newer Pogo`,
    );
  }

  for (const migration of migrations) {
    await db.transaction(async (tx) => {
      await lock(tx);
      const done = await tx.query("SELECT id FROM schema_migrations WHERE id = $1", [migration.id]);
      if (done.length > 0) return;
      await tx.runScript(tx.dialect === "sqlite" ? migration.sqlite : migration.postgres);
      await tx.execute("INSERT INTO schema_migrations (id, applied_at) VALUES ($1, $2)", [
        migration.id,
        Date.now(),
      ]);
    });
  }
}
