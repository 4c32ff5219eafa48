import type { Logger } from "pino";
import type { LogLine } from "../runner/log-sink.js";
import { DEFAULT_MAX_LOG_LINES_PER_TASK } from "../runner/runner.js";
import type { PipelineRun, RunObserver, TaskRun } from "../runner/types.js";
import type { RunStatus, TaskStatusView } from "../web/model.js";
import type { RunBus } from "./bus.js";
import { type LogRef, PIPELINE_LOG, type RunStore, type StoredLine } from "./run-store.js";

/** How long log lines wait in memory before they are written as one batch. */
const FLUSH_DELAY_MS = 100;
/** Lines that force a write before the delay runs out. */
const FLUSH_LINES = 500;
/**
 * The lines stored per log: the first ones, as many as the runner keeps, so
 * a flooding task cannot fill the disk. Later lines are counted by the
 * runner as `droppedLogLines` and neither stored nor sent to watchers.
 */
export const MAX_STORED_LINES = DEFAULT_MAX_LOG_LINES_PER_TASK;

/**
 * RunRecorder writes a run's progress to the RunStore as the runner reports
 * it. The runner calls observers synchronously, so every write joins one
 * ordered chain: a task's status never lands before the lines it logged,
 * and a log is packed only after its last line is stored. Log lines are
 * batched; status changes are written at once. Each write is also
 * announced on the bus for live watchers. Every write names the lease
 * owner and is dropped once another server has interrupted the run, so
 * the records stay as that server left them.
 */
export class RunRecorder {
  private chain: Promise<void> = Promise.resolve();
  private pending: Array<LogRef & StoredLine> = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly runs: RunStore,
    private readonly bus: RunBus,
    private readonly runId: string,
    private readonly owner: string,
    private readonly logger: Logger,
  ) {}

  /** Returns an observer for the pipeline at position `index` of the run. */
  observer(index: number): RunObserver {
    return {
      pipelineStarted: (pipeline) => this.pipelineChanged(index, pipeline),
      taskStarted: (_pipeline, task) => this.taskChanged(index, task, false),
      logLine: (_pipeline, task, line) => this.logLine(index, task?.index ?? PIPELINE_LOG, line),
      taskFinished: (_pipeline, task) => this.taskChanged(index, task, true),
      pipelineFinished: (pipeline) => this.pipelineChanged(index, pipeline),
      observerError: (error) =>
        this.logger.error({ err: error, run: this.runId }, "recording a run failed"),
    };
  }

  /** Waits until every write so far is stored. */
  async drain(): Promise<void> {
    this.flush();
    await this.chain;
  }

  private logLine(pipeline: number, task: number, line: LogLine): void {
    const key = `${pipeline}:${task}`;
    const number = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, number);
    if (number > MAX_STORED_LINES) return;
    this.pending.push({ runId: this.runId, pipeline, task, number, ...line });
    this.bus.publish(this.runId, {
      kind: "log",
      pipeline,
      task: task === PIPELINE_LOG ? undefined : task,
      number,
      line,
    });
    if (this.pending.length >= FLUSH_LINES) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_DELAY_MS);
  }

  private taskChanged(pipeline: number, task: TaskRun, finished: boolean): void {
    this.flush();
    const fields = {
      status: task.status as TaskStatusView,
      exitCode: task.exitCode ?? null,
      httpStatus: task.httpStatus ?? null,
      reason: task.reason ?? null,
      startedAt: task.startedAt?.getTime() ?? null,
      finishedAt: task.finishedAt?.getTime() ?? null,
      droppedLogLines: task.droppedLogLines,
    };
    this.bus.publish(this.runId, { kind: "task", pipeline, task: task.index, ...fields });
    this.write(() => this.runs.updateTask(this.runId, this.owner, pipeline, task.index, fields));
    if (finished)
      this.write(() =>
        this.runs.packLog({ runId: this.runId, pipeline, task: task.index }, this.owner),
      );
  }

  private pipelineChanged(index: number, pipeline: PipelineRun): void {
    this.flush();
    const fields = {
      status: pipelineStatus(pipeline.status),
      reason: pipeline.reason ?? null,
      startedAt: pipeline.startedAt?.getTime() ?? null,
      finishedAt: pipeline.finishedAt?.getTime() ?? null,
    };
    this.bus.publish(this.runId, { kind: "pipeline", pipeline: index, ...fields });
    this.write(() => this.runs.updatePipeline(this.runId, this.owner, index, fields));
    if (pipeline.finishedAt) {
      this.write(() =>
        this.runs.packLog({ runId: this.runId, pipeline: index, task: PIPELINE_LOG }, this.owner),
      );
    }
  }

  private flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.pending.length === 0) return;
    const lines = this.pending;
    this.pending = [];
    this.write(() => this.runs.appendLines(this.owner, lines));
  }

  private write(operation: () => Promise<unknown>): void {
    this.chain = this.chain.then(async () => {
      try {
        await operation();
      } catch (error) {
        this.logger.error({ err: error, run: this.runId }, "writing run history failed");
      }
      this.bus.publish(this.runId);
    });
  }
}

/** Maps the runner's pipeline status to the stored one: a pipeline not started yet is `queued`. */
export function pipelineStatus(status: PipelineRun["status"]): RunStatus {
  return status === "pending" ? "queued" : status;
}
