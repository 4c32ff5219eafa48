/**
 * CI on the server, two measurements on an in-process server with SQLite:
 *
 * 1. Bookmark events accepted per second over HTTP with a CI run queued
 *    in each event's transaction (worker off, so only the queueing is
 *    measured), against the same requests on a server without CI.
 * 2. Latency from sending `bookmark set` to the first output line of a
 *    container command. It is split into the server's part (queue, claim,
 *    config planning, checkout) and the container task's own part, from
 *    task start to its first line (container create and start).
 */

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { startServer } from "../src/server/serve.js";
import type { Repository, Revision } from "../src/store/records.js";
import { commitFiles } from "../test/support/ci-server.js";
import { BUSYBOX_IMAGE, ensureTestImages } from "../test/support/images.js";

const EVENTS = 200;
const ROUNDS = 3;
const LATENCY_RUNS = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function serverWith(ci: Parameters<typeof startServer>[0]["ci"]) {
  const dataDir = await mkdtemp(join(tmpdir(), "pogo-bench-ci-"));
  const server = await startServer({
    dataDir,
    listen: "127.0.0.1:0",
    logger: pino({ level: "silent" }),
    ci,
  });
  const admin = server.admin!;
  return {
    server,
    token: admin.token,
    admin: admin.user,
    close: async () => {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function setBookmark(url: string, token: string, name: string, revision: string) {
  const response = await fetch(`${url}/repository/app/bookmarks/${name}`, {
    method: "PUT",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ revision }),
  });
  if (!response.ok) throw new Error(`bookmark set failed: HTTP ${response.status}`);
  await response.arrayBuffer();
}

// Moves one bookmark back and forth between two revisions, so every request is an event.
async function eventsPerSecond(withCi: boolean): Promise<number> {
  const bench = await serverWith(withCi ? { worker: false } : false);
  try {
    const repository = await bench.server.store.createRepository("app", bench.admin, false);
    const files = {
      ".pogo/ci/a.yaml": "version: 1\non:\n  push:\n    bookmarks: [main]\ndo: []\n",
    };
    const first = await commitFiles(bench.server.store, repository, files, { description: "one" });
    const second = await commitFiles(bench.server.store, repository, files, { description: "two" });
    const revisions = [first.id, second.id];
    for (let index = 0; index < 20; index++) {
      await setBookmark(bench.server.url, bench.token, "main", revisions[index % 2]!);
    }
    const start = process.hrtime.bigint();
    for (let index = 0; index < EVENTS; index++) {
      await setBookmark(bench.server.url, bench.token, "main", revisions[index % 2]!);
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (withCi) {
      const queued = await bench.server.store.db.query<{ n: number }>(
        "SELECT COUNT(*) AS n FROM ci_runs WHERE status = 'queued'",
      );
      if (Number(queued[0]!.n) !== EVENTS + 20) throw new Error("not every event was queued");
    }
    return EVENTS / seconds;
  } finally {
    await bench.close();
  }
}

interface LatencySample {
  total: number;
  server: number;
  task: number;
}

async function containerLatency(): Promise<LatencySample[]> {
  const bench = await serverWith({ pollMs: 1_000 });
  const samples: LatencySample[] = [];
  try {
    const repository: Repository = await bench.server.store.createRepository(
      "app",
      bench.admin,
      false,
    );
    const config = `version: 1\non:\n  push:\n    bookmarks: ["b*"]\ndo:\n  - container:\n      image: ${BUSYBOX_IMAGE}\n      commands: ["echo first"]\n`;
    const revision: Revision = await commitFiles(bench.server.store, repository, {
      ".pogo/ci/build.yaml": config,
      "README.md": "bench\n",
    });
    const runs = bench.server.ci!.runs;
    // One warm-up run pulls nothing but fills the engine's caches and the checkout.
    for (let index = 0; index <= LATENCY_RUNS; index++) {
      const sent = Date.now();
      await setBookmark(bench.server.url, bench.token, `b${index}`, revision.id);
      const { runs: listed } = await runs.listRuns(repository.id, { bookmark: `b${index}` }, 0, 1);
      const runId = listed[0]!.id;
      let detail = await runs.getRun(repository.id, runId);
      while (detail && (detail.status === "queued" || detail.status === "running")) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        detail = await runs.getRun(repository.id, runId);
      }
      const task = detail?.pipelines[0]?.tasks[0];
      const first = task?.log.find((line) => line.stream === "stdout" && line.text === "first");
      if (!task || !first || task.startedAt === null) {
        throw new Error(
          `the container run did not print its first line: ${task?.reason ?? detail?.status}`,
        );
      }
      if (index === 0) continue;
      samples.push({
        total: first.time - sent,
        server: task.startedAt - sent,
        task: first.time - task.startedAt,
      });
    }
    return samples;
  } finally {
    await bench.close();
  }
}

/** Prints events per second with and without CI queueing, and the container latency split. */
export async function run(): Promise<void> {
  // Rounds alternate, so warm-up and disk cache favour neither side.
  const withoutRates: number[] = [];
  const withRates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    withoutRates.push(await eventsPerSecond(false));
    withRates.push(await eventsPerSecond(true));
  }
  const without = median(withoutRates);
  const withCi = median(withRates);
  process.stdout.write(
    `bookmark events accepted, median of ${ROUNDS} rounds of ${EVENTS}: ${withCi.toFixed(0)}/s with a CI run queued in each, ${without.toFixed(0)}/s without CI (ratio ${(withCi / without).toFixed(2)})\n`,
  );

  await ensureTestImages();
  const samples = await containerLatency();
  const total = median(samples.map((sample) => sample.total));
  const server = median(samples.map((sample) => sample.server));
  const task = median(samples.map((sample) => sample.task));
  process.stdout.write(
    `bookmark set to first container output, median of ${samples.length}: ${total} ms = ${server} ms in the server (queue, claim, plan, checkout) + ${task} ms in the container task (create, start, first line); total / task = ${(total / task).toFixed(2)}\n`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
