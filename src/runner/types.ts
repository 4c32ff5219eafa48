import type { CiEvent } from "../config/event.js";
import type { PipelineConfig } from "../config/types.js";
import type { ProgressUpdate, TaskStatus } from "../tasks/task.js";
import type { LogLine } from "./log-sink.js";

/**
 * PipelinePlan is one config file of an event after loading, matching and
 * rendering: either a config ready to run, or the `file:line:col` error that
 * stopped it, which the runner records as a failed pipeline.
 */
export type PipelinePlan = ReadyPlan | BrokenPlan;

export interface ReadyPlan {
  /** Path of the config file relative to the repository root, such as `.pogo/ci/build.yaml`. */
  file: string;
  /** The first bookmark pattern of the config that matched the event. */
  pattern: string;
  /** The config with templates rendered; `${NAME}` secrets are still unresolved. */
  config: PipelineConfig;
  /**
   * Lines worth showing on the run, such as a template that had to be
   * rendered before parsing, each formatted as `file:line:col: warning: …`.
   */
  warnings: string[];
}

export interface BrokenPlan {
  file: string;
  /** Set when the config matched the event before rendering failed. */
  pattern?: string;
  /** The first error, one line starting with `file:line:col` when the position is known. */
  error: string;
  /** Every error of the config, `error` first; the runner logs them all. */
  details?: string[];
  warnings: string[];
}

export type PipelineStatus = "pending" | "running" | "success" | "failed" | "cancelled";

export type TaskRunStatus = "pending" | "running" | TaskStatus;

/**
 * TaskRun is the record of one task of a pipeline. The runner fills it in as
 * the task runs; every string in it has secrets masked.
 */
export interface TaskRun {
  /** Position in the pipeline's `do` list, from 0. */
  index: number;
  type: "webhook" | "container";
  /** A short label for tables: `POST https://…` for a webhook, the image for a container. */
  name: string;
  status: TaskRunStatus;
  exitCode?: number;
  httpStatus?: number;
  /** Reason the task failed, timed out, was cancelled or skipped, or a summary of success. */
  reason?: string;
  startedAt?: Date;
  finishedAt?: Date;
  /** The task's masked log lines, up to the runner's `maxLogLinesPerTask`. */
  log: LogLine[];
  /** Lines left out of `log` because of the cap; observers still saw them. */
  droppedLogLines: number;
}

/** PipelineRun is the record of one config file fired by an event. */
export interface PipelineRun {
  /** Position of the pipeline in the event, in config file name order, from 0. */
  index: number;
  file: string;
  pattern?: string;
  status: PipelineStatus;
  /** Why the pipeline failed or was cancelled: the load error, or the failed task's reason. */
  reason?: string;
  warnings: string[];
  startedAt?: Date;
  finishedAt?: Date;
  tasks: TaskRun[];
  /** Lines about the pipeline as a whole (warnings, load errors), masked. */
  log: LogLine[];
}

/** EventRun is the result of one event: every pipeline it fired. */
export interface EventRun {
  runId: string;
  event: CiEvent;
  /** success when every pipeline succeeded (or none fired); cancelled when the run was aborted. */
  status: "success" | "failed" | "cancelled";
  startedAt: Date;
  finishedAt: Date;
  pipelines: PipelineRun[];
}

/**
 * RunObserver receives a run's progress as it happens; the server stores and
 * streams it, the CLI prints it. Every hook is optional and called
 * synchronously on the runner's path, so a hook must return quickly and
 * queue any slow work (a database write) itself. The objects passed are the
 * runner's live records: read them during the call and copy what is kept,
 * because the runner keeps changing them. A hook that throws does not stop
 * the run: the error goes to `observerError`, or is dropped when that hook
 * is missing.
 *
 * Order: eventStarted once. Then for each pipeline pipelineStarted, per
 * task taskStarted, logLine…, taskFinished, and last pipelineFinished.
 * Tasks that never start (skipped after a failure, or after cancellation)
 * get no taskStarted, only taskFinished with status `skipped`. Hooks of
 * different pipelines of the same event interleave. A config that failed to
 * load gets pipelineStarted, its errors as logLines without a task, and
 * pipelineFinished.
 */
export interface RunObserver {
  /**
   * Called once, before any pipeline starts, with every pipeline of the
   * event in `pending` state, so a store can record them all up front.
   */
  eventStarted?(runId: string, pipelines: readonly PipelineRun[]): void;
  pipelineStarted?(pipeline: PipelineRun): void;
  taskStarted?(pipeline: PipelineRun, task: TaskRun): void;
  /** A masked log line; `task` is undefined for lines about the pipeline as a whole. */
  logLine?(pipeline: PipelineRun, task: TaskRun | undefined, line: LogLine): void;
  /**
   * Structured progress of a long step, such as an image pull, with its
   * text masked. When an observer has this hook, executors send progress
   * here in place of plain log lines.
   */
  progress?(pipeline: PipelineRun, task: TaskRun, update: ProgressUpdate): void;
  taskFinished?(pipeline: PipelineRun, task: TaskRun): void;
  pipelineFinished?(pipeline: PipelineRun): void;
  /** Receives errors thrown by the other hooks. */
  observerError?(error: unknown): void;
}
