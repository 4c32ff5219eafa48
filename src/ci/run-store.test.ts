import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { commitFiles } from "../../test/support/ci-server.js";
import { backends, openTestStore, type TestStore } from "../../test/support/databases.js";
import { openStore } from "../store/open.js";
import type { Repository, Revision, User } from "../store/records.js";
import { PIPELINE_LOG, RunStore } from "./run-store.js";

describe.each(backends)("RunStore on $name", (backend) => {
  if (backend.skip) {
    it.skip("needs POGO_TEST_DATABASE_URL", () => {});
    return;
  }

  let opened: TestStore;
  let runs: RunStore;
  let user: User;
  let repository: Repository;
  let revision: Revision;

  beforeEach(async () => {
    opened = await openTestStore(backend);
    runs = new RunStore(opened.store.db);
    opened.store.onBookmarkChange((tx, event) => runs.enqueue(tx, event).then(() => {}));
    user = await opened.store.createUser("ada");
    repository = await opened.store.createRepository("app", user, false);
    revision = await commitFiles(opened.store, repository, { "README.md": "hi\n" });
  });
  afterEach(async () => {
    await opened.close();
  });

  const queue = async (bookmark: string) => {
    await opened.store.setBookmark(repository, bookmark, revision.id, user);
  };

  it("queues a run in the bookmark transaction", async () => {
    await queue("main");
    const { runs: listed, total } = await runs.listRuns(repository.id, {}, 0, 10);
    expect(total).toBe(1);
    expect(listed[0]).toMatchObject({ status: "queued", event: "push", bookmark: "main" });
    expect(listed[0]!.revisionId).toBe(revision.id);
  });

  it("queues nothing when the hook's transaction rolls back", async () => {
    opened.store.onBookmarkChange(async () => {
      throw new Error("later hook failed");
    });
    await expect(queue("main")).rejects.toThrow("later hook failed");
    expect((await runs.listRuns(repository.id, {}, 0, 10)).total).toBe(0);
  });

  it("claims runs oldest first, each once", async () => {
    await queue("a");
    await queue("b");
    const first = await runs.claim("worker-1", 30_000);
    const second = await runs.claim("worker-2", 30_000);
    expect(first?.bookmark).toBe("a");
    expect(second?.bookmark).toBe("b");
    expect(await runs.claim("worker-1", 30_000)).toBeUndefined();
  });

  it("never gives one run to two stores", async () => {
    for (let index = 0; index < 20; index++) await queue(`b${index}`);
    const other = await openStore(opened.options);
    try {
      const otherRuns = new RunStore(other.db);
      const take = async (store: RunStore, owner: string) => {
        const taken: string[] = [];
        for (;;) {
          const run = await store.claim(owner, 30_000);
          if (!run) return taken;
          taken.push(run.id);
        }
      };
      const [mine, theirs] = await Promise.all([take(runs, "one"), take(otherRuns, "two")]);
      expect(mine.length + theirs.length).toBe(20);
      expect(new Set([...mine, ...theirs]).size).toBe(20);
    } finally {
      await other.db.close();
    }
  });

  it("interrupts runs whose worker is gone", async () => {
    await queue("main");
    await queue("next");
    const run = (await runs.claim("dead-worker", 30_000))!;
    await runs.addPipelines(run.id, "dead-worker", [
      {
        index: 0,
        file: ".pogo/ci/a.yaml",
        pattern: "main",
        status: "running",
        reason: null,
        warnings: [],
        tasks: [
          { index: 0, type: "container", name: "busybox" },
          { index: 1, type: "webhook", name: "POST http://x" },
        ],
      },
    ]);
    await runs.updateTask(run.id, "dead-worker", 0, 0, {
      status: "running",
      exitCode: null,
      httpStatus: null,
      reason: null,
      startedAt: Date.now(),
      finishedAt: null,
      droppedLogLines: 0,
    });
    await runs.appendLines("dead-worker", [
      { runId: run.id, pipeline: 0, task: 0, number: 1, stream: "stdout", text: "one", time: 1 },
    ]);

    expect(await runs.interruptStale(() => false)).toEqual([]);
    const interrupted = await runs.interruptStale((owner) => owner === "dead-worker");
    expect(interrupted.map((entry) => entry.id)).toEqual([run.id]);

    const detail = (await runs.getRun(repository.id, run.id))!;
    expect(detail.status).toBe("interrupted");
    expect(detail.pipelines[0]!.status).toBe("interrupted");
    expect(detail.pipelines[0]!.tasks.map((task) => task.status)).toEqual([
      "interrupted",
      "skipped",
    ]);
    expect(detail.pipelines[0]!.tasks[0]!.log.map((line) => line.text)).toEqual(["one"]);
    const log = await runs.readLog({ runId: run.id, pipeline: 0, task: 0 }, 0);
    expect(log.complete).toBe(true);

    // The queued run is untouched and can still be claimed.
    expect((await runs.claim("new-worker", 30_000))?.bookmark).toBe("next");
    // The dead worker cannot finish the run it lost.
    expect(await runs.finishRun(run.id, "dead-worker", "success", null)).toBe(false);
  });

  it("drops writes of a worker whose run was interrupted", async () => {
    await queue("main");
    const run = (await runs.claim("stale-worker", 1_000, 1_000))!;
    const pipeline = {
      index: 0,
      file: ".pogo/ci/a.yaml",
      pattern: "main",
      status: "queued" as const,
      reason: null,
      warnings: [],
      tasks: [
        { index: 0, type: "container" as const, name: "sleep 6" },
        { index: 1, type: "webhook" as const, name: "POST http://x" },
      ],
    };
    expect(await runs.addPipelines(run.id, "stale-worker", [pipeline])).toBe(true);
    const running = {
      status: "running" as const,
      reason: null,
      startedAt: 1_000,
      finishedAt: null,
    };
    expect(await runs.updatePipeline(run.id, "stale-worker", 0, running)).toBe(true);
    const task = {
      status: "running" as const,
      exitCode: null,
      httpStatus: null,
      reason: null,
      startedAt: 1_000,
      finishedAt: null,
      droppedLogLines: 0,
    };
    expect(await runs.updateTask(run.id, "stale-worker", 0, 0, task)).toBe(true);
    const line = { runId: run.id, pipeline: 0, stream: "stdout" as const, time: 1 };
    await runs.appendLines("stale-worker", [{ ...line, task: 0, number: 1, text: "one" }]);
    // A worker that does not hold the lease writes nothing.
    expect(await runs.updateTask(run.id, "thief", 0, 0, { ...task, status: "failed" })).toBe(false);

    // The lease expired, so another server marks the run interrupted.
    const interrupted = await runs.interruptStale(() => false, 2_500);
    expect(interrupted.map((entry) => entry.id)).toEqual([run.id]);
    const before = (await runs.getRun(repository.id, run.id))!;

    // The stale worker goes on as if it still held the run.
    const finished = { ...task, status: "success" as const, exitCode: 0, finishedAt: 3_000 };
    expect(await runs.updateTask(run.id, "stale-worker", 0, 0, finished)).toBe(false);
    expect(await runs.updateTask(run.id, "stale-worker", 0, 1, task)).toBe(false);
    await runs.appendLines("stale-worker", [
      { ...line, task: 0, number: 2, text: "two" },
      { ...line, task: 1, number: 1, text: "late" },
    ]);
    await runs.packLog({ runId: run.id, pipeline: 0, task: 1 }, "stale-worker");
    const cancelled = {
      status: "cancelled" as const,
      reason: "the run was cancelled",
      startedAt: 1_000,
      finishedAt: 3_000,
    };
    expect(await runs.updatePipeline(run.id, "stale-worker", 0, cancelled)).toBe(false);
    await runs.packRunLogs(run.id, "stale-worker");
    expect(await runs.finishRun(run.id, "stale-worker", "cancelled", "cancelled")).toBe(false);
    expect(await runs.addPipelines(run.id, "stale-worker", [{ ...pipeline, index: 1 }])).toBe(
      false,
    );

    const after = (await runs.getRun(repository.id, run.id))!;
    expect(after).toEqual(before);
    expect(after.pipelines).toHaveLength(1);
    expect(after.pipelines[0]!.status).toBe("interrupted");
    expect(after.pipelines[0]!.tasks.map((entry) => entry.status)).toEqual([
      "interrupted",
      "skipped",
    ]);
    expect(after.pipelines[0]!.tasks[0]!.log.map((entry) => entry.text)).toEqual(["one"]);
    const late = await runs.readLog({ runId: run.id, pipeline: 0, task: 1 }, 0);
    expect(late).toEqual({ lines: [], complete: false });
    expect(await opened.store.db.query("SELECT num FROM ci_log_lines")).toEqual([]);
  });

  it("interrupts runs whose lease expired", async () => {
    await queue("main");
    const run = (await runs.claim("slow-worker", 1_000, 1_000))!;
    expect(await runs.interruptStale(() => false, 1_500)).toEqual([]);
    const interrupted = await runs.interruptStale(() => false, 2_500);
    expect(interrupted.map((entry) => entry.id)).toEqual([run.id]);
  });

  it("keeps a lease alive and reports cancellations", async () => {
    await queue("main");
    const run = (await runs.claim("worker", 1_000, 1_000))!;
    await runs.addPipelines(run.id, "worker", [
      {
        index: 0,
        file: "a",
        pattern: null,
        status: "running",
        reason: null,
        warnings: [],
        tasks: [],
      },
    ]);
    expect(await runs.requestCancel(run.id, 0)).toBe(true);
    const beat = await runs.heartbeat("worker", [run.id], 1_000, 1_800);
    expect(beat.lost).toEqual([]);
    expect(beat.cancelPipelines).toEqual([{ runId: run.id, pipeline: 0, task: PIPELINE_LOG }]);
    expect(await runs.interruptStale(() => false, 2_500)).toEqual([]);
    expect(await runs.requestCancel(run.id)).toBe(true);
    expect((await runs.heartbeat("worker", [run.id], 1_000, 2_000)).cancelRuns).toEqual([run.id]);
    expect((await runs.heartbeat("thief", [run.id], 1_000, 2_000)).lost).toEqual([run.id]);
  });

  it("cancels a queued run at once", async () => {
    await queue("main");
    const { runs: listed } = await runs.listRuns(repository.id, {}, 0, 1);
    expect(await runs.requestCancel(listed[0]!.id)).toBe(true);
    expect((await runs.getRunRecord(repository.id, listed[0]!.id))?.status).toBe("cancelled");
    expect(await runs.claim("worker", 1_000)).toBeUndefined();
  });

  it("packs a log and reads it in pieces", async () => {
    await queue("main");
    const run = (await runs.claim("worker", 30_000))!;
    const lines = Array.from({ length: 450 }, (_, index) => ({
      runId: run.id,
      pipeline: 0,
      task: 0,
      number: index + 1,
      stream: "stdout" as const,
      text: `line ${index + 1} ✓`,
      time: index,
    }));
    await runs.appendLines("worker", lines);
    const live = await runs.readLog({ runId: run.id, pipeline: 0, task: 0 }, 440);
    expect(live.complete).toBe(false);
    expect(live.lines.map((line) => line.number)).toEqual([
      441, 442, 443, 444, 445, 446, 447, 448, 449, 450,
    ]);
    await runs.packLog({ runId: run.id, pipeline: 0, task: 0 });
    const packed = await runs.readLog({ runId: run.id, pipeline: 0, task: 0 }, 448);
    expect(packed.complete).toBe(true);
    expect(packed.lines.map((line) => line.text)).toEqual(["line 449 ✓", "line 450 ✓"]);
    const rows = await opened.store.db.query("SELECT num FROM ci_log_lines");
    expect(rows).toEqual([]);
  });

  it("prunes finished runs past the retention", async () => {
    await queue("old");
    await queue("new");
    const old = (await runs.claim("worker", 30_000))!;
    await runs.finishRun(old.id, "worker", "success", null, 1_000);
    const fresh = (await runs.claim("worker", 30_000))!;
    expect(await runs.pruneFinished(2_000)).toBe(1);
    expect(await runs.getRunRecord(repository.id, old.id)).toBeUndefined();
    expect((await runs.getRunRecord(repository.id, fresh.id))?.status).toBe("running");
    expect(await runs.activeRevisions()).toEqual(new Set([revision.id]));
  });

  it("lists pipelines for the web UI with filters", async () => {
    await queue("main");
    await queue("dev");
    for (const bookmark of ["main", "dev"]) {
      const run = (await runs.claim("worker", 30_000))!;
      await runs.addPipelines(run.id, "worker", [
        {
          index: 0,
          file: ".pogo/ci/a.yaml",
          pattern: bookmark,
          status: "queued",
          reason: null,
          warnings: [],
          tasks: [],
        },
        {
          index: 1,
          file: ".pogo/ci/b.yaml",
          pattern: null,
          status: "failed",
          reason: "broken",
          warnings: [],
          tasks: [],
        },
      ]);
    }
    const all = await runs.listPipelines(repository.id, {}, 0, 10);
    expect(all.total).toBe(4);
    expect(all.pipelines.map((pipeline) => `${pipeline.bookmark}:${pipeline.index}`)).toEqual([
      "dev:0",
      "dev:1",
      "main:0",
      "main:1",
    ]);
    const failed = await runs.listPipelines(
      repository.id,
      { status: "failed", bookmark: "main" },
      0,
      10,
    );
    expect(failed.total).toBe(1);
    expect(failed.pipelines[0]!.file).toBe(".pogo/ci/b.yaml");
    const latest = await runs.latestRuns(repository.id, ["main", "dev", "none"]);
    expect([...latest.keys()].sort()).toEqual(["dev", "main"]);
  });

  it("accepts offsets past 64-bit integers", async () => {
    await queue("main");
    const far = (Number("99999999999999999999") - 1) * 50;
    expect(await runs.listPipelines(repository.id, {}, far, 50)).toMatchObject({ pipelines: [] });
    expect(await runs.listRuns(repository.id, {}, far, 50)).toMatchObject({ runs: [], total: 1 });
  });
});
