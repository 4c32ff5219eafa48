/**
 * Web UI render time: each page of a repository with 10,000 CI runs
 * (20,000 pipelines), requested through the whole Fastify app with
 * `inject` (routing, session lookup, data loading, HTML rendering), against
 * `GET /healthz` through the same app as the baseline. The target is
 * under 100 ms per page.
 *
 * NOTE: the run history is the in-memory MemoryRunHistory until CI run
 * history lands in the store; database reads of the runs are not measured.
 */
import { MemoryRunHistory } from "../src/web/memory-run-history.js";
import { seedRepository, startWebTestServer } from "../test/support/web.js";
import { buildPipeline, historicRuns } from "../test/support/web-fixtures.js";

const RUNS = 10_000;
const ROUNDS = 30;
const TARGET_MS = 100;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function percentile95(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))]!;
}

/** Prints median and p95 milliseconds per page and the ratio of each median to the baseline. */
export async function run(): Promise<void> {
  const runs = new MemoryRunHistory();
  const server = await startWebTestServer({ runs, control: runs });
  try {
    const owner = server.admin;
    const { repository, revision } = await seedRepository(server.store, {
      name: "bench",
      owner,
      bookmarks: ["main", "release/v1.2", "feature/login", "docs"],
    });
    const end = Date.now();
    for (const detail of historicRuns(RUNS, end - 60_000, revision.id)) {
      runs.addRun(repository.id, detail);
    }
    // The newest run is still running, with a 2,000-line log.
    const live = buildPipeline(0, "running", end - 30_000);
    for (let line = 0; line < 2000; line++) {
      live.tasks[0]!.log.push({
        stream: "stdout",
        text: `\x1b[32m✓\x1b[39m test ${line} <passed> \x1b[2m(${line % 97} ms)\x1b[22m`,
        time: end,
      });
    }
    runs.addRun(repository.id, {
      id: "live",
      event: "push",
      bookmark: "main",
      revisionId: revision.id,
      status: "running",
      createdAt: end - 30_000,
      startedAt: end - 30_000,
      finishedAt: null,
      pipelines: [live],
    });

    const signIn = await server.app.inject({
      method: "POST",
      url: "/ui/sign-in",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: new URLSearchParams({ token: server.adminToken }).toString(),
    });
    const cookie = String(signIn.headers["set-cookie"]).split(";")[0]!;
    const lastPage = Math.ceil((RUNS * 2 + 1) / 50);
    const pages: Array<[string, string]> = [
      ["baseline GET /healthz", "/healthz"],
      ["repositories", "/ui/"],
      ["repository", "/ui/repositories/bench"],
      ["runs, page 1", "/ui/repositories/bench/runs"],
      [`runs, page ${lastPage}`, `/ui/repositories/bench/runs?page=${lastPage}`],
      ["runs, failed on main", "/ui/repositories/bench/runs?status=failed&bookmark=main"],
      ["run, 2,000 log lines", "/ui/repositories/bench/runs/live"],
      ["run, finished", `/ui/repositories/bench/runs/${historicRuns(1, 0, "")[0]!.id}`],
      ["badge", "/repository/bench/badge.svg?bookmark=main"],
    ];

    const results: Array<{ name: string; median: number; p95: number; bytes: number }> = [];
    for (const [name, url] of pages) {
      const times: number[] = [];
      let bytes = 0;
      for (let round = 0; round < ROUNDS + 3; round++) {
        const start = process.hrtime.bigint();
        const response = await server.app.inject({ method: "GET", url, headers: { cookie } });
        const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
        if (response.statusCode !== 200) {
          throw new Error(
            `${url} returned HTTP ${response.statusCode}: ${response.body.slice(0, 200)}`,
          );
        }
        bytes = response.rawPayload.length;
        if (round >= 3) times.push(elapsed); // the first rounds warm up the JIT
      }
      results.push({ name, median: median(times), p95: percentile95(times), bytes });
    }

    const baseline = results[0]!.median;
    process.stdout.write(
      `${RUNS} runs, ${RUNS * 2 + 1} pipelines, ${ROUNDS} requests per page through fastify inject\n`,
    );
    for (const result of results) {
      let verdict = result.median < TARGET_MS ? "  ok" : "  OVER TARGET";
      if (result === results[0]) verdict = "";
      process.stdout.write(
        `${result.name.padEnd(28)} median ${result.median.toFixed(2).padStart(7)} ms  p95 ${result.p95
          .toFixed(2)
          .padStart(7)} ms  ${String(Math.round(result.bytes / 1024)).padStart(5)} KiB  ${(
          result.median / baseline
        )
          .toFixed(1)
          .padStart(6)}x baseline${verdict}\n`,
      );
    }
  } finally {
    await server.close();
  }
}
