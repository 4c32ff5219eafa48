import { randomUUID } from "node:crypto";
import { promisify } from "node:util";
import { gunzip, gzip } from "node:zlib";
import type { EventType } from "../config/event.js";
import type { Database, SqlExecutor } from "../store/database.js";
import type { BookmarkEvent } from "../store/records.js";
import type {
  LogLineView,
  PipelineDetail,
  PipelineSummary,
  RunDetail,
  RunFilter,
  RunStatus,
  RunSummary,
  TaskDetail,
  TaskStatusView,
} from "../web/model.js";
import type { RunHistoryReader } from "../web/run-history.js";

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** PIPELINE_LOG is the task index under which a pipeline's own lines are stored. */
export const PIPELINE_LOG = -1;

const RUN_COLUMNS =
  "id, repository_id, event, bookmark, revision_id, previous_revision_id, actor_id, status, reason, created_at, started_at, finished_at, lease_owner, lease_expires_at, token_id, cancel_requested";

interface RunRow {
  id: string;
  repository_id: number;
  event: EventType;
  bookmark: string;
  revision_id: string;
  previous_revision_id: string | null;
  actor_id: number | null;
  status: RunStatus;
  reason: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  lease_owner: string | null;
  lease_expires_at: number | null;
  token_id: number | null;
  cancel_requested: number;
}

interface PipelineRow {
  run_id: string;
  idx: number;
  file: string;
  pattern: string | null;
  status: RunStatus;
  reason: string | null;
  warnings: string;
  started_at: number | null;
  finished_at: number | null;
}

interface TaskRow {
  run_id: string;
  pipeline_idx: number;
  idx: number;
  type: "webhook" | "container";
  name: string;
  status: TaskStatusView;
  exit_code: number | null;
  http_status: number | null;
  reason: string | null;
  started_at: number | null;
  finished_at: number | null;
  dropped_lines: number;
}

interface LineRow {
  num: number;
  stream: LogLineView["stream"];
  text: string;
  time: number;
}

/** QueuedRun is a run as a worker claims it: the event to run and who holds the lease. */
export interface QueuedRun {
  id: string;
  repositoryId: number;
  event: EventType;
  bookmark: string;
  revisionId: string;
  previousRevisionId: string | null;
  actorId: number | null;
  createdAt: number;
  startedAt: number;
  leaseOwner: string;
}

/** RunRecord is a run with the columns the API shows besides its pipelines. */
export interface RunRecord extends RunSummary {
  repositoryId: number;
  reason: string | null;
  previousRevisionId: string | null;
}

/** NewPipeline is a pipeline row written when a run starts, with its tasks. */
export interface NewPipeline {
  index: number;
  file: string;
  pattern: string | null;
  status: RunStatus;
  reason: string | null;
  warnings: string[];
  tasks: Array<{ index: number; type: "webhook" | "container"; name: string }>;
}

/** StoredLine is one log line with its position in its log, from 1. */
export interface StoredLine extends LogLineView {
  number: number;
}

/** LogRef names one log: a task's, or a pipeline's own when `task` is PIPELINE_LOG. */
export interface LogRef {
  runId: string;
  pipeline: number;
  task: number;
}

/** RunListFilter narrows `listRuns`; unset fields match everything. */
export interface RunListFilter {
  status?: RunStatus;
  bookmark?: string;
}

/** InterruptedRun is a run that `interruptStale` marked `interrupted`. */
export interface InterruptedRun {
  id: string;
  tokenId: number | null;
}

/**
 * RunStore keeps the CI queue and run history in the store's database:
 * runs, their pipelines and tasks, and logs. Every statement is written for
 * both SQLite and PostgreSQL; the one that differs is the claim, which uses
 * `FOR UPDATE SKIP LOCKED` on PostgreSQL so two servers never take the same
 * run. It implements the web UI's RunHistoryReader.
 */
export class RunStore implements RunHistoryReader {
  constructor(readonly db: Database) {}

  // Queue

  /** Records a bookmark event as a queued run, inside the bookmark's transaction. */
  async enqueue(tx: SqlExecutor, event: BookmarkEvent): Promise<string> {
    const id = randomUUID();
    await tx.execute(
      `INSERT INTO ci_runs (id, repository_id, event, bookmark, revision_id, previous_revision_id, actor_id, status, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'queued', $8)`,
      [
        id,
        event.repository.id,
        event.type,
        event.bookmark,
        event.revision.id,
        event.previousRevisionId,
        event.actor?.id ?? null,
        event.at,
      ],
    );
    return id;
  }

  /** Takes the oldest queued run for `owner` with a lease until `now + leaseMs`; undefined when none waits. */
  async claim(owner: string, leaseMs: number, now = Date.now()): Promise<QueuedRun | undefined> {
    const lock = this.db.dialect === "postgres" ? " FOR UPDATE SKIP LOCKED" : "";
    const rows = await this.db.query<RunRow>(
      `UPDATE ci_runs SET status = 'running', lease_owner = $1, lease_expires_at = $2, started_at = $3
       WHERE id = (SELECT id FROM ci_runs WHERE status = 'queued' ORDER BY seq LIMIT 1${lock})
         AND status = 'queued'
       RETURNING ${RUN_COLUMNS}`,
      [owner, now + leaseMs, now],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      id: row.id,
      repositoryId: row.repository_id,
      event: row.event,
      bookmark: row.bookmark,
      revisionId: row.revision_id,
      previousRevisionId: row.previous_revision_id,
      actorId: row.actor_id,
      createdAt: row.created_at,
      startedAt: row.started_at ?? now,
      leaseOwner: owner,
    };
  }

  /**
   * Extends the leases of `owner` on `runIds`. Returns the runs whose lease
   * it lost (another server declared them interrupted) and the
   * cancellations requested for the rest, so the worker can act on both.
   */
  async heartbeat(
    owner: string,
    runIds: readonly string[],
    leaseMs: number,
    now = Date.now(),
  ): Promise<{ lost: string[]; cancelRuns: string[]; cancelPipelines: LogRef[] }> {
    const result = {
      lost: [] as string[],
      cancelRuns: [] as string[],
      cancelPipelines: [] as LogRef[],
    };
    for (const runId of runIds) {
      const changed = await this.db.execute(
        "UPDATE ci_runs SET lease_expires_at = $1 WHERE id = $2 AND lease_owner = $3 AND status = 'running'",
        [now + leaseMs, runId, owner],
      );
      if (changed === 0) {
        result.lost.push(runId);
        continue;
      }
      const rows = await this.db.query<{ cancel_requested: number }>(
        "SELECT cancel_requested FROM ci_runs WHERE id = $1",
        [runId],
      );
      if (rows[0]?.cancel_requested) result.cancelRuns.push(runId);
      const pipelines = await this.db.query<{ idx: number }>(
        "SELECT idx FROM ci_pipelines WHERE run_id = $1 AND cancel_requested = 1 AND status IN ('queued', 'running')",
        [runId],
      );
      for (const pipeline of pipelines)
        result.cancelPipelines.push({ runId, pipeline: pipeline.idx, task: PIPELINE_LOG });
    }
    return result;
  }

  /** Records the CI token minted for a run, so its expiry can follow the run's end. */
  async setRunToken(runId: string, tokenId: number): Promise<void> {
    await this.db.execute("UPDATE ci_runs SET token_id = $1 WHERE id = $2", [tokenId, runId]);
  }

  /**
   * Writes the pipelines and tasks of a run that just started, while
   * `owner` still holds its lease. Returns false, writing nothing, when the
   * run was taken over. On PostgreSQL the run row stays share-locked until
   * the rows are in, so a concurrent `interruptStale` waits and then marks
   * them too.
   */
  async addPipelines(
    runId: string,
    owner: string,
    pipelines: readonly NewPipeline[],
  ): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const lock = this.db.dialect === "postgres" ? " FOR SHARE" : "";
      const leased = await tx.query(
        `SELECT id FROM ci_runs WHERE id = $1 AND lease_owner = $2 AND status = 'running'${lock}`,
        [runId, owner],
      );
      if (leased.length === 0) return false;
      for (const pipeline of pipelines) {
        await tx.execute(
          `INSERT INTO ci_pipelines (run_id, idx, file, pattern, status, reason, warnings)
           VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [
            runId,
            pipeline.index,
            pipeline.file,
            pipeline.pattern,
            pipeline.status,
            pipeline.reason,
            JSON.stringify(pipeline.warnings),
          ],
        );
        for (const task of pipeline.tasks) {
          await tx.execute(
            `INSERT INTO ci_tasks (run_id, pipeline_idx, idx, type, name, status)
             VALUES ($1, $2, $3, $4, $5, 'pending')`,
            [runId, pipeline.index, task.index, task.type, task.name],
          );
        }
      }
      return true;
    });
  }

  /**
   * Updates a pipeline while `owner` holds the run's lease, in one
   * statement, so a worker whose run was interrupted by another server
   * cannot overwrite the `interrupted` status. Returns false when nothing
   * was written.
   */
  async updatePipeline(
    runId: string,
    owner: string,
    index: number,
    fields: {
      status: RunStatus;
      reason: string | null;
      startedAt: number | null;
      finishedAt: number | null;
    },
  ): Promise<boolean> {
    const changed = await this.db.execute(
      `UPDATE ci_pipelines SET status = $1, reason = $2, started_at = $3, finished_at = $4
       WHERE run_id = $5 AND idx = $6 AND ${leaseHeld("$5", "$7")}`,
      [fields.status, fields.reason, fields.startedAt, fields.finishedAt, runId, index, owner],
    );
    return changed > 0;
  }

  /** Updates a task while `owner` holds the run's lease, like `updatePipeline`. */
  async updateTask(
    runId: string,
    owner: string,
    pipeline: number,
    index: number,
    fields: Omit<TaskDetail, "index" | "type" | "name" | "log">,
  ): Promise<boolean> {
    const changed = await this.db.execute(
      `UPDATE ci_tasks SET status = $1, exit_code = $2, http_status = $3, reason = $4, started_at = $5,
         finished_at = $6, dropped_lines = $7
       WHERE run_id = $8 AND pipeline_idx = $9 AND idx = $10 AND ${leaseHeld("$8", "$11")}`,
      [
        fields.status,
        fields.exitCode,
        fields.httpStatus,
        fields.reason,
        fields.startedAt,
        fields.finishedAt,
        fields.droppedLogLines,
        runId,
        pipeline,
        index,
        owner,
      ],
    );
    return changed > 0;
  }

  /**
   * Appends live log lines; each carries its log and its number within it.
   * A line is stored only while `owner` holds its run's lease, checked in
   * the same statement that inserts it.
   */
  async appendLines(owner: string, lines: ReadonlyArray<LogRef & StoredLine>): Promise<void> {
    const CHUNK = 200;
    for (let start = 0; start < lines.length; start += CHUNK) {
      const chunk = lines.slice(start, start + CHUNK);
      const values: unknown[] = [owner];
      const tuples = chunk.map((line, index) => {
        const base = 1 + index * 7;
        values.push(
          line.runId,
          line.pipeline,
          line.task,
          line.number,
          line.stream,
          line.text,
          line.time,
        );
        // The casts give PostgreSQL the column types, which a VALUES list
        // used as a subquery does not take from the INSERT target.
        return `(CAST($${base + 1} AS TEXT), CAST($${base + 2} AS INTEGER), CAST($${base + 3} AS INTEGER), CAST($${base + 4} AS INTEGER), CAST($${base + 5} AS TEXT), CAST($${base + 6} AS TEXT), CAST($${base + 7} AS BIGINT))`;
      });
      // SQLite and PostgreSQL both name the columns of a VALUES list column1, column2, ...
      await this.db.execute(
        `INSERT INTO ci_log_lines (run_id, pipeline_idx, task_idx, num, stream, text, time)
         SELECT v.column1, v.column2, v.column3, v.column4, v.column5, v.column6, v.column7
         FROM (VALUES ${tuples.join(", ")}) AS v
         WHERE ${leaseHeld("v.column1", "$1")}`,
        values,
      );
    }
  }

  /**
   * Packs the live lines of one finished log into a gzip blob and deletes
   * them, in one transaction, so a reader sees either the lines or the blob.
   * With `owner`, both writes happen only while that owner holds the run's
   * lease, so a stale worker leaves a log that another server packed alone.
   */
  async packLog(ref: LogRef, owner?: string): Promise<void> {
    const lines = await this.liveLines(this.db, ref, 0);
    const content = await gzipAsync(Buffer.from(lines.map(lineJson).join("\n"), "utf8"));
    const leased = owner === undefined ? "" : ` AND ${leaseHeld("$1", "$6")}`;
    const ownerParam = owner === undefined ? [] : [owner];
    await this.db.transaction(async (tx) => {
      // SQLite needs the WHERE clause to read ON CONFLICT as part of the INSERT.
      await tx.execute(
        `INSERT INTO ci_logs (run_id, pipeline_idx, task_idx, line_count, content)
         SELECT $1, $2, $3, $4, $5 WHERE 1 = 1${leased}
         ON CONFLICT (run_id, pipeline_idx, task_idx) DO NOTHING`,
        [ref.runId, ref.pipeline, ref.task, lines.length, content, ...ownerParam],
      );
      await tx.execute(
        `DELETE FROM ci_log_lines WHERE run_id = $1 AND pipeline_idx = $2 AND task_idx = $3${owner === undefined ? "" : ` AND ${leaseHeld("$1", "$4")}`}`,
        [ref.runId, ref.pipeline, ref.task, ...ownerParam],
      );
    });
  }

  /**
   * Packs every log of a run that still has live lines; used when a run
   * ends or is interrupted. With `owner`, only while that owner holds the
   * run's lease, as in `packLog`.
   */
  async packRunLogs(runId: string, owner?: string): Promise<void> {
    const refs = await this.db.query<{ pipeline_idx: number; task_idx: number }>(
      "SELECT DISTINCT pipeline_idx, task_idx FROM ci_log_lines WHERE run_id = $1",
      [runId],
    );
    for (const ref of refs)
      await this.packLog({ runId, pipeline: ref.pipeline_idx, task: ref.task_idx }, owner);
  }

  /** Marks a run finished; only the lease holder may, so a run declared interrupted stays so. */
  async finishRun(
    runId: string,
    owner: string,
    status: RunStatus,
    reason: string | null,
    now = Date.now(),
  ): Promise<boolean> {
    const changed = await this.db.execute(
      `UPDATE ci_runs SET status = $1, reason = $2, finished_at = $3, lease_owner = NULL, lease_expires_at = NULL
       WHERE id = $4 AND lease_owner = $5 AND status = 'running'`,
      [status, reason, now, runId, owner],
    );
    return changed > 0;
  }

  /**
   * Requests cancellation of a run, or of one pipeline of it. A queued run
   * is cancelled at once. A running one is flagged for the worker owning
   * its lease, which reads the flag at its next heartbeat (or acts at once
   * when the run executes in this process). Returns false when nothing was
   * active.
   */
  async requestCancel(runId: string, pipeline?: number, now = Date.now()): Promise<boolean> {
    const run = await this.getRunRow(runId);
    if (!run) return false;
    if (run.status === "queued" && pipeline === undefined) {
      const changed = await this.db.execute(
        "UPDATE ci_runs SET status = 'cancelled', reason = $1, finished_at = $2 WHERE id = $3 AND status = 'queued'",
        ["cancelled before it started", now, runId],
      );
      if (changed > 0) return true;
    }
    if (pipeline === undefined) {
      const changed = await this.db.execute(
        "UPDATE ci_runs SET cancel_requested = 1 WHERE id = $1 AND status IN ('queued', 'running')",
        [runId],
      );
      return changed > 0;
    }
    const changed = await this.db.execute(
      "UPDATE ci_pipelines SET cancel_requested = 1 WHERE run_id = $1 AND idx = $2 AND status IN ('queued', 'running')",
      [runId, pipeline],
    );
    return changed > 0;
  }

  /**
   * Marks `running` runs whose worker is gone as `interrupted`: those whose
   * lease owner `isGone` reports dead, and those whose lease expired. Their
   * unfinished pipelines and tasks become `interrupted` (tasks that never
   * started, `skipped`) and their live logs are packed. Returns the runs
   * marked, for the caller to sweep their engine objects.
   */
  async interruptStale(
    isGone: (owner: string) => boolean,
    now = Date.now(),
  ): Promise<InterruptedRun[]> {
    const rows = await this.db.query<RunRow>(
      `SELECT ${RUN_COLUMNS} FROM ci_runs WHERE status = 'running'`,
    );
    const interrupted: InterruptedRun[] = [];
    for (const row of rows) {
      const expired = row.lease_expires_at === null || row.lease_expires_at < now;
      if (!expired && !(row.lease_owner !== null && isGone(row.lease_owner))) continue;
      const reason = "the server running it stopped before it finished";
      const marked = await this.db.transaction(async (tx) => {
        const changed = await tx.execute(
          `UPDATE ci_runs SET status = 'interrupted', reason = $1, finished_at = $2, lease_owner = NULL, lease_expires_at = NULL
           WHERE id = $3 AND status = 'running' AND lease_owner IS NOT DISTINCT FROM $4`,
          [reason, now, row.id, row.lease_owner],
        );
        if (changed === 0) return false;
        await tx.execute(
          `UPDATE ci_pipelines SET status = 'interrupted', reason = $1, finished_at = $2
           WHERE run_id = $3 AND status IN ('queued', 'running')`,
          [reason, now, row.id],
        );
        await tx.execute(
          `UPDATE ci_tasks SET status = 'interrupted', reason = $1, finished_at = $2
           WHERE run_id = $3 AND status = 'running'`,
          [reason, now, row.id],
        );
        await tx.execute(
          "UPDATE ci_tasks SET status = 'skipped', reason = $1 WHERE run_id = $2 AND status = 'pending'",
          ["skipped because the run was interrupted", row.id],
        );
        return true;
      });
      if (!marked) continue;
      await this.packRunLogs(row.id);
      interrupted.push({ id: row.id, tokenId: row.token_id });
    }
    return interrupted;
  }

  /** Deletes runs that finished before `before`, with their pipelines, tasks and logs. Returns how many. */
  async pruneFinished(before: number): Promise<number> {
    return this.db.execute(
      "DELETE FROM ci_runs WHERE finished_at IS NOT NULL AND finished_at < $1 AND status NOT IN ('queued', 'running')",
      [before],
    );
  }

  /** Returns the revision ids that queued or running runs still need. */
  async activeRevisions(): Promise<Set<string>> {
    const rows = await this.db.query<{ revision_id: string }>(
      "SELECT DISTINCT revision_id FROM ci_runs WHERE status IN ('queued', 'running')",
    );
    return new Set(rows.map((row) => row.revision_id));
  }

  // Reads

  async getRunRecord(repositoryId: number, runId: string): Promise<RunRecord | undefined> {
    const row = await this.getRunRow(runId);
    if (!row || row.repository_id !== repositoryId) return undefined;
    return toRecord(row);
  }

  /** Lists a repository's runs newest first, `offset` rows in, with the total matching the filter. */
  async listRuns(
    repositoryId: number,
    filter: RunListFilter,
    offset: number,
    limit: number,
  ): Promise<{ runs: RunRecord[]; total: number }> {
    const conditions = ["repository_id = $1"];
    const params: unknown[] = [repositoryId];
    if (filter.status !== undefined) {
      params.push(filter.status);
      conditions.push(`status = $${params.length}`);
    }
    if (filter.bookmark !== undefined) {
      params.push(filter.bookmark);
      conditions.push(`bookmark = $${params.length}`);
    }
    const where = conditions.join(" AND ");
    const count = await this.db.query<{ n: number }>(
      `SELECT COUNT(*) AS n FROM ci_runs WHERE ${where}`,
      params,
    );
    const rows = await this.db.query<RunRow>(
      `SELECT ${RUN_COLUMNS} FROM ci_runs WHERE ${where} ORDER BY seq DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, rowCount(limit), rowCount(offset)],
    );
    return { runs: rows.map(toRecord), total: Number(count[0]?.n ?? 0) };
  }

  async latestRuns(
    repositoryId: number,
    bookmarks: readonly string[],
  ): Promise<Map<string, RunSummary>> {
    const latest = new Map<string, RunSummary>();
    for (const bookmark of new Set(bookmarks)) {
      const rows = await this.db.query<RunRow>(
        `SELECT ${RUN_COLUMNS} FROM ci_runs WHERE repository_id = $1 AND bookmark = $2 ORDER BY seq DESC LIMIT 1`,
        [repositoryId, bookmark],
      );
      if (rows[0]) latest.set(bookmark, toSummary(rows[0]));
    }
    return latest;
  }

  async listPipelines(
    repositoryId: number,
    filter: RunFilter,
    offset: number,
    limit: number,
  ): Promise<{ pipelines: PipelineSummary[]; total: number }> {
    const conditions = ["r.repository_id = $1"];
    const params: unknown[] = [repositoryId];
    if (filter.status !== undefined) {
      params.push(filter.status);
      conditions.push(`p.status = $${params.length}`);
    }
    if (filter.bookmark !== undefined) {
      params.push(filter.bookmark);
      conditions.push(`r.bookmark = $${params.length}`);
    }
    const where = conditions.join(" AND ");
    const from = "FROM ci_pipelines p JOIN ci_runs r ON r.id = p.run_id";
    const count = await this.db.query<{ n: number }>(
      `SELECT COUNT(*) AS n ${from} WHERE ${where}`,
      params,
    );
    const rows = await this.db.query<
      PipelineRow & { event: EventType; bookmark: string; created_at: number }
    >(
      `SELECT p.run_id, p.idx, p.file, p.pattern, p.status, p.started_at, p.finished_at, r.event, r.bookmark, r.created_at
       ${from} WHERE ${where} ORDER BY r.seq DESC, p.idx LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, rowCount(limit), rowCount(offset)],
    );
    return {
      pipelines: rows.map((row) => ({
        runId: row.run_id,
        index: row.idx,
        file: row.file,
        event: row.event,
        bookmark: row.bookmark,
        pattern: row.pattern,
        status: row.status,
        createdAt: row.created_at,
        startedAt: row.started_at,
        finishedAt: row.finished_at,
      })),
      total: Number(count[0]?.n ?? 0),
    };
  }

  /** Returns a run with its pipelines, tasks and every log, as the web pages show it. */
  async getRun(repositoryId: number, runId: string): Promise<RunDetail | undefined> {
    return this.getRunDetail(repositoryId, runId, { logs: true });
  }

  /** Returns a run with its pipelines and tasks; logs only when `logs` is set. */
  async getRunDetail(
    repositoryId: number,
    runId: string,
    options: { logs: boolean },
  ): Promise<(RunDetail & { reason: string | null }) | undefined> {
    const row = await this.getRunRow(runId);
    if (!row || row.repository_id !== repositoryId) return undefined;
    const pipelineRows = await this.db.query<PipelineRow>(
      "SELECT run_id, idx, file, pattern, status, reason, warnings, started_at, finished_at FROM ci_pipelines WHERE run_id = $1 ORDER BY idx",
      [runId],
    );
    const taskRows = await this.db.query<TaskRow>(
      `SELECT run_id, pipeline_idx, idx, type, name, status, exit_code, http_status, reason, started_at, finished_at, dropped_lines
       FROM ci_tasks WHERE run_id = $1 ORDER BY pipeline_idx, idx`,
      [runId],
    );
    const pipelines: PipelineDetail[] = [];
    for (const pipelineRow of pipelineRows) {
      const tasks: TaskDetail[] = [];
      for (const taskRow of taskRows.filter((task) => task.pipeline_idx === pipelineRow.idx)) {
        const log = options.logs
          ? (await this.readLog({ runId, pipeline: pipelineRow.idx, task: taskRow.idx }, 0)).lines
          : [];
        tasks.push({
          index: taskRow.idx,
          type: taskRow.type,
          name: taskRow.name,
          status: taskRow.status,
          exitCode: taskRow.exit_code,
          httpStatus: taskRow.http_status,
          reason: taskRow.reason,
          startedAt: taskRow.started_at,
          finishedAt: taskRow.finished_at,
          log: log.map(withoutNumber),
          droppedLogLines: taskRow.dropped_lines,
        });
      }
      const log = options.logs
        ? (await this.readLog({ runId, pipeline: pipelineRow.idx, task: PIPELINE_LOG }, 0)).lines
        : [];
      pipelines.push({
        index: pipelineRow.idx,
        file: pipelineRow.file,
        pattern: pipelineRow.pattern,
        status: pipelineRow.status,
        reason: pipelineRow.reason,
        warnings: JSON.parse(pipelineRow.warnings) as string[],
        startedAt: pipelineRow.started_at,
        finishedAt: pipelineRow.finished_at,
        log: log.map(withoutNumber),
        tasks,
      });
    }
    return { ...toSummary(row), reason: row.reason, pipelines };
  }

  /**
   * Returns the lines of one log after line number `after`, and whether the
   * log is complete: packed, or belonging to a task or pipeline that has
   * ended. A log that was never written reads as empty. With `limit`, at
   * most that many lines are returned.
   */
  async readLog(
    ref: LogRef,
    after: number,
    limit?: number,
  ): Promise<{ lines: StoredLine[]; complete: boolean }> {
    const packed = await this.db.query<{ content: Buffer | Uint8Array }>(
      "SELECT content FROM ci_logs WHERE run_id = $1 AND pipeline_idx = $2 AND task_idx = $3",
      [ref.runId, ref.pipeline, ref.task],
    );
    if (packed[0]) {
      const text = (await gunzipAsync(Buffer.from(packed[0].content))).toString("utf8");
      const lines = text === "" ? [] : text.split("\n").map(parseLineJson);
      const later = lines.filter((line) => line.number > after);
      return { lines: limit === undefined ? later : later.slice(0, limit), complete: true };
    }
    const lines = await this.liveLines(this.db, ref, after, limit);
    return { lines, complete: false };
  }

  /** Returns how many pipelines a run has; none until its worker has planned them. */
  async countPipelines(runId: string): Promise<number> {
    const rows = await this.db.query<{ n: number }>(
      "SELECT COUNT(*) AS n FROM ci_pipelines WHERE run_id = $1",
      [runId],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** Returns the status of a task, or of a pipeline when `ref.task` is PIPELINE_LOG. */
  async logOwnerStatus(ref: LogRef): Promise<TaskStatusView | RunStatus | undefined> {
    if (ref.task === PIPELINE_LOG) {
      const rows = await this.db.query<{ status: RunStatus }>(
        "SELECT status FROM ci_pipelines WHERE run_id = $1 AND idx = $2",
        [ref.runId, ref.pipeline],
      );
      return rows[0]?.status;
    }
    const rows = await this.db.query<{ status: TaskStatusView }>(
      "SELECT status FROM ci_tasks WHERE run_id = $1 AND pipeline_idx = $2 AND idx = $3",
      [ref.runId, ref.pipeline, ref.task],
    );
    return rows[0]?.status;
  }

  async getRunRow(runId: string): Promise<RunRow | undefined> {
    const rows = await this.db.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM ci_runs WHERE id = $1`, [
      runId,
    ]);
    return rows[0];
  }

  private async liveLines(
    exec: SqlExecutor,
    ref: LogRef,
    after: number,
    limit?: number,
  ): Promise<StoredLine[]> {
    const rows = await exec.query<LineRow>(
      `SELECT num, stream, text, time FROM ci_log_lines
       WHERE run_id = $1 AND pipeline_idx = $2 AND task_idx = $3 AND num > $4 ORDER BY num
       ${limit === undefined ? "" : "LIMIT $5"}`,
      [
        ref.runId,
        ref.pipeline,
        ref.task,
        rowCount(after),
        ...(limit === undefined ? [] : [rowCount(limit)]),
      ],
    );
    return rows.map((row) => ({
      number: row.num,
      stream: row.stream,
      text: row.text,
      time: row.time,
    }));
  }
}

/**
 * Returns an SQL condition that holds while the owner in parameter
 * `ownerParam` leases the running run whose id is `runId` (a parameter or
 * a column).
 */
function leaseHeld(runId: string, ownerParam: string): string {
  return `EXISTS (SELECT 1 FROM ci_runs lease WHERE lease.id = ${runId} AND lease.lease_owner = ${ownerParam} AND lease.status = 'running')`;
}

function toSummary(row: RunRow): RunSummary {
  return {
    id: row.id,
    event: row.event,
    bookmark: row.bookmark,
    revisionId: row.revision_id,
    status: row.status,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

function toRecord(row: RunRow): RunRecord {
  return {
    ...toSummary(row),
    repositoryId: row.repository_id,
    reason: row.reason,
    previousRevisionId: row.previous_revision_id,
  };
}

function lineJson(line: StoredLine): string {
  return JSON.stringify([line.number, line.stream, line.time, line.text]);
}

function parseLineJson(text: string): StoredLine {
  const [number, stream, time, lineText] = JSON.parse(text) as [
    number,
    LogLineView["stream"],
    number,
    string,
  ];
  return { number, stream, time, text: lineText };
}

function withoutNumber(line: StoredLine): LogLineView {
  return { stream: line.stream, text: line.text, time: line.time };
}

/**
 * Clamps a LIMIT or OFFSET to a whole number the databases accept, because
 * a huge page number makes an offset past 64-bit integers, which SQLite
 * rejects as a datatype mismatch.
 */
function rowCount(value: number): number {
  if (!Number.isFinite(value) || value <= 0) return 0;
  return Math.min(Math.floor(value), Number.MAX_SAFE_INTEGER);
}
