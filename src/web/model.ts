import type { EventType } from "../config/event.js";

/**
 * The view models: what each page needs, already resolved from the store,
 * so pages are pure functions of them and data access is a thin adapter.
 * Times are milliseconds since the Unix epoch.
 */

/** RunStatus is the state of an event run or of one pipeline. */
export type RunStatus = "queued" | "running" | "success" | "failed" | "cancelled" | "interrupted";

/** TaskStatusView is the state of one task; tasks that never started are `pending` or `skipped`. */
export type TaskStatusView =
  | "pending"
  | "running"
  | "success"
  | "failed"
  | "timeout"
  | "cancelled"
  | "skipped"
  | "interrupted";

/** Viewer is the signed-in user a page is rendered for, if any. */
export interface Viewer {
  name: string;
  /** Token that POST forms carry, checked against the session. */
  csrfToken: string;
}

/** PageContext is what every page layout needs besides its own content. */
export interface PageContext {
  viewer?: Viewer;
  /** Query string appended to asset URLs, so a new build is fetched at once. */
  assetVersion: string;
}

export interface RepositorySummary {
  name: string;
  isPrivate: boolean;
  owner: string | null;
  createdAt: number;
}

/** PipelineSummary is one row of the runs list: one config file fired by one event. */
export interface PipelineSummary {
  runId: string;
  /** Position of the pipeline within its run, from 0. */
  index: number;
  file: string;
  event: EventType;
  bookmark: string;
  /** The bookmark pattern that matched; null for a config that failed to load before matching. */
  pattern: string | null;
  status: RunStatus;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

/** RunSummary is an event run as a whole: one bookmark change and the status of its pipelines. */
export interface RunSummary {
  id: string;
  event: EventType;
  bookmark: string;
  revisionId: string;
  status: RunStatus;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

/** LogLineView is one masked log line as stored; `text` may hold ANSI escape sequences. */
export interface LogLineView {
  stream: "stdout" | "stderr" | "info";
  text: string;
  time: number;
}

export interface TaskDetail {
  index: number;
  type: "webhook" | "container";
  /** A short label: `POST https://…` for a webhook, the image for a container. */
  name: string;
  status: TaskStatusView;
  exitCode: number | null;
  httpStatus: number | null;
  reason: string | null;
  startedAt: number | null;
  finishedAt: number | null;
  log: LogLineView[];
  /** Lines the runner left out of `log` because of its cap. */
  droppedLogLines: number;
}

export interface PipelineDetail {
  index: number;
  file: string;
  pattern: string | null;
  status: RunStatus;
  reason: string | null;
  warnings: string[];
  startedAt: number | null;
  finishedAt: number | null;
  /** Lines about the pipeline as a whole, such as a config's load error. */
  log: LogLineView[];
  tasks: TaskDetail[];
}

export interface RunDetail extends RunSummary {
  pipelines: PipelineDetail[];
}

export interface BookmarkRow {
  name: string;
  revisionId: string;
  updatedAt: number;
  /** Author and description of the revision the bookmark points to. */
  author: string;
  description: string;
  /** The newest run fired for this bookmark, if any. */
  latestRun: RunSummary | null;
}

export interface RepositoryPage {
  repository: RepositorySummary;
  bookmarks: BookmarkRow[];
  /** The server's public URL, for badge snippets to paste elsewhere. */
  publicUrl: string;
}

/** RunFilter narrows the runs list; unset fields match everything. */
export interface RunFilter {
  status?: RunStatus;
  bookmark?: string;
}

export interface RunsPage {
  repository: RepositorySummary;
  filter: RunFilter;
  pipelines: PipelineSummary[];
  /** Page number, from 1. */
  page: number;
  pageSize: number;
  /** Pipelines matching the filter, across all pages. */
  total: number;
}

export interface RunPage {
  repository: RepositorySummary;
  run: RunDetail;
  canCancel: boolean;
}

export const RUN_STATUSES: readonly RunStatus[] = [
  "queued",
  "running",
  "success",
  "failed",
  "cancelled",
  "interrupted",
];

/** Returns true while a run or pipeline may still change. */
export function isActive(status: RunStatus | TaskStatusView): boolean {
  return status === "queued" || status === "running" || status === "pending";
}
