import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PogoClient } from "../../src/client/api.js";
import { push } from "../../src/client/push.js";
import { HttpReceiver } from "../helpers/http-receiver.js";
import { waitFor } from "../support/ci-server.js";
import { backends, dropSchema, postgresUrl } from "../support/databases.js";
import { BUSYBOX_IMAGE, ensureTestImages, HTTPD_IMAGE } from "../support/images.js";
import {
  engineObjectsOfRun,
  type ServeChild,
  startServeChild,
  stopServeChild,
} from "../support/serve-child.js";

const SLOW_CONFIG = `version: 1
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
      commands:
        - echo started
        - sleep 600
`;

function notifyConfig(receiver: string): string {
  return `version: 1
on:
  push:
    bookmarks: ["later"]
do:
  - webhook:
      url: ${receiver}/after-restart/{{.Rev}}
      method: POST
`;
}

describe.each(backends)("server killed mid-run ($name)", (backend) => {
  if (backend.skip) {
    it.skip("needs POGO_TEST_DATABASE_URL", () => {});
    return;
  }

  let base: string;
  let receiver: HttpReceiver;
  let serve: ServeChild | undefined;
  const schema = `pogo_crash_${process.pid}_${randomBytes(4).toString("hex")}`;

  beforeAll(async () => {
    await ensureTestImages();
    receiver = await new HttpReceiver().start();
    base = await mkdtemp(join(tmpdir(), "pogo-crash-"));
  });
  afterAll(async () => {
    if (serve) await stopServeChild(serve);
    await receiver.close();
    if (backend.name === "postgres") {
      await dropSchema({ dataDir: base, databaseUrl: postgresUrl, databaseSchema: schema });
    }
    await rm(base, { recursive: true, force: true });
  });

  it("marks the run interrupted and runs queued work after restart", async () => {
    const env = { ...process.env, POGO_CONFIG: join(base, "config.json") };
    const args = ["--data-dir", join(base, "data"), "--ci-runs", "1"];
    if (backend.name === "postgres") args.push("--database-url", `${postgresUrl}?schema=${schema}`);
    serve = await startServeChild(args, env);
    const token = serve.adminToken!;
    let client = new PogoClient(serve.url, token);
    await client.createRepository("crash", true);

    const work = join(base, "work");
    await mkdir(join(work, ".pogo", "ci"), { recursive: true });
    await writeFile(join(work, ".pogo", "ci", "slow.yaml"), SLOW_CONFIG);
    await writeFile(join(work, ".pogo", "ci", "notify.yaml"), notifyConfig(receiver.url));
    await writeFile(join(work, "README.md"), "crash test\n");
    const pushed = await push({
      client,
      repository: "crash",
      root: work,
      author: "Ada <ada@example.com>",
      description: "slow pipeline",
    });
    await client.setBookmark("crash", "main", pushed.revision.id);

    // Wait until the main container runs, so the kill lands mid-task.
    const runId = await waitFor(
      async () => {
        const { runs } = await client.listRuns("crash");
        const run = runs[0];
        if (!run || run.status !== "running") return undefined;
        const detail = await client.getRun("crash", run.id);
        if (detail.pipelines[0]?.tasks[0]?.status !== "running") return undefined;
        const log = await client.runLog("crash", run.id, 0, 0);
        return log.lines.some((line) => line.text === "started") ? run.id : undefined;
      },
      60_000,
      "the slow container to start",
    );
    // With --ci-runs 1 the second event stays queued behind the slow run.
    await client.setBookmark("crash", "later", pushed.revision.id);
    const before = await engineObjectsOfRun(runId);
    expect(before.containers.length).toBe(2);
    expect(before.networks.length).toBe(1);

    serve.child.kill("SIGKILL");
    await serve.exit;
    serve = await startServeChild(args, env);
    client = new PogoClient(serve.url, token);

    const interrupted = await waitFor(async () => {
      const run = await client.getRun("crash", runId);
      return run.status === "interrupted" ? run : undefined;
    });
    expect(interrupted.pipelines[0]!.status).toBe("interrupted");
    expect(interrupted.pipelines[0]!.tasks[0]!.status).toBe("interrupted");
    const log = await client.runLog("crash", runId, 0, 0);
    expect(log.complete).toBe(true);
    expect(log.lines.map((line) => line.text)).toContain("started");

    const later = await waitFor(async () => {
      const { runs } = await client.listRuns("crash", { bookmark: "later" });
      return runs[0]?.status === "success" ? runs[0] : undefined;
    });
    expect(later.event).toBe("push");
    expect(receiver.requests.map((request) => request.url)).toContain("/after-restart/later");

    await waitFor(async () => {
      const after = await engineObjectsOfRun(runId);
      return after.containers.length + after.networks.length === 0 ? true : undefined;
    });
  });
});
