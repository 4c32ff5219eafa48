import type {
  LogLineView,
  PipelineSummary,
  RunDetail,
  RunFilter,
  RunStatus,
  RunSummary,
  TaskStatusView,
} from "./model.js";

/**
 * RunHistoryReader is the read access to CI runs that the web pages use.
 * The server's run store implements it. Where CI is off, EMPTY_RUN_HISTORY
 * takes its place and the pages show no runs.
 */
export interface RunHistoryReader {
  /** Returns the newest run of each bookmark in `bookmarks` that has one. */
  latestRuns(repositoryId: number, bookmarks: readonly string[]): Promise<Map<string, RunSummary>>;
  /** Lists pipelines newest first, `offset` rows in, at most `limit` rows, with the matching total. */
  listPipelines(
    repositoryId: number,
    filter: RunFilter,
    offset: number,
    limit: number,
  ): Promise<{ pipelines: PipelineSummary[]; total: number }>;
  /** Returns one run with its pipelines, tasks and logs, or undefined when it is not in the repository. */
  getRun(repositoryId: number, runId: string): Promise<RunDetail | undefined>;
}

/**
 * RunUpdate is one change of a run while it is watched live. Indexes are
 * positions: `pipeline` in the run, `task` in the pipeline (undefined for a
 * pipeline's own log lines).
 */
export type RunUpdate =
  | {
      kind: "log";
      pipeline: number;
      task?: number;
      /** Position of the line in its log, from 1, so a watcher can tell a missed line. */
      number: number;
      line: LogLineView;
    }
  | {
      kind: "task";
      pipeline: number;
      task: number;
      status: TaskStatusView;
      exitCode: number | null;
      httpStatus: number | null;
      reason: string | null;
      startedAt: number | null;
      finishedAt: number | null;
    }
  | {
      kind: "pipeline";
      pipeline: number;
      status: RunStatus;
      reason: string | null;
      startedAt: number | null;
      finishedAt: number | null;
    }
  | { kind: "run"; status: RunStatus; finishedAt: number | null };

/**
 * RunControl is the live side of run history: watching a run and
 * cancelling it. Optional, because a server without CI has neither.
 */
export interface RunControl {
  /**
   * Calls `listener` with every update of run `runId` from now on, until the
   * returned function is called. Updates of a run that already ended never come.
   */
  watch(runId: string, listener: (update: RunUpdate) => void): () => void;
  /**
   * Cancels pipeline `pipeline` of the run, or every pipeline when it is
   * undefined. Returns false when nothing was running.
   */
  cancel(repositoryId: number, runId: string, pipeline?: number): Promise<boolean>;
}

/** EMPTY_RUN_HISTORY has no runs at all. */
export const EMPTY_RUN_HISTORY: RunHistoryReader = {
  latestRuns: async () => new Map(),
  listPipelines: async () => ({ pipelines: [], total: 0 }),
  getRun: async () => undefined,
};
