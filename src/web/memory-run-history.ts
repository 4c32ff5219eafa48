import type { EventType } from "../config/event.js";
import {
  isActive,
  type LogLineView,
  type PipelineDetail,
  type PipelineSummary,
  type RunDetail,
  type RunFilter,
  type RunStatus,
  type RunSummary,
  type TaskDetail,
  type TaskStatusView,
} from "./model.js";
import type { RunControl, RunHistoryReader, RunUpdate } from "./run-history.js";

interface StoredRun {
  repositoryId: number;
  detail: RunDetail;
  /** Cancels the run or one pipeline of it, as the caller of `addRun` decides. */
  onCancel?: (pipeline: number | undefined) => void;
}

/**
 * MemoryRunHistory keeps runs in memory and lets a caller drive them: add a
 * run, append log lines, change statuses. Every change reaches watchers as
 * a RunUpdate. Tests, the browser tests and the benchmark use it to stand in
 * for the server's run store.
 */
export class MemoryRunHistory implements RunHistoryReader, RunControl {
  private readonly runs = new Map<string, StoredRun>();
  /** Runs in the order added, so the newest is last. */
  private readonly order: StoredRun[] = [];
  private readonly watchers = new Map<string, Set<(update: RunUpdate) => void>>();

  addRun(
    repositoryId: number,
    detail: RunDetail,
    onCancel?: (pipeline: number | undefined) => void,
  ): void {
    const stored = { repositoryId, detail, onCancel };
    this.runs.set(detail.id, stored);
    this.order.push(stored);
  }

  async latestRuns(
    repositoryId: number,
    bookmarks: readonly string[],
  ): Promise<Map<string, RunSummary>> {
    const wanted = new Set(bookmarks);
    const latest = new Map<string, RunSummary>();
    for (let index = this.order.length - 1; index >= 0 && latest.size < wanted.size; index--) {
      const { repositoryId: owner, detail } = this.order[index]!;
      if (owner !== repositoryId || !wanted.has(detail.bookmark) || latest.has(detail.bookmark))
        continue;
      latest.set(detail.bookmark, summaryOf(detail));
    }
    return latest;
  }

  async listPipelines(
    repositoryId: number,
    filter: RunFilter,
    offset: number,
    limit: number,
  ): Promise<{ pipelines: PipelineSummary[]; total: number }> {
    const pipelines: PipelineSummary[] = [];
    let total = 0;
    for (let index = this.order.length - 1; index >= 0; index--) {
      const { repositoryId: owner, detail } = this.order[index]!;
      if (owner !== repositoryId) continue;
      if (filter.bookmark !== undefined && detail.bookmark !== filter.bookmark) continue;
      for (const pipeline of detail.pipelines) {
        if (filter.status !== undefined && pipeline.status !== filter.status) continue;
        if (total >= offset && pipelines.length < limit) {
          pipelines.push({
            runId: detail.id,
            index: pipeline.index,
            file: pipeline.file,
            event: detail.event,
            bookmark: detail.bookmark,
            pattern: pipeline.pattern,
            status: pipeline.status,
            createdAt: detail.createdAt,
            startedAt: pipeline.startedAt,
            finishedAt: pipeline.finishedAt,
          });
        }
        total++;
      }
    }
    return { pipelines, total };
  }

  async getRun(repositoryId: number, runId: string): Promise<RunDetail | undefined> {
    const stored = this.runs.get(runId);
    if (!stored || stored.repositoryId !== repositoryId) return undefined;
    return structuredClone(stored.detail);
  }

  watch(runId: string, listener: (update: RunUpdate) => void): () => void {
    let set = this.watchers.get(runId);
    if (!set) {
      set = new Set();
      this.watchers.set(runId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.watchers.delete(runId);
    };
  }

  async cancel(repositoryId: number, runId: string, pipeline?: number): Promise<boolean> {
    const stored = this.runs.get(runId);
    if (!stored || stored.repositoryId !== repositoryId || !isActive(stored.detail.status))
      return false;
    if (stored.onCancel) stored.onCancel(pipeline);
    else this.finishCancelled(runId, pipeline);
    return true;
  }

  /** Appends a log line to a task (or to the pipeline itself when `task` is undefined). */
  appendLog(runId: string, pipeline: number, task: number | undefined, line: LogLineView): void {
    const target = this.pipelineOf(runId, pipeline);
    const log = task === undefined ? target.log : target.tasks[task]!.log;
    log.push(line);
    this.emit(runId, { kind: "log", pipeline, task, number: log.length, line });
  }

  setTask(
    runId: string,
    pipeline: number,
    task: number,
    change: Partial<Omit<TaskDetail, "index" | "log">> & { status: TaskStatusView },
  ): void {
    const target = this.pipelineOf(runId, pipeline).tasks[task]!;
    Object.assign(target, change);
    this.emit(runId, {
      kind: "task",
      pipeline,
      task,
      status: target.status,
      exitCode: target.exitCode,
      httpStatus: target.httpStatus,
      reason: target.reason,
      startedAt: target.startedAt,
      finishedAt: target.finishedAt,
    });
  }

  setPipeline(
    runId: string,
    pipeline: number,
    change: Partial<Omit<PipelineDetail, "index" | "tasks" | "log">> & { status: RunStatus },
  ): void {
    const target = this.pipelineOf(runId, pipeline);
    Object.assign(target, change);
    this.emit(runId, {
      kind: "pipeline",
      pipeline,
      status: target.status,
      reason: target.reason,
      startedAt: target.startedAt,
      finishedAt: target.finishedAt,
    });
  }

  setRun(runId: string, status: RunStatus, finishedAt: number | null = null): void {
    const detail = this.runs.get(runId)!.detail;
    detail.status = status;
    detail.finishedAt = finishedAt;
    this.emit(runId, { kind: "run", status, finishedAt });
  }

  /** Marks the pipeline (or every pipeline) and its unfinished tasks cancelled, then the run. */
  finishCancelled(runId: string, pipeline?: number, at = Date.now()): void {
    const detail = this.runs.get(runId)!.detail;
    for (const target of detail.pipelines) {
      if (pipeline !== undefined && target.index !== pipeline) continue;
      if (!isActive(target.status)) continue;
      for (const task of target.tasks) {
        if (task.status === "running") {
          this.setTask(runId, target.index, task.index, {
            status: "cancelled",
            reason: "cancelled from the web UI",
            finishedAt: at,
          });
        } else if (task.status === "pending") {
          this.setTask(runId, target.index, task.index, { status: "skipped" });
        }
      }
      this.setPipeline(runId, target.index, {
        status: "cancelled",
        reason: "cancelled from the web UI",
        finishedAt: at,
      });
    }
    if (detail.pipelines.every((target) => !isActive(target.status))) {
      const failed = detail.pipelines.some((target) => target.status === "failed");
      this.setRun(runId, failed ? "failed" : "cancelled", at);
    }
  }

  private pipelineOf(runId: string, pipeline: number): PipelineDetail {
    return this.runs.get(runId)!.detail.pipelines[pipeline]!;
  }

  private emit(runId: string, update: RunUpdate): void {
    for (const listener of this.watchers.get(runId) ?? []) listener(update);
  }
}

function summaryOf(detail: RunDetail): RunSummary {
  return {
    id: detail.id,
    event: detail.event,
    bookmark: detail.bookmark,
    revisionId: detail.revisionId,
    status: detail.status,
    createdAt: detail.createdAt,
    startedAt: detail.startedAt,
    finishedAt: detail.finishedAt,
  };
}

/** Builds a RunDetail with defaults, for tests and seeding. */
export function runDetail(
  fields: Partial<RunDetail> & { id: string; bookmark: string; event?: EventType },
): RunDetail {
  return {
    event: "push",
    revisionId: "0".repeat(40),
    status: "success",
    createdAt: 0,
    startedAt: null,
    finishedAt: null,
    pipelines: [],
    ...fields,
  };
}
