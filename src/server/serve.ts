import { resolve } from "node:path";
import type { FastifyInstance } from "fastify";
import pino, { type Logger } from "pino";
import { type CiOptions, CiService } from "../ci/service.js";
import type { Migration } from "../store/database.js";
import { openStore, prepareDataDir } from "../store/open.js";
import type { BookmarkHook, User } from "../store/records.js";
import type { Store } from "../store/store.js";
import { UsageError } from "../util/errors.js";
import { buildApp, type ServerLimits } from "./app.js";

/** DEFAULT_LISTEN is loopback only: exposing a server is a choice made with `--listen`. */
export const DEFAULT_LISTEN = "127.0.0.1:8420";
export const DEFAULT_DATA_DIR = ".pogo-data";
// CI runs mint a token each; expired ones are deleted this often.
const TOKEN_SWEEP_MS = 60 * 60 * 1000;

/** ServerOptions configures a running Pogo server. */
export interface ServerOptions {
  /** Holds the SQLite database (unless `databaseUrl` is set) and the object store. */
  dataDir: string;
  /** `host:port` to listen on; port 0 picks a free one. */
  listen: string;
  /** The URL clients use; defaults to `http://` plus the address the server listens on. */
  publicUrl?: string;
  databaseUrl?: string;
  /** A PostgreSQL schema instead of `public`. */
  databaseSchema?: string;
  logger?: Logger;
  limits?: Partial<ServerLimits>;
  schemaDir?: string;
  /** Migrations of other modules, applied after the core ones. */
  migrations?: readonly Migration[];
  /** Hooks run inside every bookmark change's transaction, after the CI queue's. */
  bookmarkHooks?: readonly BookmarkHook[];
  /** CI settings: retention, worker limits, executors; false turns CI off entirely. */
  ci?: CiOptions | false;
}

/** RunningServer is a listening server; `close` stops it and closes the store. */
export interface RunningServer {
  app: FastifyInstance;
  store: Store;
  /** CI of the server, unless it was turned off. */
  ci?: CiService;
  url: string;
  /** Set on the first start only: the admin user and its token, shown once. */
  admin?: { user: User; token: string };
  close(): Promise<void>;
}

/** Opens the store, creates the admin on first start, and starts listening. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { host, port } = parseListen(options.listen);
  const logger = options.logger ?? pino({ level: "info" });
  const dataDir = resolve(options.dataDir);
  const dataDirWarning = await prepareDataDir(dataDir);
  if (dataDirWarning) logger.warn({ dataDir }, dataDirWarning);
  const store = await openStore({
    dataDir,
    databaseUrl: options.databaseUrl,
    databaseSchema: options.databaseSchema,
    migrations: options.migrations,
  });
  let ci: CiService | undefined;
  try {
    // With port 0 the address is known only after listening, so the app
    // and CI read the public URL through a function.
    let url = options.publicUrl ?? `http://${options.listen}`;
    if (options.ci !== false) {
      ci = await CiService.create({
        store,
        dataDir,
        publicUrl: () => url,
        logger,
        options: options.ci,
      });
    }
    for (const hook of options.bookmarkHooks ?? []) store.onBookmarkChange(hook);
    const admin = await store.bootstrapAdmin();
    const app = await buildApp({
      store,
      publicUrl: () => url,
      logger,
      limits: options.limits,
      schemaDir: options.schemaDir,
      ...(ci ? { ci, web: { runs: ci.runs, control: ci.control } } : {}),
    });
    await app.listen({ host, port });
    const address = app.server.address();
    const actualPort = typeof address === "object" && address ? address.port : port;
    url = options.publicUrl ?? `http://${host.includes(":") ? `[${host}]` : host}:${actualPort}`;
    logger.info(
      {
        url,
        dataDir,
        database: options.databaseUrl ? "postgres" : "sqlite",
        firstStart: admin !== undefined,
      },
      "pogo server started",
    );
    const sweep = setInterval(() => {
      store.deleteExpiredTokens().then(
        (deleted) => {
          if (deleted > 0) logger.info({ deleted }, "expired tokens deleted");
        },
        (error: unknown) => logger.error({ err: error }, "deleting expired tokens failed"),
      );
    }, TOKEN_SWEEP_MS);
    sweep.unref();
    await ci?.start();
    return {
      app,
      store,
      ci,
      url,
      admin,
      close: async () => {
        clearInterval(sweep);
        await app.close();
        await ci?.close();
        await store.db.close();
        logger.info("pogo server stopped");
      },
    };
  } catch (error) {
    await ci?.close();
    await store.db.close();
    throw error;
  }
}

/** Splits `host:port` (or `[v6]:port`); throws a UsageError naming the flag otherwise. */
export function parseListen(listen: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(listen);
  const port = match ? Number(match[3]) : Number.NaN;
  if (!match || port > 65535) {
    throw new UsageError(
      `invalid --listen ${JSON.stringify(listen)}: expected HOST:PORT such as ${DEFAULT_LISTEN}`,
    );
  }
  return { host: (match[1] ?? match[2])!, port };
}
