/**
 * Web UI render time for a repository with 10,000 CI runs (20,000
 * pipelines, 30,000 tasks with packed logs) on SQLite. The runs are
 * written straight into the CI tables. Each page is requested with
 * Fastify's `inject` from `pogo serve`'s own app, so the time covers
 * routing, the session lookup, database reads and HTML rendering. The
 * baseline is `GET /healthz` through the same app, and the target is under
 * 100 ms per page.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import pino from "pino";
import type { RunStore } from "../src/ci/run-store.js";
import { startServer } from "../src/server/serve.js";
import type { SqlExecutor } from "../src/store/database.js";
import type { LogLineView, RunDetail } from "../src/web/model.js";
import { seedRepository } from "../test/support/web.js";
import { buildPipeline, historicRuns } from "../test/support/web-fixtures.js";

const RUNS = 10_000;
const LIVE_LOG_LINES = 2000;
const ROUNDS = 30;
const WARMUP_ROUNDS = 3;
const TARGET_MS = 100;
const gzipAsync = promisify(gzip);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function percentile95(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))]!;
}

/** Inserts `rows` into `table` in multi-row statements of at most 100 rows. */
async function insertRows(
  tx: SqlExecutor,
  table: string,
  columns: string[],
  rows: unknown[][],
): Promise<void> {
  for (let start = 0; start < rows.length; start += 100) {
    const chunk = rows.slice(start, start + 100);
    const values: unknown[] = [];
    const tuples = chunk.map((row) => {
      const placeholders = row.map((value) => {
        values.push(value);
        return `$${values.length}`;
      });
      return `(${placeholders.join(", ")})`;
    });
    await tx.execute(
      `INSERT INTO ${table} (${columns.join(", ")}) VALUES ${tuples.join(", ")}`,
      values,
    );
  }
}

/** Writes finished runs with packed logs, as the CI worker leaves them. */
async function seedRuns(tx: SqlExecutor, repositoryId: number, runs: RunDetail[]): Promise<void> {
  const packed = new Map<string, Buffer>();
  const packedLog = async (log: LogLineView[]) => {
    const text = log
      .map((line, index) => JSON.stringify([index + 1, line.stream, line.time, line.text]))
      .join("\n");
    let content = packed.get(text);
    if (!content) {
      content = await gzipAsync(Buffer.from(text));
      packed.set(text, content);
    }
    return content;
  };
  const runRows: unknown[][] = [];
  const pipelineRows: unknown[][] = [];
  const taskRows: unknown[][] = [];
  const logRows: unknown[][] = [];
  for (const run of runs) {
    runRows.push([
      run.id,
      repositoryId,
      run.event,
      run.bookmark,
      run.revisionId,
      run.status,
      run.createdAt,
      run.startedAt,
      run.finishedAt,
    ]);
    for (const pipeline of run.pipelines) {
      pipelineRows.push([
        run.id,
        pipeline.index,
        pipeline.file,
        pipeline.pattern,
        pipeline.status,
        pipeline.reason,
        JSON.stringify(pipeline.warnings),
        pipeline.startedAt,
        pipeline.finishedAt,
      ]);
      for (const task of pipeline.tasks) {
        taskRows.push([
          run.id,
          pipeline.index,
          task.index,
          task.type,
          task.name,
          task.status,
          task.exitCode,
          task.httpStatus,
          task.reason,
          task.startedAt,
          task.finishedAt,
        ]);
        if (task.log.length > 0) {
          logRows.push([
            run.id,
            pipeline.index,
            task.index,
            task.log.length,
            await packedLog(task.log),
          ]);
        }
      }
    }
  }
  await insertRows(
    tx,
    "ci_runs",
    [
      "id",
      "repository_id",
      "event",
      "bookmark",
      "revision_id",
      "status",
      "created_at",
      "started_at",
      "finished_at",
    ],
    runRows,
  );
  await insertRows(
    tx,
    "ci_pipelines",
    [
      "run_id",
      "idx",
      "file",
      "pattern",
      "status",
      "reason",
      "warnings",
      "started_at",
      "finished_at",
    ],
    pipelineRows,
  );
  await insertRows(
    tx,
    "ci_tasks",
    [
      "run_id",
      "pipeline_idx",
      "idx",
      "type",
      "name",
      "status",
      "exit_code",
      "http_status",
      "reason",
      "started_at",
      "finished_at",
    ],
    taskRows,
  );
  await insertRows(
    tx,
    "ci_logs",
    ["run_id", "pipeline_idx", "task_idx", "line_count", "content"],
    logRows,
  );
}

/** Prints median and p95 milliseconds per page and the ratio of each median to the baseline. */
export async function run(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), "pogo-bench-web-"));
  const server = await startServer({
    dataDir,
    listen: "127.0.0.1:0",
    logger: pino({ level: "silent" }),
    ci: { worker: false },
  });
  try {
    const { store, app } = server;
    const runStore = server.ci!.runs as RunStore;
    const { repository, revision } = await seedRepository(store, {
      name: "bench",
      owner: server.admin!.user,
      bookmarks: ["main", "release/v1.2", "feature/login", "docs"],
    });
    const end = Date.now();
    const seedStarted = performance.now();
    const history = historicRuns(RUNS - 1, end - 60_000, revision.id);
    await store.db.transaction((tx) => seedRuns(tx, repository.id, history));

    // The newest run is still running, its log of live lines not packed yet.
    const live = buildPipeline(0, "running", end - 30_000);
    live.tasks[0]!.log = [];
    await seedRuns(store.db, repository.id, [
      {
        id: "live",
        event: "push",
        bookmark: "main",
        revisionId: revision.id,
        status: "running",
        createdAt: end - 30_000,
        startedAt: end - 30_000,
        finishedAt: null,
        pipelines: [live],
      },
    ]);
    const lines = [];
    for (let line = 1; line <= LIVE_LOG_LINES; line++) {
      lines.push({
        runId: "live",
        pipeline: 0,
        task: 0,
        number: line,
        stream: "stdout" as const,
        text: `\x1b[32m✓\x1b[39m test ${line} <passed> \x1b[2m(${line % 97} ms)\x1b[22m`,
        time: end,
      });
    }
    // Live lines are stored only for the worker that leases the run.
    await store.db.execute("UPDATE ci_runs SET lease_owner = 'bench' WHERE id = 'live'");
    await runStore.appendLines("bench", lines);
    const seedSeconds = (performance.now() - seedStarted) / 1000;

    const signIn = await app.inject({
      method: "POST",
      url: "/ui/sign-in",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: new URLSearchParams({ token: server.admin!.token }).toString(),
    });
    const cookie = String(signIn.headers["set-cookie"]).split(";")[0]!;
    const pipelines = (RUNS - 1) * 2 + 1;
    const lastPage = Math.ceil(pipelines / 50);
    const pages: Array<[string, string]> = [
      ["baseline GET /healthz", "/healthz"],
      ["repositories", "/ui/"],
      ["repository", "/ui/repositories/bench"],
      ["runs, page 1", "/ui/repositories/bench/runs"],
      [`runs, page ${lastPage}`, `/ui/repositories/bench/runs?page=${lastPage}`],
      ["runs, failed on main", "/ui/repositories/bench/runs?status=failed&bookmark=main"],
      [`run, ${LIVE_LOG_LINES} live log lines`, "/ui/repositories/bench/runs/live"],
      ["run, finished", `/ui/repositories/bench/runs/${history[history.length - 1]!.id}`],
      ["badge", "/repository/bench/badge.svg?bookmark=main"],
    ];

    const results: Array<{ name: string; median: number; p95: number; bytes: number }> = [];
    for (const [name, url] of pages) {
      const times: number[] = [];
      let bytes = 0;
      for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
        const start = performance.now();
        const response = await app.inject({ method: "GET", url, headers: { cookie } });
        const elapsed = performance.now() - start;
        if (response.statusCode !== 200) {
          throw new Error(
            `${url} returned HTTP ${response.statusCode}: ${response.body.slice(0, 200)}`,
          );
        }
        bytes = response.rawPayload.length;
        if (round >= WARMUP_ROUNDS) times.push(elapsed);
      }
      results.push({ name, median: median(times), p95: percentile95(times), bytes });
    }

    const baseline = results[0]!.median;
    process.stdout.write(
      `${RUNS} runs, ${pipelines} pipelines in SQLite (seeded in ${seedSeconds.toFixed(1)} s); ` +
        `${ROUNDS} requests per page through fastify inject\n`,
    );
    for (const result of results) {
      let verdict = result.median < TARGET_MS ? "  ok" : "  OVER TARGET";
      if (result === results[0]) verdict = "";
      const ratio = (result.median / baseline).toFixed(1);
      process.stdout.write(
        `${result.name.padEnd(30)} median ${result.median.toFixed(2).padStart(7)} ms  ` +
          `p95 ${result.p95.toFixed(2).padStart(7)} ms  ${String(Math.round(result.bytes / 1024)).padStart(4)} KiB  ` +
          `${ratio.padStart(6)}x baseline${verdict}\n`,
      );
    }
  } finally {
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
