import { randomUUID } from "node:crypto";
import { setMaxListeners } from "node:events";
import type { CiEvent } from "../config/event.js";
import type { LoadedConfig } from "../config/load.js";
import type { TaskConfig } from "../config/types.js";
import type { TaskExecutors } from "../tasks/index.js";
import type { TaskContext, TaskResult } from "../tasks/task.js";
import { basicCredentials, maskUrlPassword } from "../tasks/webhook.js";
import { errorMessage } from "../util/errors.js";
import { parseGoDuration } from "../util/go-duration.js";
import { timerDelay } from "../util/timer.js";
import { formatDuration } from "./duration.js";
import { type LogLine, MaskingLogSink } from "./log-sink.js";
import { SecretMasker } from "./masker.js";
import { planEvent, templateEnv } from "./plan.js";
import { MissingSecretError, resolveTaskSecrets, type SecretSource } from "./secrets.js";
import { Semaphore } from "./semaphore.js";
import type {
  EventRun,
  PipelinePlan,
  PipelineRun,
  ReadyPlan,
  RunObserver,
  TaskRun,
} from "./types.js";

/** DEFAULT_CONCURRENCY is the default number of pipelines a Runner runs at once. */
export const DEFAULT_CONCURRENCY = 4;

/** DEFAULT_CONTAINER_TIMEOUT_MS limits a container task that sets no `timeout`: one hour. */
export const DEFAULT_CONTAINER_TIMEOUT_MS = 60 * 60 * 1000;

/** DEFAULT_MAX_LOG_LINES_PER_TASK bounds the lines a TaskRun keeps in memory. */
export const DEFAULT_MAX_LOG_LINES_PER_TASK = 10_000;

/**
 * TIMEOUT_GRACE_MS is how long past a task's limit the runner waits before
 * aborting it. Executors enforce the limit themselves and report a precise
 * reason; the runner's abort is the backstop for one that does not.
 */
const TIMEOUT_GRACE_MS = 1_000;

export interface RunnerOptions {
  executors: TaskExecutors;
  /** Pipelines running at once across every event of this Runner; default 4. */
  concurrency?: number;
  /** Limit for a container task without `timeout`, in ms; default one hour. */
  containerTimeoutMs?: number;
  /** Cap on one log line, in characters; see MaskingLogSink. */
  maxLineLength?: number;
  /** Lines each TaskRun keeps in `log`; later lines still reach observers. Default 10,000. */
  maxLogLinesPerTask?: number;
  /** Clock for recorded times; tests fix it. */
  now?: () => Date;
}

/** EventRunRequest is one event to run, with the plans of the configs it concerns. */
export interface EventRunRequest {
  /** Labels engine objects and log records; a random UUID when missing. */
  runId?: string;
  event: CiEvent;
  /** Every config of the revision after loading, matching and rendering; see `planEvent`. */
  plans: PipelinePlan[];
  secrets: SecretSource;
  /**
   * Masker shared with planning, so values that `secret "KEY"` put into the
   * rendered configs are masked too. A fresh one when missing.
   */
  masker?: SecretMasker;
  /** The repository tree, mounted at `/workspace` for container tasks. */
  workspaceDir?: string;
  /** Aborting it cancels the running tasks and skips the rest. */
  signal?: AbortSignal;
  observer?: RunObserver;
}

/** ConfigRunRequest is an event to run with the loaded configs of its revision, not yet planned. */
export interface ConfigRunRequest extends Omit<EventRunRequest, "plans"> {
  /** Every config of the revision, from `loadConfig` or `loadRepositoryConfigs`. */
  configs: readonly LoadedConfig[];
  /** Clock behind the `now` template function; the real time when missing. */
  now?: () => Date;
}

/**
 * Runner executes the pipelines of CI events; the server and `pogo ci test`
 * share it. Pipelines of one event run concurrently, limited by
 * `concurrency` across all events of this Runner. The tasks of a pipeline run
 * in order, and the first that does not succeed ends the pipeline: the rest
 * are recorded as skipped. A task's failure, timeout or cancellation is a
 * result, never an exception; `runEvent` rejects only when a bug breaks the
 * runner itself.
 */
export class Runner {
  private readonly executors: TaskExecutors;
  private readonly slots: Semaphore;
  private readonly containerTimeoutMs: number;
  private readonly maxLineLength: number | undefined;
  private readonly maxLogLinesPerTask: number;
  private readonly now: () => Date;
  // Log lines are many, so they take epoch milliseconds instead of a Date each.
  private readonly lineClock: () => number;

  constructor(options: RunnerOptions) {
    this.executors = options.executors;
    this.slots = new Semaphore(options.concurrency ?? DEFAULT_CONCURRENCY);
    this.containerTimeoutMs = options.containerTimeoutMs ?? DEFAULT_CONTAINER_TIMEOUT_MS;
    this.maxLineLength = options.maxLineLength;
    this.maxLogLinesPerTask = options.maxLogLinesPerTask ?? DEFAULT_MAX_LOG_LINES_PER_TASK;
    const now = options.now;
    this.now = now ?? (() => new Date());
    this.lineClock = now ? () => now().getTime() : Date.now;
  }

  /**
   * Plans and runs an event in one call: matches `configs` against the
   * event, renders the ones it fires with `now` (default the real clock) and
   * the request's secrets, then runs them as `runEvent` does.
   */
  async runConfigs(request: ConfigRunRequest): Promise<EventRun> {
    const { configs, now, ...rest } = request;
    const masker = request.masker ?? new SecretMasker();
    const plans = planEvent(configs, request.event, templateEnv(request.secrets, masker, now));
    return this.runEvent({ ...rest, plans, masker });
  }

  /** Runs every plan of the event and returns when all pipelines have finished. */
  async runEvent(request: EventRunRequest): Promise<EventRun> {
    const runId = request.runId ?? randomUUID();
    // Tasks listen on an internal signal, so the caller's signal gets one
    // listener however many tasks run.
    const cancel = new AbortController();
    setMaxListeners(0, cancel.signal);
    const onCancel = () => cancel.abort(request.signal?.reason);
    if (request.signal?.aborted) cancel.abort(request.signal.reason);
    request.signal?.addEventListener("abort", onCancel, { once: true });
    const signal = cancel.signal;
    const masker = request.masker ?? new SecretMasker();
    const notify = observerCaller(request.observer);
    const startedAt = this.now();

    const pipelines = request.plans.map((plan, index) => newPipelineRun(plan, index, masker));
    const state: RunState = { runId, request, signal, masker, notify };
    notify("eventStarted", runId, pipelines);
    try {
      // At most `limit` pipelines of this event wait for a slot at once, so
      // an event with thousands of configs does not hold a pending promise
      // for each. The semaphore keeps arrival order across events.
      let next = 0;
      const worker = async () => {
        while (next < request.plans.length) {
          const index = next++;
          await this.runPipeline(request.plans[index]!, pipelines[index]!, state);
        }
      };
      const workers = Math.min(this.slots.limit, request.plans.length);
      await Promise.all(Array.from({ length: workers }, worker));
    } finally {
      request.signal?.removeEventListener("abort", onCancel);
    }

    return {
      runId,
      event: request.event,
      status: eventStatus(pipelines, signal),
      startedAt,
      finishedAt: this.now(),
      pipelines,
    };
  }

  private async runPipeline(
    plan: PipelinePlan,
    pipeline: PipelineRun,
    run: RunState,
  ): Promise<void> {
    const release = await this.slots.acquire(run.signal);
    try {
      pipeline.status = "running";
      pipeline.startedAt = this.now();
      run.notify("pipelineStarted", pipeline);
      for (const warning of pipeline.warnings) this.pipelineLine(pipeline, run, warning);

      if (!release) {
        this.finishPipeline(pipeline, run, "cancelled", "cancelled before it started");
        return;
      }
      if ("error" in plan) {
        for (const line of plan.details ?? [plan.error]) this.pipelineLine(pipeline, run, line);
        this.finishPipeline(pipeline, run, "failed", run.masker.mask(plan.error));
        return;
      }
      await this.runTasks(plan, pipeline, run);
    } finally {
      if (release) release();
    }
  }

  private async runTasks(plan: ReadyPlan, pipeline: PipelineRun, run: RunState): Promise<void> {
    let stopped: TaskRun | undefined;
    for (const [index, config] of plan.config.do.entries()) {
      const task = pipeline.tasks[index]!;
      if (stopped || run.signal.aborted) {
        task.status = "skipped";
        task.reason = stopped
          ? `skipped because task ${stopped.index + 1} ${stopped.status === "failed" ? "failed" : `ended with ${stopped.status}`}`
          : "skipped because the run was cancelled";
        run.notify("taskFinished", pipeline, task);
        continue;
      }
      await this.runTask(config, task, pipeline, run);
      if (task.status !== "success") stopped = task;
    }

    if (!stopped && !run.signal.aborted) {
      this.finishPipeline(pipeline, run, "success");
    } else if (stopped?.status === "cancelled" || (!stopped && run.signal.aborted)) {
      this.finishPipeline(pipeline, run, "cancelled", stopped?.reason ?? "the run was cancelled");
    } else {
      const reason = `task ${stopped!.index + 1} (${stopped!.type}): ${stopped!.reason ?? stopped!.status}`;
      this.finishPipeline(pipeline, run, "failed", reason);
    }
  }

  private async runTask(
    config: TaskConfig,
    task: TaskRun,
    pipeline: PipelineRun,
    run: RunState,
  ): Promise<void> {
    task.status = "running";
    task.startedAt = this.now();
    run.notify("taskStarted", pipeline, task);

    const sink = new MaskingLogSink(
      run.masker,
      (line) => {
        if (task.log.length < this.maxLogLinesPerTask) task.log.push(line);
        else task.droppedLogLines++;
        run.notify("logLine", pipeline, task, line);
      },
      {
        maxLineLength: this.maxLineLength,
        now: this.lineClock,
        ...(run.request.observer?.progress
          ? { progress: (update) => run.notify("progress", pipeline, task, update) }
          : {}),
      },
    );

    const result = await this.executeTask(config, task, pipeline, run, sink);
    sink.flush();

    task.status = result.status;
    if (result.exitCode !== undefined) task.exitCode = result.exitCode;
    if (result.httpStatus !== undefined) task.httpStatus = result.httpStatus;
    if (result.reason !== undefined) task.reason = run.masker.mask(result.reason);
    task.finishedAt = this.now();
    // Every reason states what happened ("timed out after 1 s", "POST … was cancelled"), so the line has no status prefix.
    if (result.status !== "success" && task.reason) sink.info(task.reason);
    run.notify("taskFinished", pipeline, task);
  }

  // Resolves secrets, arms the task's time limit and calls its executor.
  // Everything that goes wrong here ends as a TaskResult.
  private async executeTask(
    config: TaskConfig,
    task: TaskRun,
    pipeline: PipelineRun,
    run: RunState,
    sink: MaskingLogSink,
  ): Promise<TaskResult> {
    let resolved: TaskConfig;
    let timeoutMs: number;
    try {
      resolved = resolveTaskSecrets(config, run.request.secrets, (value) => run.masker.add(value));
      if (resolved.type === "webhook" && resolved.webhook.url.includes("@")) {
        const credentials = basicCredentials(resolved.webhook.url);
        if (credentials !== undefined) run.masker.add(credentials);
      }
      timeoutMs = this.taskTimeoutMs(resolved);
    } catch (error) {
      return { status: "failed", reason: errorMessage(error) };
    }

    // An executor that bounds its own duration gets the run's signal as is,
    // because an AbortController per task costs more CPU than a loopback
    // webhook delivery. Other executors get one controller carrying both
    // cancellation and the time limit. They see `cancelled` either way, so
    // `timedOut` records which of the two happened.
    const bounded =
      resolved.type === "webhook" && this.executors.webhook.maxDurationMs !== undefined;
    let stop: AbortController | undefined;
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    const onCancel = () => stop?.abort();
    if (!bounded) {
      const controller = new AbortController();
      stop = controller;
      timer = setTimeout(
        () => {
          timedOut = true;
          controller.abort();
        },
        timerDelay(timeoutMs + TIMEOUT_GRACE_MS),
      );
      run.signal.addEventListener("abort", onCancel, { once: true });
    }
    const context: TaskContext = {
      runId: run.runId,
      pipeline: pipeline.file,
      taskIndex: task.index,
      log: sink,
      signal: stop?.signal ?? run.signal,
      timeoutMs,
      data: run.request.event.data,
    };
    if (run.request.workspaceDir !== undefined) context.workspaceDir = run.request.workspaceDir;

    try {
      const result =
        resolved.type === "webhook"
          ? await this.executors.webhook.run(resolved.webhook, context)
          : await this.executors.container.run(resolved.container, context);
      if (timedOut && result.status === "cancelled") {
        return {
          ...result,
          status: "timeout",
          reason: `timed out after ${formatDuration(timeoutMs)}`,
        };
      }
      return result;
    } catch (error) {
      if (error instanceof MissingSecretError) return { status: "failed", reason: error.message };
      return { status: "failed", reason: `internal error: ${errorMessage(error)}` };
    } finally {
      if (stop) {
        clearTimeout(timer);
        run.signal.removeEventListener("abort", onCancel);
      }
    }
  }

  private taskTimeoutMs(task: TaskConfig): number {
    if (task.type === "container") {
      return task.container.timeout === undefined
        ? this.containerTimeoutMs
        : parseGoDuration(task.container.timeout);
    }
    return this.executors.webhook.maxDurationMs?.(task.webhook) ?? this.containerTimeoutMs;
  }

  private pipelineLine(pipeline: PipelineRun, run: RunState, text: string): void {
    const line: LogLine = { stream: "info", text: run.masker.mask(text), time: this.lineClock() };
    pipeline.log.push(line);
    run.notify("logLine", pipeline, undefined, line);
  }

  private finishPipeline(
    pipeline: PipelineRun,
    run: RunState,
    status: "success" | "failed" | "cancelled",
    reason?: string,
  ): void {
    pipeline.status = status;
    if (reason !== undefined) pipeline.reason = reason;
    pipeline.startedAt ??= this.now();
    pipeline.finishedAt = this.now();
    for (const task of pipeline.tasks) {
      if (task.status !== "pending") continue;
      task.status = "skipped";
      task.reason = status === "cancelled" ? "skipped because the run was cancelled" : "skipped";
      run.notify("taskFinished", pipeline, task);
    }
    run.notify("pipelineFinished", pipeline);
  }
}

interface RunState {
  runId: string;
  request: EventRunRequest;
  signal: AbortSignal;
  masker: SecretMasker;
  notify: ObserverCaller;
}

type ObserverCaller = <K extends Exclude<keyof RunObserver, "observerError">>(
  hook: K,
  ...args: Parameters<NonNullable<RunObserver[K]>>
) => void;

// Hooks take at most three arguments. Fixed parameters instead of a rest
// array spare an allocation per call, and there are several calls per task.
function observerCaller(observer: RunObserver | undefined): ObserverCaller {
  if (!observer) return () => {};
  const call = (hook: keyof RunObserver, a?: unknown, b?: unknown, c?: unknown) => {
    const method = observer[hook] as
      | ((this: RunObserver, a?: unknown, b?: unknown, c?: unknown) => void)
      | undefined;
    if (!method) return;
    try {
      method.call(observer, a, b, c);
    } catch (error) {
      try {
        observer.observerError?.(error);
      } catch {
        // An error handler that fails itself has nowhere left to report to.
      }
    }
  };
  return call as ObserverCaller;
}

function newPipelineRun(plan: PipelinePlan, index: number, masker: SecretMasker): PipelineRun {
  const pipeline: PipelineRun = {
    index,
    file: plan.file,
    status: "pending",
    warnings: plan.warnings.map((warning) => masker.mask(warning)),
    tasks: [],
    log: [],
  };
  if (plan.pattern !== undefined) pipeline.pattern = plan.pattern;
  if ("config" in plan) {
    pipeline.tasks = plan.config.do.map((task, taskIndex) => ({
      index: taskIndex,
      type: task.type,
      name: masker.mask(taskName(task)),
      status: "pending",
      log: [],
      droppedLogLines: 0,
    }));
  }
  return pipeline;
}

/** Returns the short label of a task: `POST https://…` for a webhook, the image for a container. */
export function taskName(task: TaskConfig): string {
  return task.type === "webhook"
    ? `${task.webhook.method} ${maskUrlPassword(task.webhook.url)}`
    : task.container.image;
}

function eventStatus(pipelines: PipelineRun[], signal: AbortSignal): EventRun["status"] {
  if (pipelines.some((pipeline) => pipeline.status === "failed")) return "failed";
  if (signal.aborted || pipelines.some((pipeline) => pipeline.status === "cancelled")) {
    return "cancelled";
  }
  return "success";
}
