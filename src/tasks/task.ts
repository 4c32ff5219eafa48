import type { TemplateData } from "../config/event.js";

/**
 * LogSink receives a task's output as it happens. Implementations split it
 * into lines, mask secrets and forward it to the terminal or the run store;
 * callers may pass partial chunks, and a line may arrive split across calls.
 */
export interface LogSink {
  /** Appends raw output; `stream` distinguishes a container's stderr. */
  write(chunk: string, stream?: "stdout" | "stderr"): void;
  /** Appends one complete line written by Pogo itself (attempt summaries, progress). */
  info(line: string): void;
  /**
   * Returns a position at or before `at` where `text` can be cut without
   * splitting a secret, so the part before it is masked whole.
   */
  safeCut?(text: string, at: number): number;
  /** Returns `text` with every secret the log masks replaced, for text an executor reshapes before logging it. */
  mask?(text: string): string;
  /**
   * Receives structured progress of a long step, such as an image pull, so a
   * terminal can draw it compactly. Without it, executors log plain lines.
   */
  progress?(update: ProgressUpdate): void;
}

/** ProgressUpdate is one status change of an image pull, per layer when `layer` is set. */
export interface ProgressUpdate {
  kind: "pull";
  image: string;
  status: string;
  layer?: string;
  /** Bytes done and total for the layer, when the engine reports them. */
  current?: number;
  total?: number;
}

/** TaskStatus is the outcome recorded for one task of a pipeline. */
export type TaskStatus = "success" | "failed" | "timeout" | "cancelled" | "skipped";

/** TaskResult is what an executor reports; a failing task is a result, not an exception. */
export interface TaskResult {
  status: Exclude<TaskStatus, "skipped">;
  /** Exit code of the failing command, for container tasks. */
  exitCode?: number;
  /** The failing command as written in the config, for container tasks. */
  command?: string;
  /** HTTP status of the last attempt, for webhook tasks. */
  httpStatus?: number;
  /** One sentence for a person: why the task failed, or a short summary of success. */
  reason?: string;
}

/** TaskContext carries everything an executor may use besides its own spec. */
export interface TaskContext {
  /** Identifies the run; engine objects are labelled with it so cleanup can find them. */
  runId: string;
  /** The config file name the task belongs to, for labels and log prefixes. */
  pipeline: string;
  /** Position of the task in the pipeline's `do` list, from 0. */
  taskIndex: number;
  log: LogSink;
  /** Aborted on cancellation; executors stop promptly and report `cancelled`. */
  signal: AbortSignal;
  /** Maximum duration of the task in milliseconds; past it the executor reports `timeout`. */
  timeoutMs: number;
  /** The repository tree at the event's revision, mounted at `/workspace` for container tasks. */
  workspaceDir?: string;
  data: TemplateData;
}

/**
 * TaskExecutor runs one kind of task. `run` must not throw for a task that
 * fails on its own terms (non-zero exit, HTTP error, timeout, cancel): those
 * are results. It throws only when the runner itself is broken. Before it
 * returns it has released everything it created, whatever the outcome.
 */
export interface TaskExecutor<Spec> {
  readonly kind: string;
  run(spec: Spec, context: TaskContext): Promise<TaskResult>;
}
