// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${NAME}` is the secret syntax under test.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testCommand } from "../src/cli/commands/ci-test.js";
import { ContainerExecutor } from "../src/tasks/container.js";
import { WebhookExecutor } from "../src/tasks/webhook.js";
import { HttpReceiver } from "./helpers/http-receiver.js";
import { findTestEngine } from "./support/engine.js";
import { BUSYBOX_IMAGE, ensureTestImages } from "./support/images.js";

const { engine, skipReason } = await findTestEngine();
if (skipReason) console.warn(`pogo ci test container tests skipped: ${skipReason}`);

describe.skipIf(!engine)("pogo ci test with container tasks", () => {
  let receiver: HttpReceiver;
  let repo: string;

  beforeAll(async () => {
    await ensureTestImages();
    receiver = await new HttpReceiver().start();
    repo = mkdtempSync(path.join(tmpdir(), "pogo-ci-test-container-"));
    mkdirSync(path.join(repo, ".pogo", "ci"), { recursive: true });
    mkdirSync(path.join(repo, "sub"));
    writeFileSync(path.join(repo, "README.md"), "hello from the tree\n");
  });

  afterAll(async () => {
    await receiver?.close();
    if (repo) rmSync(repo, { recursive: true, force: true });
  });

  it("mounts the repository root and notifies after the build", async () => {
    writeFileSync(
      path.join(repo, ".pogo/ci/build.yaml"),
      `version: 1
on:
  push:
    bookmarks: ["v*"]
do:
  - type: container
    container:
      image: ${BUSYBOX_IMAGE}
      environment:
        TOKEN: \${DEPLOY_TOKEN}
      commands:
        - cat README.md
        - echo "token is $TOKEN"
        - test "$CI" = true
  - type: webhook
    webhook:
      url: ${receiver.url}/built/{{.Rev}}
      method: POST
      body: '{"token": "\${DEPLOY_TOKEN}"}'
`,
    );
    let out = "";
    const webhook = new WebhookExecutor();
    const container = new ContainerExecutor({ engine: engine!, sweepOnStart: false });
    const status = await testCommand(
      undefined,
      { eventType: "push", rev: "v1.0.0", secret: [] },
      {
        cwd: path.join(repo, "sub"),
        env: { DEPLOY_TOKEN: "container-secret-9d2" },
        stdout: (text) => {
          out += text;
        },
        stderr: () => {},
        colour: false,
        executors: { webhook, container },
      },
    );
    await webhook.close();

    expect(status).toBe(0);
    expect(out).toContain("[build.yaml] hello from the tree");
    expect(out).toContain("[build.yaml] token is ***");
    expect(out).not.toContain("container-secret-9d2");
    expect(receiver.requests.map((request) => request.url)).toEqual(["/built/v1.0.0"]);
    expect(receiver.requests[0]!.body.toString()).toBe('{"token": "container-secret-9d2"}');
  });

  it("states a stop reason once", async () => {
    writeFileSync(
      path.join(repo, ".pogo/ci/stop.yaml"),
      `version: 1
on:
  push:
    bookmarks: ["stop"]
do:
  - type: container
    container:
      image: ${BUSYBOX_IMAGE}
      timeout: 1s
      commands:
        - sleep 60
`,
    );
    const container = new ContainerExecutor({ engine: engine!, sweepOnStart: false });
    const runStopped = async (signal?: AbortSignal) => {
      let out = "";
      const status = await testCommand(
        undefined,
        { eventType: "push", rev: "stop", secret: [] },
        {
          cwd: repo,
          env: {},
          stdout: (text) => {
            out += text;
          },
          stderr: () => {},
          colour: false,
          executors: { webhook: new WebhookExecutor(), container },
          ...(signal ? { signal } : {}),
        },
      );
      return { status, out };
    };

    const timedOut = await runStopped();
    expect(timedOut.status).toBe(1);
    expect(timedOut.out).toContain(
      "[stop.yaml] timed out after 1 s; its containers were stopped\n",
    );
    expect(timedOut.out).not.toContain("timeout: timed out");

    const controller = new AbortController();
    setTimeout(() => controller.abort(), 500);
    const cancelled = await runStopped(controller.signal);
    expect(cancelled.out).toContain("[stop.yaml] cancelled; its containers were stopped\n");
    expect(cancelled.out).not.toContain("cancelled: cancelled");
  });
});
