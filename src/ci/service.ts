import { join } from "node:path";
import type { Logger } from "pino";
import { Runner } from "../runner/runner.js";
import type { BookmarkHook } from "../store/records.js";
import type { Store } from "../store/store.js";
import { closeExecutors, createExecutors, type TaskExecutors } from "../tasks/index.js";
import { UsageError } from "../util/errors.js";
import { parseGoDuration } from "../util/go-duration.js";
import type { RunControl, RunUpdate } from "../web/run-history.js";
import { RunBus } from "./bus.js";
import { CheckoutCache } from "./checkout.js";
import { RunStore } from "./run-store.js";
import { loadSecretKey, SecretStore } from "./secrets.js";
import { CiWorker, type WorkerOptions } from "./worker.js";

/** DEFAULT_RETENTION_MS keeps finished runs and unused checkouts for 30 days. */
export const DEFAULT_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;
const MAX_PRUNE_INTERVAL_MS = 60 * 60 * 1000;
const MIN_PRUNE_INTERVAL_MS = 10 * 1000;

/**
 * Returns the time between prunes: half the retention, from 10 seconds to
 * 1 hour. A finished run thus outlives its retention by at most half of it,
 * or by up to 10 seconds when the retention is under 20 seconds.
 */
export function pruneIntervalMs(retentionMs: number): number {
  return Math.min(MAX_PRUNE_INTERVAL_MS, Math.max(MIN_PRUNE_INTERVAL_MS, retentionMs / 2));
}

/** CiOptions configures CI on a server; every field has a default. */
export interface CiOptions extends WorkerOptions {
  /** How long finished runs, their logs and unused checkouts are kept (default 30 days). */
  retentionMs?: number;
  /** Task executors; default `createExecutors()`, closed with the service. */
  executors?: TaskExecutors;
  /** Pipelines running at once across every run (the Runner's limit, default 4). */
  concurrency?: number;
  /** Base64 of the 32-byte secrets key; default POGO_SECRET_KEY, then `<data dir>/secret.key`. */
  secretKey?: string;
  /** False queues runs without executing them here, for a server that only takes pushes. */
  worker?: boolean;
}

/**
 * CiService is CI on a server: the bookmark hook that queues runs, the
 * worker that executes them, the run history, the secrets, and the web
 * UI's view of all of it.
 */
export class CiService {
  readonly control: RunControl;
  private pruneTimer: NodeJS.Timeout | undefined;
  private readonly ownsExecutors: boolean;

  private constructor(
    readonly bus: RunBus,
    readonly store: Store,
    readonly runs: RunStore,
    readonly secrets: SecretStore,
    readonly checkouts: CheckoutCache,
    readonly worker: CiWorker | undefined,
    private readonly executors: TaskExecutors,
    ownsExecutors: boolean,
    private readonly retentionMs: number,
    private readonly logger: Logger,
  ) {
    this.ownsExecutors = ownsExecutors;
    this.control = {
      watch: (runId, listener) =>
        this.bus.subscribe(runId, (update) => {
          if (update) listener(update as RunUpdate);
        }),
      cancel: (repositoryId, runId, pipeline) => this.cancel(repositoryId, runId, pipeline),
    };
  }

  /** Opens the secrets key, registers the bookmark hook on `store` and builds the worker. */
  static async create(input: {
    store: Store;
    dataDir: string;
    publicUrl: () => string;
    logger: Logger;
    options?: CiOptions;
  }): Promise<CiService> {
    const options = input.options ?? {};
    const key = await loadSecretKey(
      join(input.dataDir, "secret.key"),
      options.secretKey ?? process.env.POGO_SECRET_KEY,
    );
    const runs = new RunStore(input.store.db);
    const secrets = new SecretStore(input.store.db, key);
    const checkouts = new CheckoutCache(
      join(input.dataDir, "ci", "checkouts"),
      input.store.objects,
    );
    // The build context hash cache lives with the server's other data, not
    // in the home folder of whichever user runs the service.
    const executors =
      options.executors ??
      createExecutors({ container: { hashCacheDir: join(input.dataDir, "ci") } });
    const logger = input.logger.child({ module: "ci" });
    const runner = new Runner({ executors, concurrency: options.concurrency });
    const bus = new RunBus();
    const worker =
      options.worker === false
        ? undefined
        : new CiWorker(
            {
              store: input.store,
              runs,
              secrets,
              checkouts,
              runner,
              bus,
              publicUrl: input.publicUrl,
              logger,
            },
            options,
          );
    const service = new CiService(
      bus,
      input.store,
      runs,
      secrets,
      checkouts,
      worker,
      executors,
      options.executors === undefined,
      options.retentionMs ?? DEFAULT_RETENTION_MS,
      logger,
    );
    input.store.onBookmarkChange(service.bookmarkHook);
    return service;
  }

  /** Queues the event's run in the bookmark's transaction and wakes the worker. */
  readonly bookmarkHook: BookmarkHook = async (tx, event) => {
    await this.runs.enqueue(tx, event);
    setImmediate(() => this.worker?.wake());
  };

  /** Recovers from a crash, prunes old runs and starts the worker. */
  async start(): Promise<void> {
    await this.prune();
    this.pruneTimer = setInterval(() => void this.prune(), pruneIntervalMs(this.retentionMs));
    this.pruneTimer.unref();
    await this.worker?.start();
  }

  /**
   * Cancels a run or one pipeline of it, wherever it executes: at once when
   * it runs here, otherwise at its worker's next heartbeat. Returns false
   * when the stored run or pipeline was not queued or running, even if
   * this process still runs it (as after another server interrupted it).
   */
  async cancel(repositoryId: number, runId: string, pipeline?: number): Promise<boolean> {
    const run = await this.runs.getRunRecord(repositoryId, runId);
    if (!run) return false;
    const requested = await this.runs.requestCancel(runId, pipeline);
    this.worker?.cancelLocal(runId, pipeline);
    if (requested && run.status === "queued" && pipeline === undefined) {
      this.bus.publish(runId, { kind: "run", status: "cancelled", finishedAt: Date.now() });
    }
    return requested;
  }

  /** Deletes finished runs and unused checkouts older than the retention. */
  async prune(now = Date.now()): Promise<void> {
    try {
      const before = now - this.retentionMs;
      const runs = await this.runs.pruneFinished(before);
      const checkouts = await this.checkouts.prune(before, await this.runs.activeRevisions());
      if (runs + checkouts > 0) {
        this.logger.info({ runs, checkouts }, "pruned CI history past its retention");
      }
    } catch (error) {
      this.logger.error({ err: error }, "pruning CI history failed");
    }
  }

  /** Stops the worker (cancelling runs in progress) and releases the executors. */
  async close(): Promise<void> {
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    await this.worker?.close();
    if (this.ownsExecutors) await closeExecutors(this.executors);
  }
}

/**
 * Parses `--ci-retention`: a Go duration (`720h`, `90m`) or a number of
 * days (`30`, `30d`). Returns milliseconds.
 */
export function parseRetention(text: string): number {
  const days = /^(\d+(?:\.\d+)?)d?$/.exec(text.trim());
  if (days && Number(days[1]) > 0) return Number(days[1]) * 24 * 60 * 60 * 1000;
  try {
    const ms = parseGoDuration(text.trim());
    if (ms > 0) return ms;
  } catch {
    // Reported below with the accepted forms.
  }
  throw new UsageError(
    `invalid --ci-retention ${JSON.stringify(text)}: use a number of days such as 30 or 30d, or a duration such as 720h`,
  );
}
