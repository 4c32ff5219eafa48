import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runPogo } from "../e2e/pogo.js";
import { HttpReceiver } from "../helpers/http-receiver.js";
import {
  api,
  type CiTestServer,
  commitFiles,
  startCiTestServer,
  waitFor,
} from "../support/ci-server.js";
import { backends } from "../support/databases.js";

function hangingConfig(receiver: string, path: string): string {
  return `version: 1
on:
  push:
    bookmarks: ["main"]
do:
  - webhook:
      url: ${receiver}/${path}
      method: POST
`;
}

describe.each(backends)("cancelling one pipeline ($name)", (backend) => {
  if (backend.skip) {
    it.skip("needs POGO_TEST_DATABASE_URL", () => {});
    return;
  }

  let ci: CiTestServer;
  let receiver: HttpReceiver;
  let home: string;
  let runId: string;

  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), "pogo-cancel-"));
    receiver = await new HttpReceiver().replyAlways("hang").start();
    ci = await startCiTestServer(backend);
    const { store } = ci.server;
    const repository = await store.createRepository("two", ci.admin, false);
    const revision = await commitFiles(store, repository, {
      ".pogo/ci/a.yaml": hangingConfig(receiver.url, "a"),
      ".pogo/ci/b.yaml": hangingConfig(receiver.url, "b"),
    });
    await store.setBookmark(repository, "main", revision.id, ci.admin);
    const runs = ci.server.ci!.runs;
    runId = await waitFor(
      async () => {
        const run = (await runs.listRuns(repository.id, {}, 0, 1)).runs[0];
        if (!run) return undefined;
        const detail = await runs.getRunDetail(repository.id, run.id, { logs: false });
        const tasks = detail?.pipelines.map((pipeline) => pipeline.tasks[0]?.status);
        return tasks?.length === 2 && tasks.every((status) => status === "running")
          ? run.id
          : undefined;
      },
      30_000,
      "both pipelines to run",
    );
  });
  afterEach(async () => {
    await ci.close();
    await receiver.close();
    await rm(home, { recursive: true, force: true });
  });

  it("rejects a pipeline index the run lacks", async () => {
    const response = await fetch(`${ci.url}/repository/two/runs/${runId}/cancel`, {
      method: "POST",
      headers: { authorization: `Bearer ${ci.token}`, "content-type": "application/json" },
      body: JSON.stringify({ pipeline: 7 }),
    });
    expect(response.status).toBe(404);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("PIPELINE_NOT_FOUND");
    expect(body.error.message).toBe(`run ${runId} has no pipeline 7; it has pipelines 0 to 1`);

    const detail = await api<{ run: { status: string } }>(
      ci,
      "GET",
      `/repository/two/runs/${runId}`,
    );
    expect(detail.run.status).toBe("running");
    expect(await api(ci, "POST", `/repository/two/runs/${runId}/cancel`, { pipeline: 1 })).toEqual({
      cancelled: true,
    });
  });

  it("prints one line from the CLI", async () => {
    const result = await runPogo(
      ["ci", "runs", "cancel", runId, "--pipeline", "7", "--repository", "two"],
      {
        cwd: home,
        env: {
          POGO_CONFIG: join(home, "config.json"),
          POGO_SERVER: ci.url,
          POGO_TOKEN: ci.token,
        },
        timeoutMs: 60_000,
      },
    );
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(`pogo: run ${runId} has no pipeline 7; it has pipelines 0 to 1\n`);
    expect(result.code).toBe(1);
  });
});
