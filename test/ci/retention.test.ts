import { afterEach, describe, expect, it } from "vitest";
import { pruneIntervalMs } from "../../src/ci/service.js";
import { HttpReceiver } from "../helpers/http-receiver.js";
import {
  type CiTestServer,
  commitFiles,
  startCiTestServer,
  waitFor,
} from "../support/ci-server.js";
import { backends } from "../support/databases.js";

describe("pruneIntervalMs", () => {
  it.each([
    [30 * 86_400_000, 3_600_000],
    [2 * 3_600_000, 3_600_000],
    [60_000, 30_000],
    [20_000, 10_000],
    [1_000, 10_000],
  ])("prunes a retention of %i ms every %i ms", (retention, interval) => {
    expect(pruneIntervalMs(retention)).toBe(interval);
  });
});

describe.each(backends)("CI retention while the server runs ($name)", (backend) => {
  if (backend.skip) {
    it.skip("needs POGO_TEST_DATABASE_URL", () => {});
    return;
  }

  let ci: CiTestServer | undefined;
  let receiver: HttpReceiver | undefined;

  afterEach(async () => {
    await ci?.close();
    await receiver?.close();
    ci = undefined;
    receiver = undefined;
  });

  it("prunes a finished run without a restart", async () => {
    receiver = await new HttpReceiver().start();
    ci = await startCiTestServer(backend, { retentionMs: 1_000 });
    const { store } = ci.server;
    const repository = await store.createRepository("short", ci.admin, false);
    const revision = await commitFiles(store, repository, {
      ".pogo/ci/notify.yaml": `version: 1
on:
  push:
    bookmarks: ["main"]
do:
  - webhook:
      url: ${receiver.url}/done
      method: POST
`,
    });
    await store.setBookmark(repository, "main", revision.id, ci.admin);
    const runs = ci.server.ci!.runs;
    const runId = await waitFor(async () => {
      const run = (await runs.listRuns(repository.id, {}, 0, 1)).runs[0];
      return run?.status === "success" ? run.id : undefined;
    });

    // A retention of 1 second is pruned every 10 seconds, the shortest interval.
    await waitFor(
      async () => ((await runs.getRunRecord(repository.id, runId)) ? undefined : true),
      20_000,
      "the finished run to be pruned",
    );
    expect((await runs.listRuns(repository.id, {}, 0, 10)).total).toBe(0);
  });
});
