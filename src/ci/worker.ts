import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import { templateData } from "../config/event.js";
import type { CiEvent } from "../config/index.js";
import { getEngine, sweepOrphans } from "../engine/index.js";
import { formatOwner, getCurrentOwner, isOwnerAlive, parseOwner } from "../engine/labels.js";
import { SecretMasker } from "../runner/masker.js";
import { planEvent, templateEnv } from "../runner/plan.js";
import type { Runner } from "../runner/runner.js";
import { taskName } from "../runner/runner.js";
import { secretSource } from "../runner/secrets.js";
import type { PipelinePlan } from "../runner/types.js";
import { archiveUrl } from "../server/views.js";
import type { Store } from "../store/store.js";
import { errorMessage } from "../util/errors.js";
import type { RunStatus } from "../web/model.js";
import type { RunBus } from "./bus.js";
import type { CheckoutCache } from "./checkout.js";
import { loadRevisionConfigs } from "./configs.js";
import { RunRecorder } from "./recorder.js";
import type { NewPipeline, QueuedRun, RunStore } from "./run-store.js";
import type { SecretStore } from "./secrets.js";

/** A run's CI token stays valid this long after the run ends. */
export const TOKEN_GRACE_MS = 60 * 60 * 1000;

/** WorkerOptions tunes how a CiWorker takes work; every field has a default. */
export interface WorkerOptions {
  /** Runs executed at once by this server (default 4); the Runner limits pipelines separately. */
  maxRuns?: number;
  /** How long a claimed run stays ours without a heartbeat (default 30 s). */
  leaseMs?: number;
  /** Time between heartbeats, which extend leases and pick up cancellations (default 5 s). */
  heartbeatMs?: number;
  /** Time between looks at the queue when nothing woke the worker (default 1 s). */
  pollMs?: number;
}

interface ActiveRun {
  run: QueuedRun;
  cancel: AbortController;
  pipelines: AbortController[];
  tokenId?: number;
}

/**
 * CiWorker takes queued runs from the RunStore and executes them with the
 * Runner. A claim is a lease owned by this process (`host:pid:start`) and
 * renewed by a heartbeat. A run whose owner died is marked `interrupted`
 * by the first server to notice. The engine objects of that run are then
 * removed by run id, and only those whose owner process is gone.
 */
export class CiWorker {
  /**
   * The lease owner: this process (`host:pid:start`, which the crash check
   * reads) and a random suffix, so two servers in one process stay apart.
   */
  readonly owner = `${formatOwner(getCurrentOwner())}/${randomBytes(4).toString("hex")}`;
  private readonly active = new Map<string, ActiveRun>();
  private readonly maxRuns: number;
  private readonly leaseMs: number;
  private readonly heartbeatMs: number;
  private readonly pollMs: number;
  private closed = false;
  private wakeUp: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: {
      store: Store;
      runs: RunStore;
      secrets: SecretStore;
      checkouts: CheckoutCache;
      runner: Runner;
      bus: RunBus;
      publicUrl: () => string;
      logger: Logger;
    },
    options: WorkerOptions = {},
  ) {
    this.maxRuns = options.maxRuns ?? 4;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.heartbeatMs = options.heartbeatMs ?? 5_000;
    this.pollMs = options.pollMs ?? 1_000;
  }

  /** Marks runs of dead workers interrupted, sweeps their engine objects, then starts taking work. */
  async start(): Promise<void> {
    await this.recover();
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), this.heartbeatMs);
    this.heartbeatTimer.unref();
    this.loop = this.takeWork();
    this.deps.logger.info(
      { owner: this.owner, maxRuns: this.maxRuns, leaseMs: this.leaseMs },
      "CI worker started",
    );
  }

  /** Tells the worker that work was queued; a bookmark hook calls it. */
  wake(): void {
    this.wakeUp?.();
  }

  /**
   * Cancels a run, or one pipeline of it, executing in this process.
   * Returns false when it does not run here, or has no such pipeline.
   */
  cancelLocal(runId: string, pipeline?: number): boolean {
    const active = this.active.get(runId);
    if (!active) return false;
    if (pipeline === undefined) {
      active.cancel.abort();
      return true;
    }
    const controller = active.pipelines[pipeline];
    if (!controller) return false;
    controller.abort();
    return true;
  }

  /**
   * Stops taking work and cancels the runs in progress, which end as
   * `cancelled`. Their containers are removed by the executors before this
   * returns.
   */
  async close(): Promise<void> {
    this.closed = true;
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.wake();
    for (const active of this.active.values()) active.cancel.abort();
    await this.loop;
    while (this.active.size > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    this.deps.logger.info({ owner: this.owner }, "CI worker stopped");
  }

  /** Marks stale runs interrupted and removes what their containers left. */
  async recover(): Promise<void> {
    const interrupted = await this.deps.runs.interruptStale((label) => {
      const cut = label.lastIndexOf("/");
      const owner = parseOwner(cut === -1 ? label : label.slice(0, cut));
      return owner !== undefined && !isOwnerAlive(owner);
    });
    if (interrupted.length === 0) return;
    for (const run of interrupted) {
      if (run.tokenId !== null) await this.expireToken(run.tokenId, Date.now() + TOKEN_GRACE_MS);
    }
    this.deps.logger.warn(
      { runs: interrupted.map((run) => run.id) },
      "marked runs of a stopped server as interrupted",
    );
    let engine: Awaited<ReturnType<typeof getEngine>>;
    try {
      engine = await getEngine();
    } catch (error) {
      this.deps.logger.info(
        { err: error },
        "no container engine; nothing of interrupted runs to remove",
      );
      return;
    }
    for (const run of interrupted) {
      try {
        const report = await sweepOrphans(engine, { runId: run.id });
        this.deps.logger.info(
          { run: run.id, ...report },
          "removed engine objects of an interrupted run",
        );
      } catch (error) {
        this.deps.logger.error(
          { err: error, run: run.id },
          "removing engine objects of an interrupted run failed",
        );
      }
    }
  }

  private async takeWork(): Promise<void> {
    let retrySoon = false;
    while (!this.closed) {
      let claimed = false;
      while (!this.closed && this.active.size < this.maxRuns) {
        let run: QueuedRun | undefined;
        try {
          run = await this.deps.runs.claim(this.owner, this.leaseMs);
        } catch (error) {
          this.deps.logger.error({ err: error }, "taking a run from the queue failed");
          break;
        }
        if (!run) break;
        claimed = true;
        this.launch(run);
      }
      if (this.closed) break;
      // On PostgreSQL a wake-up can arrive before the bookmark transaction
      // commits, so one quick second look catches the run it announced.
      const delay = retrySoon ? 50 : this.pollMs;
      retrySoon = false;
      const woken = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), delay);
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve(true);
        };
      });
      this.wakeUp = undefined;
      if (woken && !claimed) retrySoon = true;
    }
  }

  private launch(run: QueuedRun): void {
    const active: ActiveRun = { run, cancel: new AbortController(), pipelines: [] };
    this.active.set(run.id, active);
    this.execute(active)
      .catch((error) =>
        this.deps.logger.error({ err: error, run: run.id }, "run failed unexpectedly"),
      )
      .finally(() => {
        this.active.delete(run.id);
        this.wake();
      });
  }

  private async execute(active: ActiveRun): Promise<void> {
    const { store, runs, logger } = this.deps;
    const { run } = active;
    const log = logger.child({ run: run.id });
    const recorder = new RunRecorder(runs, this.deps.bus, run.id, this.owner, log);
    log.info({ event: run.event, bookmark: run.bookmark, revision: run.revisionId }, "run started");
    this.deps.bus.publish(run.id, { kind: "run", status: "running", finishedAt: null });

    let status: RunStatus = "failed";
    let reason: string | null = null;
    try {
      const repository = await store.getRepositoryById(run.repositoryId);
      const revision = repository ? await store.getRevision(repository, run.revisionId) : undefined;
      if (!repository || !revision) {
        reason = "the repository or revision no longer exists";
        return;
      }
      const tree = await store.readTree(revision);
      const configs = await loadRevisionConfigs(tree, store.objects);

      const token = await store.createCiToken(
        repository.id,
        Date.now() + this.leaseMs + TOKEN_GRACE_MS,
        `CI run ${run.id}`,
      );
      active.tokenId = token.record.id;
      await runs.setRunToken(run.id, token.record.id);

      const publicUrl = this.deps.publicUrl();
      const event: CiEvent = {
        type: run.event,
        bookmark: run.bookmark,
        data: templateData({
          Rev: run.bookmark,
          ArchiveUrl: archiveUrl(publicUrl, repository.name, revision.id),
          Author: revision.author,
          Description: revision.description,
          AccessToken: token.token,
          ServerUrl: publicUrl,
          RepositoryID: repository.id,
          Repository: repository.name,
          RevisionId: revision.id,
          EventType: run.event,
        }),
      };
      const values = await this.deps.secrets.getAll(repository.id);
      const secrets = secretSource(values);
      const masker = new SecretMasker();
      masker.add(token.token);
      for (const value of values.values()) masker.add(value);
      const plans = planEvent(configs, event, templateEnv(secrets, masker));

      let workspaceDir: string | undefined;
      if (plans.some(hasContainerTask)) {
        try {
          workspaceDir = await this.deps.checkouts.checkout(revision.id, async () => tree);
        } catch (error) {
          // Container pipelines cannot run without /workspace; webhooks still can.
          log.error({ err: error }, "checkout failed");
          const message = `checking out revision ${revision.id} for /workspace failed: ${errorMessage(error)}`;
          plans.forEach((plan, index) => {
            if (hasContainerTask(plan))
              plans[index] = {
                file: plan.file,
                pattern: plan.pattern,
                error: message,
                warnings: plan.warnings,
              };
          });
        }
      }
      const added = await runs.addPipelines(
        run.id,
        this.owner,
        plans.map((plan, index) => newPipeline(plan, index, masker)),
      );
      // Another server interrupted the run while it was being planned.
      if (!added) return;

      const results = await Promise.all(
        plans.map((plan, index) => {
          const controller = new AbortController();
          active.pipelines[index] = controller;
          const onCancel = () => controller.abort();
          // A cancel that came while the run was being planned stops it before it starts.
          if (active.cancel.signal.aborted) controller.abort();
          active.cancel.signal.addEventListener("abort", onCancel, { once: true });
          return this.deps.runner
            .runEvent({
              runId: run.id,
              event,
              plans: [plan],
              secrets,
              masker,
              signal: controller.signal,
              observer: recorder.observer(index),
              ...(workspaceDir === undefined ? {} : { workspaceDir }),
            })
            .finally(() => active.cancel.signal.removeEventListener("abort", onCancel));
        }),
      );
      const pipelineStatuses = results.flatMap((result) => result.pipelines.map((p) => p.status));
      const failed = pipelineStatuses.filter(
        (pipelineStatus) => pipelineStatus === "failed",
      ).length;
      // Cancelling the whole run decides its status, even when a pipeline
      // (a broken config, say) failed beside the cancelled ones.
      if (active.cancel.signal.aborted) status = "cancelled";
      else if (failed > 0) status = "failed";
      else if (pipelineStatuses.includes("cancelled")) status = "cancelled";
      else status = "success";
      if (plans.length === 0) reason = `no pipeline fires for a ${run.event} of ${run.bookmark}`;
      else if (status === "cancelled") {
        reason = this.closed ? "cancelled because the server stopped" : "cancelled";
        if (failed > 0) reason += `; ${failed} of ${plans.length} pipelines failed`;
      } else if (failed > 0) reason = `${failed} of ${plans.length} pipelines failed`;
    } catch (error) {
      status = "failed";
      reason = `internal error: ${errorMessage(error)}`;
      log.error({ err: error }, "run failed unexpectedly");
    } finally {
      await recorder.drain();
      await runs.packRunLogs(run.id, this.owner).catch(() => {});
      const now = Date.now();
      const finished = await runs.finishRun(run.id, this.owner, status, reason, now);
      if (active.tokenId !== undefined)
        await this.expireToken(active.tokenId, now + TOKEN_GRACE_MS);
      if (finished) {
        this.deps.bus.publish(run.id, { kind: "run", status, finishedAt: now });
        log.info({ status, reason }, "run finished");
      } else {
        log.warn("run was taken over while it ran; its result was not recorded");
      }
    }
  }

  private async heartbeat(): Promise<void> {
    try {
      const ids = [...this.active.keys()];
      if (ids.length > 0) {
        const result = await this.deps.runs.heartbeat(this.owner, ids, this.leaseMs);
        for (const id of [...result.lost, ...result.cancelRuns])
          this.active.get(id)?.cancel.abort();
        for (const ref of result.cancelPipelines)
          this.active.get(ref.runId)?.pipelines[ref.pipeline]?.abort();
        const expiry = Date.now() + this.leaseMs + TOKEN_GRACE_MS;
        for (const active of this.active.values()) {
          if (active.tokenId !== undefined) await this.expireToken(active.tokenId, expiry);
        }
      }
      await this.recover();
    } catch (error) {
      this.deps.logger.error({ err: error }, "CI heartbeat failed");
    }
  }

  // A run's token lives as long as the run plus TOKEN_GRACE_MS; the
  // heartbeat moves its expiry forward while the run lasts.
  private async expireToken(tokenId: number, expiresAt: number): Promise<void> {
    await this.deps.store.db.execute(
      "UPDATE tokens SET expires_at = $1 WHERE id = $2 AND scope = 'ci'",
      [expiresAt, tokenId],
    );
  }
}

function hasContainerTask(plan: PipelinePlan): boolean {
  return "config" in plan && plan.config.do.some((task) => task.type === "container");
}

function newPipeline(plan: PipelinePlan, index: number, masker: SecretMasker): NewPipeline {
  return {
    index,
    file: plan.file,
    pattern: plan.pattern ?? null,
    status: "queued",
    reason: null,
    warnings: plan.warnings.map((warning) => masker.mask(warning)),
    tasks:
      "config" in plan
        ? plan.config.do.map((task, taskIndex) => ({
            index: taskIndex,
            type: task.type,
            name: masker.mask(taskName(task)),
          }))
        : [],
  };
}
