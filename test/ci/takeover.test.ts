import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RunStore } from "../../src/ci/run-store.js";
import { type RunningServer, startServer } from "../../src/server/serve.js";
import type { StoreOptions } from "../../src/store/open.js";
import { openStore } from "../../src/store/open.js";
import { HttpReceiver } from "../helpers/http-receiver.js";
import { commitFiles, waitFor } from "../support/ci-server.js";
import { backends, dropSchema } from "../support/databases.js";

/** A loopback HTTP server that holds every request until the test releases it. */
class Gate {
  readonly heldResponses: ServerResponse[] = [];
  private readonly server: Server = createServer((request, response) => {
    request.resume();
    request.on("end", () => this.heldResponses.push(response));
  });

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  release(): void {
    for (const response of this.heldResponses.splice(0)) response.end("ok");
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function pipelineConfig(gate: string, receiver: string): string {
  return `version: 1
on:
  push:
    bookmarks: ["main"]
do:
  - webhook:
      url: ${gate}/first
      method: POST
  - webhook:
      url: ${receiver}/second
      method: POST
`;
}

describe.each(backends)("run taken over by another server ($name)", (backend) => {
  if (backend.skip) {
    it.skip("needs POGO_TEST_DATABASE_URL", () => {});
    return;
  }

  let dataDir: string;
  let storeOptions: StoreOptions;
  let gate: Gate;
  let receiver: HttpReceiver;
  let server: RunningServer | undefined;
  let logLines: string[];

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "pogo-takeover-"));
    storeOptions = backend.options(dataDir);
    gate = await new Gate().start();
    receiver = await new HttpReceiver().start();
    logLines = [];
  });
  afterEach(async () => {
    gate.release();
    await server?.close();
    server = undefined;
    await gate.close();
    await receiver.close();
    await dropSchema(storeOptions);
    await rm(dataDir, { recursive: true, force: true });
  });

  /**
   * Starts a server, pushes the pipeline and waits until its first task is
   * in flight. Then a second store on the same database, as another server
   * would, marks the run interrupted because its owner is presumed gone.
   */
  const startAndTakeOver = async (heartbeatMs: number) => {
    server = await startServer({
      ...storeOptions,
      listen: "127.0.0.1:0",
      logger: pino({ level: "info" }, { write: (line: string) => logLines.push(line) }),
      ci: { pollMs: 50, heartbeatMs },
    });
    const admin = (await server.store.findUser("admin"))!;
    const repository = await server.store.createRepository("takeover", admin, false);
    const revision = await commitFiles(server.store, repository, {
      ".pogo/ci/notify.yaml": pipelineConfig(gate.url, receiver.url),
    });
    await server.store.setBookmark(repository, "main", revision.id, admin);
    const runs = server.ci!.runs;
    const runId = await waitFor(
      async () => {
        if (gate.heldResponses.length === 0) return undefined;
        return (await runs.listRuns(repository.id, {}, 0, 1)).runs[0]?.id;
      },
      30_000,
      "the first webhook to arrive",
    );
    await waitFor(
      async () => {
        const detail = await runs.getRun(repository.id, runId);
        return detail?.pipelines[0]?.tasks[0]?.status === "running" ? true : undefined;
      },
      30_000,
      "the first task to be recorded as running",
    );

    const other = await openStore(storeOptions);
    try {
      const owner = server.ci!.worker!.owner;
      const interrupted = await new RunStore(other.db).interruptStale((label) => label === owner);
      expect(interrupted.map((run) => run.id)).toEqual([runId]);
    } finally {
      await other.db.close();
    }
    const after = (await runs.getRun(repository.id, runId))!;
    return { runs, repositoryId: repository.id, runId, after };
  };

  const waitForTakeoverLog = () =>
    waitFor(
      async () => (logLines.some((line) => line.includes("taken over")) ? true : undefined),
      30_000,
      "the worker to give the run up",
    );

  it("keeps records when the heartbeat finds the run lost", async () => {
    const { runs, repositoryId, runId, after } = await startAndTakeOver(200);
    expect(after.status).toBe("interrupted");
    expect(after.pipelines[0]!.status).toBe("interrupted");
    expect(after.pipelines[0]!.tasks.map((task) => task.status)).toEqual([
      "interrupted",
      "skipped",
    ]);

    // The heartbeat finds the lease lost and cancels the run, and the first
    // webhook ends cancelled. None of that may reach the records.
    await waitForTakeoverLog();
    const final = (await runs.getRun(repositoryId, runId))!;
    expect(final).toEqual(after);
    expect(receiver.requests).toEqual([]);
  });

  it("keeps records when the task finishes after the takeover", async () => {
    // No heartbeat during the test, so the worker goes on as if nothing
    // happened: the first webhook succeeds and the pipeline finishes.
    const { runs, repositoryId, runId, after } = await startAndTakeOver(600_000);
    gate.release();

    await waitForTakeoverLog();
    const final = (await runs.getRun(repositoryId, runId))!;
    expect(final.status).toBe("interrupted");
    expect(final.pipelines[0]!.status).toBe("interrupted");
    expect(final.pipelines[0]!.reason).toBe(after.pipelines[0]!.reason);
    expect(final.pipelines[0]!.tasks.map((task) => task.status)).toEqual([
      "interrupted",
      "skipped",
    ]);
    expect(final).toEqual(after);
  });
});
