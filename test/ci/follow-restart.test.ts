import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { FOLLOW_CONNECTION_LOST } from "../../src/cli/commands/ci-runs.js";
import { PogoClient } from "../../src/client/api.js";
import { push } from "../../src/client/push.js";
import { runPogo } from "../e2e/pogo.js";
import { HttpReceiver } from "../helpers/http-receiver.js";
import { waitFor } from "../support/ci-server.js";
import { type ServeChild, startServeChild, stopServeChild } from "../support/serve-child.js";

const HANGING = (receiver: string) => `version: 1
on:
  push:
    bookmarks: ["main"]
do:
  - webhook:
      url: ${receiver}/hang
      method: POST
`;

describe("pogo ci runs inspect --follow across a server stop", () => {
  let base: string;
  let receiver: HttpReceiver;
  let serve: ServeChild | undefined;

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), "pogo-follow-"));
    receiver = await new HttpReceiver().replyAlways("hang").start();
  });
  afterEach(async () => {
    if (serve) await stopServeChild(serve);
    serve = undefined;
  });
  afterAll(async () => {
    await receiver.close();
    await rm(base, { recursive: true, force: true });
  });

  /** Starts a server with a run that waits on a webhook, and follows it from the CLI. */
  const followRunningRun = async (name: string) => {
    const env = { ...process.env, POGO_CONFIG: join(base, `${name}.json`) };
    serve = await startServeChild(["--data-dir", join(base, name)], env);
    const client = new PogoClient(serve.url, serve.adminToken!);
    await client.createRepository("follow", false);
    const work = join(base, `${name}-work`);
    await mkdir(join(work, ".pogo", "ci"), { recursive: true });
    await writeFile(join(work, ".pogo", "ci", "hang.yaml"), HANGING(receiver.url));
    const pushed = await push({
      client,
      repository: "follow",
      root: work,
      author: "Ada <ada@example.com>",
      description: "a hanging webhook",
    });
    await client.setBookmark("follow", "main", pushed.revision.id);
    const runId = await waitFor(async () => {
      const run = (await client.listRuns("follow")).runs[0];
      return run?.status === "running" && receiver.requests.length > 0 ? run.id : undefined;
    });

    let printed = "";
    let resolveStarted: () => void = () => {};
    const started = new Promise<void>((resolve) => {
      resolveStarted = resolve;
    });
    const follow = runPogo(["ci", "runs", "inspect", runId, "--follow", "--repository", "follow"], {
      cwd: base,
      env: { POGO_CONFIG: env.POGO_CONFIG, POGO_SERVER: serve.url, POGO_TOKEN: serve.adminToken },
      onStdout: (chunk) => {
        printed += chunk;
        if (printed.includes("task 1 webhook")) resolveStarted();
      },
      timeoutMs: 60_000,
    });
    await started;
    return { runId, follow };
  };

  const lostLine = (runId: string) =>
    `pogo: lost the connection to the server; the run goes on: pogo ci runs inspect ${runId}\n`;

  it("reports a lost server after SIGTERM", async () => {
    const { runId, follow } = await followRunningRun("term");
    await stopServeChild(serve!);
    const result = await follow;
    expect(result.stderr).toBe(lostLine(runId));
    expect(result.code).toBe(FOLLOW_CONNECTION_LOST);
  });

  it("reports a lost server after SIGKILL", async () => {
    const { runId, follow } = await followRunningRun("kill");
    serve!.child.kill("SIGKILL");
    await serve!.exit;
    const result = await follow;
    expect(result.stderr).toBe(lostLine(runId));
    expect(result.code).toBe(FOLLOW_CONNECTION_LOST);
  });
});
