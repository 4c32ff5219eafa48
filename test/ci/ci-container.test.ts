import { stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { painter } from "../../src/cli/commands/ci-report.js";
import { followRun, inspectRun } from "../../src/cli/commands/ci-runs.js";
import { PogoClient } from "../../src/client/api.js";
import {
  api,
  type CiTestServer,
  commitFiles,
  startCiTestServer,
  waitFor,
} from "../support/ci-server.js";
import { backends } from "../support/databases.js";
import { BUSYBOX_IMAGE, ensureTestImages, HTTPD_IMAGE } from "../support/images.js";
import { engineObjectsOfRun } from "../support/serve-child.js";

const CONTAINER_CONFIG = `version: 1
on:
  push:
    bookmarks: ["main"]
do:
  - type: container
    container:
      image: ${BUSYBOX_IMAGE}
      services:
        - name: web
          image: ${HTTPD_IMAGE}
          environment:
            GREETING: hello from the service
      environment:
        PASSWORD: \${DB_PASSWORD}
      commands:
        - cat /workspace/README.md
        - wget -q -O - http://web/
        - echo "password is $PASSWORD"
        - echo "rev {{.Rev}} at $POGO_REVISION"
`;

/** Waits until the newest run of `repository` has left the queue and finished. */
function finishedRun(
  ci: CiTestServer,
  repository: string,
): Promise<{ id: string; status: string }> {
  return waitFor(
    async () => {
      const { runs } = await api<{ runs: Array<{ id: string; status: string }> }>(
        ci,
        "GET",
        `/repository/${repository}/runs`,
      );
      return runs[0] && !["queued", "running"].includes(runs[0].status) ? runs[0] : undefined;
    },
    60_000,
    `the run of ${repository}`,
  );
}

describe("container pipelines on the server", () => {
  let ci: CiTestServer;

  beforeAll(async () => {
    await ensureTestImages();
    ci = await startCiTestServer(backends[0]!);
  });
  afterAll(async () => {
    await ci.close();
  });

  it("runs in the revision's checkout with a service", async () => {
    const repository = await ci.server.store.createRepository("app", ci.admin, false);
    await api(ci, "PUT", "/repository/app/secrets/DB_PASSWORD", { value: "hunter2-but-longer" });
    const revision = await commitFiles(ci.server.store, repository, {
      ".pogo/ci/build.yaml": CONTAINER_CONFIG,
      "README.md": "readme of the pushed revision\n",
    });
    await api(ci, "PUT", "/repository/app/bookmarks/main", { revision: revision.id });

    const run = await finishedRun(ci, "app");
    const log = await api<{ lines: Array<{ text: string }> }>(
      ci,
      "GET",
      `/repository/app/runs/${run.id}/pipelines/0/tasks/0/log`,
    );
    const text = log.lines.map((line) => line.text).join("\n");

    expect(text).toContain("readme of the pushed revision");
    expect(text).toContain("hello from the service");
    expect(text).toContain("password is ***");
    expect(text).not.toContain("hunter2-but-longer");
    expect(text).toContain(`rev main at ${revision.id}`);
    expect(run.status).toBe("success");
  });

  it("keeps the build context hashes in its data folder", async () => {
    const repository = await ci.server.store.createRepository("built", ci.admin, false);
    const revision = await commitFiles(ci.server.store, repository, {
      ".pogo/ci/build.yaml": `version: 1
on:
  push:
    bookmarks: ["main"]
do:
  - type: container
    container:
      image: ./ci/Dockerfile
      commands:
        - cat /built.txt
`,
      "ci/Dockerfile": `FROM ${BUSYBOX_IMAGE}\nCOPY README.md /built.txt\n`,
      "README.md": "copied at build time\n",
    });
    await api(ci, "PUT", "/repository/built/bookmarks/main", { revision: revision.id });

    const run = await finishedRun(ci, "built");
    const log = await api<{ lines: Array<{ text: string }> }>(
      ci,
      "GET",
      `/repository/built/runs/${run.id}/pipelines/0/tasks/0/log`,
    );

    expect(log.lines.map((line) => line.text)).toContain("copied at build time");
    expect(run.status).toBe("success");
    await expect(
      stat(join(ci.dataDir, "ci", "build-context-hashes-v1.json")),
    ).resolves.toBeDefined();
  });
});

describe("long logs on the server", () => {
  let ci: CiTestServer;

  beforeAll(async () => {
    await ensureTestImages();
    ci = await startCiTestServer(backends[0]!);
  });
  afterAll(async () => {
    await ci.close();
  });

  it("tells inspect how many lines were not kept", async () => {
    const repository = await ci.server.store.createRepository("long", ci.admin, false);
    const revision = await commitFiles(ci.server.store, repository, {
      ".pogo/ci/long.yaml": `version: 1
on:
  push:
    bookmarks: ["main"]
do:
  - type: container
    container:
      image: ${BUSYBOX_IMAGE}
      commands:
        - seq 1 10010
`,
    });
    await api(ci, "PUT", "/repository/long/bookmarks/main", { revision: revision.id });
    const client = new PogoClient(ci.url, ci.token);
    const run = await finishedRun(ci, "long");
    const printed = { inspect: "", follow: "" };
    const output = (key: "inspect" | "follow") => ({
      write: (text: string) => {
        printed[key] += text;
      },
      paint: painter(false),
    });
    await inspectRun(client, "long", run.id, output("inspect"));
    expect(await followRun(client, "long", run.id, output("follow"))).toBe(0);

    // The runner keeps 10,000 lines per task: the command header and 9,999 numbers.
    expect(printed.inspect).toContain("    9999\n");
    expect(printed.inspect).not.toContain("    10000\n");
    expect(printed.inspect).toContain("    11 more lines were not kept\n");
    expect(printed.follow).toContain("[long.yaml] 11 more lines were not kept\n");
  });
});

describe("cancelling container runs", () => {
  let ci: CiTestServer;

  beforeAll(async () => {
    await ensureTestImages();
    ci = await startCiTestServer(backends[0]!);
  });
  afterAll(async () => {
    await ci.close();
  });

  it("stops a running pipeline and removes its containers", async () => {
    const repository = await ci.server.store.createRepository("slow", ci.admin, false);
    const sleeper = (name: string) => `version: 1
on:
  push:
    bookmarks: ["main"]
do:
  - container:
      image: ${BUSYBOX_IMAGE}
      commands: ["echo ${name} started", "sleep 600"]
`;
    const revision = await commitFiles(ci.server.store, repository, {
      ".pogo/ci/a.yaml": sleeper("a"),
      ".pogo/ci/b.yaml": sleeper("b"),
      // A broken config beside them fails, but must not turn the cancel into a failure.
      ".pogo/ci/z-broken.yaml": "version: 1\non: [\n",
    });
    await api(ci, "PUT", "/repository/slow/bookmarks/main", { revision: revision.id });
    const run = await waitFor(
      async () => {
        const { runs } = await api<{ runs: Array<{ id: string }> }>(
          ci,
          "GET",
          "/repository/slow/runs",
        );
        if (!runs[0]) return undefined;
        const detail = (await ci.server.ci!.runs.getRun(repository.id, runs[0].id))!;
        const sleepers = detail.pipelines.filter((pipeline) => pipeline.tasks.length > 0);
        const started = sleepers.every((pipeline) =>
          pipeline.tasks[0]!.log.some((line) => line.text.endsWith("started")),
        );
        return started && sleepers.length === 2 ? detail : undefined;
      },
      60_000,
      "both containers to start",
    );

    expect(
      await api(ci, "POST", `/repository/slow/runs/${run.id}/cancel`, { pipeline: 0 }),
    ).toEqual({
      cancelled: true,
    });
    await waitFor(async () => {
      const detail = (await ci.server.ci!.runs.getRun(repository.id, run.id))!;
      return detail.pipelines[0]!.status === "cancelled" ? true : undefined;
    });
    expect((await ci.server.ci!.runs.getRun(repository.id, run.id))!.pipelines[1]!.status).toBe(
      "running",
    );

    expect(await api(ci, "POST", `/repository/slow/runs/${run.id}/cancel`, {})).toEqual({
      cancelled: true,
    });
    const finished = await waitFor(async () => {
      const detail = (await ci.server.ci!.runs.getRun(repository.id, run.id))!;
      return detail.status === "cancelled" ? detail : undefined;
    });
    expect(finished.pipelines.map((pipeline) => pipeline.status)).toEqual([
      "cancelled",
      "cancelled",
      "failed",
    ]);
    expect(finished.pipelines[0]!.tasks[0]!.status).toBe("cancelled");
    const left = await engineObjectsOfRun(run.id);
    expect(left).toEqual({ containers: [], networks: [] });
    expect(await api(ci, "POST", `/repository/slow/runs/${run.id}/cancel`, {})).toEqual({
      cancelled: false,
    });
  });
});
