import { randomBytes } from "node:crypto";
import type { ContainerSpec } from "../config/types.js";
import {
  DEFAULT_LIMITS,
  type Engine,
  getEngine,
  guardUntilDone,
  isOverlayMountFailure,
  markOverlayRefused,
  type PreparedWorkspace,
  prepareWorkspace,
  type ResourceLimits,
  resolveImage,
  StepMarkerFilter,
  startServices,
  sweepOrphans,
  Teardown,
  taskLabels,
  toMainContainerSettings,
  WORKSPACE_PATH,
} from "../engine/index.js";
import { engineLog } from "../engine/log.js";
import type { AttachedOutput } from "../engine/types.js";
import { settleWithin } from "../engine/wait.js";
import { errorMessage, PogoError } from "../util/errors.js";
import { parseGoDuration } from "../util/go-duration.js";
import { timerDelay } from "../util/timer.js";
import type { TaskContext, TaskExecutor, TaskResult } from "./task.js";

/** Task time limit when neither the spec nor the runner sets one. */
export const DEFAULT_TASK_TIMEOUT_MS = 60 * 60 * 1000;

/** How long the output stream may lag behind the container's exit before the task ends anyway. */
const OUTPUT_DRAIN_MS = 2_000;

export interface ContainerExecutorOptions {
  /** The engine, or a function that finds it; default: detection on first use. */
  engine?: Engine | (() => Promise<Engine>);
  /** Memory and process limits per container; default DEFAULT_LIMITS (4 GiB, 4096 processes). */
  limits?: Partial<ResourceLimits>;
  /** Removes objects of exited runners before the first task on an engine; default true. */
  sweepOnStart?: boolean;
  /** `upload` sends the tree as a tar stream even to a local engine; default `auto`. */
  workspace?: "auto" | "upload";
  /**
   * Folder of the build context hash cache, such as a server's data folder;
   * default the user's cache folder, `null` for none. See scanBuildContext.
   */
  hashCacheDir?: string | null;
}

/** Outcome of an abort, carried as the abort reason so every step can tell timeout from cancel. */
class TaskStopped extends Error {
  constructor(readonly status: "timeout" | "cancelled") {
    super(status);
  }
}

/**
 * ContainerExecutor runs a container task: its services on a network of the
 * task's own, then its commands in one main container with the repository at
 * `/workspace`. Every container, network, volume and directory it creates is
 * removed before `run` returns, whatever the outcome.
 */
export class ContainerExecutor implements TaskExecutor<ContainerSpec> {
  readonly kind = "container";
  private readonly limits: ResourceLimits;
  private readonly sweeps = new WeakMap<Engine, Promise<void>>();

  constructor(private readonly options: ContainerExecutorOptions = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
  }

  async run(spec: ContainerSpec, context: TaskContext): Promise<TaskResult> {
    let timeoutMs = context.timeoutMs > 0 ? context.timeoutMs : DEFAULT_TASK_TIMEOUT_MS;
    if (spec.timeout !== undefined) {
      try {
        timeoutMs = parseGoDuration(spec.timeout);
      } catch (error) {
        return { status: "failed", reason: `Invalid \`timeout\`: ${errorMessage(error)}` };
      }
    }
    if (context.signal.aborted)
      return { status: "cancelled", reason: "cancelled before it started" };

    let engine: Engine;
    try {
      engine = await this.getEngine();
    } catch (error) {
      if (error instanceof PogoError) return { status: "failed", reason: error.message };
      throw error;
    }
    await this.sweepOnce(engine);

    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(new TaskStopped("timeout")), timerDelay(timeoutMs));
    const onCancel = () => stop.abort(new TaskStopped("cancelled"));
    context.signal.addEventListener("abort", onCancel, { once: true });
    // A cancel during engine detection or the sweep fired no event for this listener.
    if (context.signal.aborted) onCancel();

    const execution = new ContainerTaskRun(
      engine,
      spec,
      context,
      this.limits,
      stop.signal,
      this.options,
    );
    const unguard = guardUntilDone(() => execution.teardown.run({ thorough: true }));
    let result: TaskResult | undefined;
    try {
      result = await execution.run();
      return result;
    } catch (error) {
      if (stop.signal.reason instanceof TaskStopped) {
        result = stoppedResult(stop.signal.reason.status, timeoutMs);
        return result;
      }
      if (error instanceof PogoError) {
        result = { status: "failed", reason: error.message };
        return result;
      }
      throw error;
    } finally {
      clearTimeout(timer);
      context.signal.removeEventListener("abort", onCancel);
      execution.closeOutputs();
      try {
        await execution.teardown.run({ thorough: result?.status !== "success" });
      } catch (error) {
        context.log.info(`cleanup failed: ${errorMessage(error)}`);
      }
      unguard();
    }
  }

  /**
   * Returns one line naming the engine container tasks will use and how it
   * was found, or why none is available, for `pogo ci test` and the server.
   */
  async describeEngine(): Promise<string> {
    try {
      return (await this.getEngine()).describe();
    } catch (error) {
      if (error instanceof PogoError) return error.message;
      throw error;
    }
  }

  private async getEngine(): Promise<Engine> {
    const engine = this.options.engine;
    if (engine === undefined) return getEngine();
    return typeof engine === "function" ? engine() : engine;
  }

  /** Removes leftovers of crashed runners once per engine; a failed sweep is logged, not fatal. */
  private async sweepOnce(engine: Engine): Promise<void> {
    if (this.options.sweepOnStart === false) return;
    let sweep = this.sweeps.get(engine);
    if (!sweep) {
      sweep = sweepOrphans(engine).then(
        () => {},
        (error: unknown) => engineLog("sweep of leftovers failed", { error: errorMessage(error) }),
      );
      this.sweeps.set(engine, sweep);
    }
    await sweep;
  }
}

/** ContainerTaskRun is one execution of one container task, with the objects it created. */
class ContainerTaskRun {
  readonly teardown: Teardown;
  private readonly scope = randomBytes(6).toString("hex");
  private readonly namePrefix: string;
  private readonly outputs: AttachedOutput[] = [];
  private readonly flushes: Array<() => void> = [];
  /** Aborted when the task stops or when one of its parallel steps fails. */
  private readonly steps = new AbortController();
  private readonly signal = this.steps.signal;

  constructor(
    private readonly engine: Engine,
    private readonly spec: ContainerSpec,
    private readonly context: TaskContext,
    private readonly limits: ResourceLimits,
    stopSignal: AbortSignal,
    private readonly options: ContainerExecutorOptions,
  ) {
    const onStop = () => this.steps.abort(stopSignal.reason);
    if (stopSignal.aborted) onStop();
    else stopSignal.addEventListener("abort", onStop, { once: true });
    this.teardown = new Teardown(engine, this.scope);
    this.namePrefix = `pogo-${this.scope}`;
  }

  async run(): Promise<TaskResult> {
    const services = this.spec.services ?? [];
    const network = services.length > 0 ? await this.createNetwork() : undefined;

    // Services start while the main image and workspace are prepared; both must finish before the main container starts.
    const servicesReady = network
      ? startServices({
          engine: this.engine,
          services,
          network,
          namePrefix: this.namePrefix,
          labels: this.labels("service"),
          limits: this.limits,
          repositoryDir: this.context.workspaceDir,
          runId: this.context.runId,
          log: this.context.log,
          ...(this.options.hashCacheDir === undefined
            ? {}
            : { hashCacheDir: this.options.hashCacheDir }),
          teardown: this.teardown,
          signal: this.signal,
        })
      : Promise.resolve([]);
    const mainPrepared = this.prepareMain(network);
    const [started, prepared] = await this.settleAll(servicesReady, mainPrepared);
    for (const service of started) {
      this.outputs.push(service.output);
      this.flushes.push(service.flush);
    }
    this.signal.throwIfAborted();

    return this.runMain(prepared.id, prepared.workspace, prepared.nonce, network);
  }

  /**
   * Awaits both steps; the first failure aborts the other, and both settle
   * before this returns, so nothing is created after the teardown has run.
   */
  private async settleAll<A, B>(first: Promise<A>, second: Promise<B>): Promise<[A, B]> {
    const abortOnFailure = (error: unknown) => {
      this.steps.abort(error);
      throw error;
    };
    const [a, b] = await Promise.allSettled([
      first.catch(abortOnFailure),
      second.catch(abortOnFailure),
    ]);
    if (a.status === "rejected") throw this.signal.reason ?? a.reason;
    if (b.status === "rejected") throw this.signal.reason ?? b.reason;
    return [a.value, b.value];
  }

  closeOutputs(): void {
    for (const flush of this.flushes) flush();
    for (const output of this.outputs) output.close();
  }

  private async createNetwork(): Promise<string> {
    const name = this.namePrefix;
    await this.teardown.createNetwork(name, this.labels("network"));
    this.signal.throwIfAborted();
    return name;
  }

  private async prepareMain(
    network: string | undefined,
    preferUpload = this.options.workspace === "upload",
  ): Promise<{ id: string; workspace: PreparedWorkspace | undefined; nonce: string }> {
    const image = await resolveImage({
      engine: this.engine,
      image: this.spec.image,
      repositoryDir: this.context.workspaceDir,
      runId: this.context.runId,
      log: this.context.log,
      signal: this.signal,
      ...(this.options.hashCacheDir === undefined
        ? {}
        : { hashCacheDir: this.options.hashCacheDir }),
    });
    this.signal.throwIfAborted();

    const workspace = this.context.workspaceDir
      ? await prepareWorkspace({
          engine: this.engine,
          treeDir: this.context.workspaceDir,
          target: WORKSPACE_PATH,
          name: `${this.namePrefix}-workspace`,
          labels: this.labels("workspace"),
          teardown: this.teardown,
          preferUpload,
        })
      : undefined;
    this.signal.throwIfAborted();

    const nonce = randomBytes(8).toString("hex");
    const settings = toMainContainerSettings({
      spec: this.spec,
      data: this.context.data,
      name: `${this.namePrefix}-main`,
      image,
      labels: this.labels("main"),
      limits: this.limits,
      nonce,
      ...(network ? { network } : {}),
      ...(workspace?.method === "overlay" ? { workspace: workspace.mount } : {}),
    });
    const id = await this.teardown.createContainer(settings);
    this.signal.throwIfAborted();
    if (workspace?.method === "upload") await workspace.upload(id);
    return { id, workspace, nonce };
  }

  private async runMain(
    id: string,
    workspace: PreparedWorkspace | undefined,
    nonce: string,
    network: string | undefined,
  ): Promise<TaskResult> {
    const commands = this.spec.commands ?? [];
    let currentStep: number | undefined;
    let stderrAtLineStart = true;
    const stdout = new StepMarkerFilter(
      nonce,
      (text) => this.context.log.write(text, "stdout"),
      (index) => {
        currentStep = index;
        // A partial stderr line of the previous command ends here, so it is not shown after the next header.
        if (!stderrAtLineStart) this.context.log.write("\n", "stderr");
        stderrAtLineStart = true;
        this.context.log.info(`$ ${displayCommand(commands[index] ?? "")}`);
      },
    );
    this.flushes.push(() => stdout.flush());
    const onOutput = (chunk: string, stream: "stdout" | "stderr") => {
      if (stream === "stdout" && commands.length > 0) {
        stdout.write(chunk);
        return;
      }
      this.context.log.write(chunk, stream);
      if (stream === "stderr" && chunk !== "") stderrAtLineStart = chunk.endsWith("\n");
    };

    let output: AttachedOutput;
    try {
      output = await this.engine.containers.start(id, onOutput);
    } catch (error) {
      if (workspace?.method !== "overlay" || !isOverlayMountFailure(error)) throw error;
      // The engine cannot mount overlay volumes (rootless, or a remote daemon that looked local): upload from now on.
      markOverlayRefused(this.engine);
      this.context.log.info(
        "the engine failed to mount the overlay workspace, so the tree is uploaded instead",
      );
      await this.engine.containers.remove(id);
      const retry = await this.prepareMain(network, true);
      return this.runMain(retry.id, retry.workspace, retry.nonce, network);
    }
    this.outputs.push(output);

    const exit = await abortable(this.engine.containers.wait(id), this.signal);
    await settleWithin(output.done, OUTPUT_DRAIN_MS);
    stdout.flush();
    return exitResult(exit.exitCode, exit.oomKilled, commands, currentStep);
  }

  private labels(role: string): Record<string, string> {
    return taskLabels({
      runId: this.context.runId,
      scope: this.scope,
      pipeline: this.context.pipeline,
      taskIndex: this.context.taskIndex,
      role,
    });
  }
}

/** Builds the result for a main container that exited on its own. */
export function exitResult(
  exitCode: number,
  oomKilled: boolean,
  commands: string[],
  lastStep: number | undefined,
): TaskResult {
  if (exitCode === 0) {
    const summary =
      commands.length === 0
        ? "the image's entrypoint exited with code 0"
        : `${commands.length} ${commands.length === 1 ? "command" : "commands"} succeeded`;
    return { status: "success", exitCode: 0, reason: summary };
  }
  const oom = oomKilled ? " after it ran out of memory" : "";
  if (commands.length === 0) {
    return {
      status: "failed",
      exitCode,
      reason: `The image's entrypoint exited with code ${exitCode}${oom}.`,
    };
  }
  if (lastStep === undefined) {
    return {
      status: "failed",
      exitCode,
      reason: `The container exited with code ${exitCode}${oom} before its first command ran.`,
    };
  }
  const command = commands[lastStep] ?? "";
  return {
    status: "failed",
    exitCode,
    command,
    reason: `Command ${lastStep + 1} of ${commands.length} \`${displayCommand(command)}\` failed with exit code ${exitCode}${oom}.`,
  };
}

function stoppedResult(status: "timeout" | "cancelled", timeoutMs: number): TaskResult {
  if (status === "cancelled") return { status, reason: "cancelled; its containers were stopped" };
  return {
    status,
    reason: `timed out after ${formatDuration(timeoutMs)}; its containers were stopped`,
  };
}

/** Shows a command on one line: its first line, with an ellipsis when more follow. */
function displayCommand(command: string): string {
  const lines = command.trim().split("\n");
  return lines.length > 1 ? `${lines[0]} …` : (lines[0] ?? "");
}

function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120_000) return `${Number((ms / 1000).toFixed(1))} s`;
  if (ms < 7_200_000) return `${Number((ms / 60_000).toFixed(1))} min`;
  return `${Number((ms / 3_600_000).toFixed(1))} h`;
}

/** Races `promise` against `signal`; the caller's teardown stops whatever the promise waits on. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    // The abandoned promise may still reject (its container is being removed); that is expected.
    promise.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
