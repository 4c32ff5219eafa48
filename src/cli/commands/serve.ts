import type { Command } from "commander";
import pino from "pino";
import { parseRetention } from "../../ci/service.js";
import { DEFAULT_DATA_DIR, DEFAULT_LISTEN, startServer } from "../../server/serve.js";
import { UsageError } from "../../util/errors.js";

interface ServeFlags {
  dataDir: string;
  listen: string;
  publicUrl?: string;
  databaseUrl?: string;
  logLevel: string;
  ciRetention: string;
  ciRuns: string;
}

/** Registers `pogo serve`, which runs a Pogo server until SIGINT or SIGTERM. */
export function registerServeCommand(parent: Command): void {
  parent
    .command("serve")
    .description(
      "run a Pogo server (SQLite and objects in the data dir unless --database-url is set)",
    )
    .option(
      "--data-dir <dir>",
      "folder for the database and the object store",
      process.env.POGO_DATA_DIR || DEFAULT_DATA_DIR,
    )
    .option(
      "--listen <host:port>",
      "address to listen on",
      process.env.POGO_LISTEN || DEFAULT_LISTEN,
    )
    .option(
      "--public-url <url>",
      "URL clients reach the server at, used in archive URLs (default: http://LISTEN)",
      process.env.POGO_PUBLIC_URL,
    )
    .option(
      "--database-url <url>",
      "postgres://… to keep records in PostgreSQL instead of SQLite",
      process.env.POGO_DATABASE_URL,
    )
    .option(
      "--ci-retention <duration>",
      "how long finished CI runs, their logs and unused checkouts are kept: days (30, 30d) or a duration (720h)",
      process.env.POGO_CI_RETENTION || "30d",
    )
    .option(
      "--ci-runs <n>",
      "CI runs this server executes at once; more wait in the queue",
      process.env.POGO_CI_RUNS || "4",
    )
    .option(
      "--log-level <level>",
      "pino log level: fatal, error, warn, info, debug or trace",
      "info",
    )
    .action(async (flags: ServeFlags) => {
      // Every stored blob is flushed with fdatasync, which blocks a libuv
      // thread until the disk completes it, so the default of 4 threads caps
      // a push at 4 flushes in flight. libuv reads this variable when its
      // pool starts, and nothing asynchronous has run before this line.
      process.env.UV_THREADPOOL_SIZE ??= "16";
      const logger = pino({ level: flags.logLevel });
      const retentionMs = parseRetention(flags.ciRetention);
      const maxRuns = Number(flags.ciRuns);
      if (!Number.isInteger(maxRuns) || maxRuns < 1) {
        throw new UsageError(
          `invalid --ci-runs ${JSON.stringify(flags.ciRuns)}: expected a whole number of at least 1`,
        );
      }
      const server = await startServer({
        dataDir: flags.dataDir,
        listen: flags.listen,
        publicUrl: flags.publicUrl,
        databaseUrl: flags.databaseUrl,
        logger,
        ci: { retentionMs, maxRuns },
      });
      if (server.admin) {
        // pino writes stdout asynchronously; without a flush the banner can
        // land before the "pogo server started" line that announces it.
        await new Promise<void>((resolve) => logger.flush(() => resolve()));
        process.stdout.write(
          [
            "",
            `First start: created the admin user "${server.admin.user.name}". Its token is shown only this once:`,
            "",
            `    ${server.admin.token}`,
            "",
            `Use it with: pogo init --server ${server.url} --token <token> --create NAME`,
            "",
            "",
          ].join("\n"),
        );
      }
      await waitForShutdown(async () => {
        logger.info("shutting down");
        await server.close();
        logger.flush();
      });
    });
}

/** Resolves once a SIGINT or SIGTERM has been handled by `stop`; a second signal exits at once. */
function waitForShutdown(stop: () => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        process.stderr.write(`pogo: ${signal} again, exiting without waiting for requests\n`);
        process.exit(1);
      }
      stopping = true;
      stop().then(() => {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
        resolve();
      }, reject);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}
