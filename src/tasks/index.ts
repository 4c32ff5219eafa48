import type { ContainerSpec, WebhookSpec } from "../config/types.js";
import { ContainerExecutor, type ContainerExecutorOptions } from "./container.js";
import type { TaskContext, TaskExecutor, TaskResult } from "./task.js";
import { WebhookExecutor, type WebhookExecutorOptions } from "./webhook.js";

export { ContainerExecutor } from "./container.js";
export type { LogSink, TaskContext, TaskExecutor, TaskResult, TaskStatus } from "./task.js";
export { WebhookExecutor } from "./webhook.js";

/**
 * TaskExecutors maps each task type to the executor that runs it. The runner
 * never closes executors, so the code that builds the registry calls
 * `closeExecutors` when done.
 */
export interface TaskExecutors {
  webhook: TaskExecutor<WebhookSpec> & { maxDurationMs?(spec: WebhookSpec): number };
  container: TaskExecutor<ContainerSpec>;
}

/**
 * NoEngineContainerExecutor fails every container task with an explanation.
 * It replaces the container executor when no Docker or Podman engine is available, so webhook
 * tasks still run.
 */
export class NoEngineContainerExecutor implements TaskExecutor<ContainerSpec> {
  readonly kind = "container";

  constructor(private readonly detail = "") {}

  async run(_spec: ContainerSpec, _context: TaskContext): Promise<TaskResult> {
    const detail = this.detail ? ` (${this.detail})` : "";
    return {
      status: "failed",
      reason:
        `container tasks need a Docker or Podman engine, and none is available${detail}; ` +
        "check with `docker version` and set DOCKER_HOST if the engine listens elsewhere",
    };
  }
}

export interface ExecutorOptions {
  webhook?: WebhookExecutorOptions;
  container?: ContainerExecutorOptions;
}

/** Builds the executors Pogo runs tasks with; call `closeExecutors` when done. */
export function createExecutors(options: ExecutorOptions = {}): TaskExecutors {
  return {
    webhook: new WebhookExecutor(options.webhook),
    container: new ContainerExecutor(options.container),
  };
}

/** Releases what the executors hold open (HTTP connections, engine clients). */
export async function closeExecutors(executors: TaskExecutors): Promise<void> {
  await Promise.all(
    Object.values(executors).map((executor: { close?: () => Promise<void> }) => executor.close?.()),
  );
}
