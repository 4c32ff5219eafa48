// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${NAME}` is the secret syntax under test.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type CommandIo,
  interruptHandler,
  type TestFlags,
  testCommand,
} from "../src/cli/commands/ci-test.js";
import type { ContainerSpec, WebhookSpec } from "../src/config/types.js";
import type { TaskExecutor, TaskResult } from "../src/tasks/task.js";
import { WebhookExecutor } from "../src/tasks/webhook.js";
import { HttpReceiver } from "./helpers/http-receiver.js";

const SEED = new URL("./fixtures/config/seed/", import.meta.url).pathname;
const EXAMPLES = new URL("../examples/", import.meta.url).pathname;
const TOKEN = "deploy-token-7f3a9c";

let receiver: HttpReceiver;
let repo: string;
let out: string;
let err: string;

/** Copies a config into the test repository with its example host replaced by the receiver. */
function install(source: string, name = path.basename(source)): void {
  const text = readFileSync(source, "utf8").replace(
    /https:\/\/[a-z.-]+\.example\.(?:net|com)/g,
    receiver.url,
  );
  writeFileSync(path.join(repo, ".pogo", "ci", name), text);
}

function io(extra: Partial<CommandIo> = {}): CommandIo {
  return {
    cwd: repo,
    env: { DEPLOY_TOKEN: TOKEN },
    stdout: (text) => {
      out += text;
    },
    stderr: (text) => {
      err += text;
    },
    colour: false,
    ...extra,
  };
}

function flags(extra: Partial<TestFlags> = {}): TestFlags {
  return { eventType: "push", rev: "main", secret: [], ...extra };
}

/** Succeeds every container task, so a webhook after one runs without an engine. */
const passingContainers: TaskExecutor<ContainerSpec> = {
  kind: "container",
  async run(spec, context): Promise<TaskResult> {
    context.log.info(`pretend to run ${spec.image}`);
    return { status: "success", exitCode: 0 };
  },
};

beforeEach(async () => {
  receiver = await new HttpReceiver().start();
  repo = mkdtempSync(path.join(tmpdir(), "pogo-ci-test-"));
  mkdirSync(path.join(repo, ".pogo", "ci"), { recursive: true });
  out = "";
  err = "";
});

afterEach(async () => {
  await receiver.close();
  rmSync(repo, { recursive: true, force: true });
});

describe("pogo ci test with the documented webhooks", () => {
  it("sends the webhook task example", async () => {
    install(path.join(SEED, "webhook-task.yaml"));
    const archive = "http://127.0.0.1:9/repository/demo/archive/v1.2.0";
    const status = await testCommand(
      undefined,
      flags({ rev: "v1.2.0", archiveUrl: archive }),
      io(),
    );

    expect(status).toBe(0);
    expect(receiver.requests).toHaveLength(1);
    const request = receiver.requests[0]!;
    expect(request.method).toBe("POST");
    expect(request.url).toBe("/job/deploy-release/buildWithParameters");
    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(request.body.toString()).toBe(`{"VERSION": "v1.2.0", "ZIP": "${archive}"}`);
    expect(out).not.toContain(TOKEN);
    expect(out).toMatch(/webhook-task\.yaml\s+v\*\s+success/);
  });

  it("sends the multiple events example on push and remove", async () => {
    install(path.join(SEED, "multiple-events.yaml"));

    expect(await testCommand(undefined, flags({ rev: "main" }), io())).toBe(0);
    expect(
      await testCommand(undefined, flags({ eventType: "remove", rev: "temp-123" }), io()),
    ).toBe(0);
    expect(receiver.requests.map((request) => [request.method, request.url])).toEqual([
      ["POST", "/webhook"],
      ["POST", "/webhook"],
    ]);
    expect(receiver.requests[0]!.body.length).toBe(0);
  });

  it("sends the multi-stage example after its container task", async () => {
    install(path.join(SEED, "multi-stage-pipeline.yaml"));
    const archive = "http://127.0.0.1:9/repository/demo/archive/v2.0.0";
    const now = "2026-01-02T03:04:05Z";
    const webhook = new WebhookExecutor();
    const status = await testCommand(
      undefined,
      flags({ rev: "v2.0.0", archiveUrl: archive, now }),
      io({ executors: { webhook, container: passingContainers } }),
    );
    await webhook.close();

    expect(status).toBe(0);
    const request = receiver.requests[0]!;
    expect(request.url).toBe("/api/deploy");
    expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(request.body.toString()).toBe(
      `{\n  "version": "v2.0.0",\n  "archive": "${archive}",\n  "timestamp": "${Date.parse(now) / 1000}"\n}\n`,
    );
    expect(out).toContain("pretend to run golang:1.22-alpine");
  });

  it("sends the deploy webhook example", async () => {
    install(path.join(EXAMPLES, "deploy-webhook.yaml"));
    const status = await testCommand(undefined, flags({ rev: "v1.2.0" }), io());

    expect(status).toBe(0);
    const body = JSON.parse(receiver.requests[0]!.body.toString());
    expect(body).toEqual({ version: "v1.2.0", revision: "local", archive: "", archive_token: "" });
  });
});

describe("pogo ci test", () => {
  const hook = (url: string, extra = "") =>
    `version: 1\non:\n  push:\n    bookmarks: [main]\ndo:\n  - type: webhook\n    webhook:\n      url: ${url}\n      method: POST\n${extra}`;

  it("exits 1 when a pipeline fails and runs the others", async () => {
    receiver.reply({ status: 404, body: "no such job" });
    writeFileSync(path.join(repo, ".pogo/ci/a.yaml"), hook(`${receiver.url}/missing`));
    writeFileSync(
      path.join(repo, ".pogo/ci/b.yaml"),
      "version: 1\non:\n  push:\n    bookmarks: [main]\ndo: []\nextra: 1\n",
    );
    writeFileSync(path.join(repo, ".pogo/ci/c.yaml"), hook(`${receiver.url}/ok`));
    const status = await testCommand(undefined, flags(), io());

    expect(status).toBe(1);
    expect(out).toMatch(/a\.yaml\s+main\s+failed .*404 Not Found/);
    expect(out).toMatch(/\[b\.yaml\] \.pogo\/ci\/b\.yaml:\d+:\d+: /);
    expect(out).toMatch(/c\.yaml\s+main\s+success/);
    expect(receiver.requests.map((request) => request.url).sort()).toEqual(["/missing", "/ok"]);
    expect(err).toBe("");
  });

  it("prints a line for each skipped task", async () => {
    receiver.reply({ status: 404 });
    const second =
      "  - type: webhook\n    webhook:\n      url: http://127.0.0.1:9/never\n      method: POST\n";
    writeFileSync(path.join(repo, ".pogo/ci/a.yaml"), hook(`${receiver.url}/missing`, second));
    const status = await testCommand(undefined, flags(), io());

    expect(status).toBe(1);
    expect(out).toContain("[a.yaml] task 2 skipped because task 1 failed\n");
    expect(receiver.requests).toHaveLength(1);
  });

  it("keeps a multi-line reason on one summary row", async () => {
    const webhook: TaskExecutor<WebhookSpec> = {
      kind: "webhook",
      async run(): Promise<TaskResult> {
        return { status: "failed", reason: "first line\nsecond line" };
      },
    };
    writeFileSync(path.join(repo, ".pogo/ci/a.yaml"), hook(`${receiver.url}/a`));
    await testCommand(
      undefined,
      flags(),
      io({ executors: { webhook, container: passingContainers } }),
    );

    const summary = out.slice(out.indexOf("PIPELINE"));
    expect(summary.trimEnd().split("\n")).toHaveLength(2);
    expect(summary).toMatch(/a\.yaml\s+main\s+failed .*first line\\nsecond line\n$/);
  });

  it("prints a line and exits 0 when nothing fires", async () => {
    install(path.join(SEED, "webhook-task.yaml"));
    const status = await testCommand(undefined, flags({ rev: "feature/x" }), io());

    expect(status).toBe(0);
    expect(out).toBe(
      'no pipeline fires for a push of bookmark "feature/x" (checked .pogo/ci/webhook-task.yaml)\n',
    );
    expect(receiver.requests).toHaveLength(0);
  });

  it("runs only the given file", async () => {
    writeFileSync(path.join(repo, ".pogo/ci/a.yaml"), hook(`${receiver.url}/a`));
    writeFileSync(path.join(repo, ".pogo/ci/b.yaml"), hook(`${receiver.url}/b`));
    const status = await testCommand(".pogo/ci/b.yaml", flags(), io());

    expect(status).toBe(0);
    expect(receiver.requests.map((request) => request.url)).toEqual(["/b"]);
  });

  it("fails a task whose secret is missing, sending nothing", async () => {
    install(path.join(SEED, "webhook-task.yaml"));
    const status = await testCommand(undefined, flags({ rev: "v1" }), io({ env: {} }));

    expect(status).toBe(1);
    expect(out).toContain("secret `DEPLOY_TOKEN` is not set");
    expect(receiver.requests).toHaveLength(0);
  });

  it("takes --secret over the environment", async () => {
    install(path.join(SEED, "webhook-task.yaml"));
    const status = await testCommand(
      undefined,
      flags({ rev: "v1", secret: ["DEPLOY_TOKEN=from-flag-value"] }),
      io(),
    );

    expect(status).toBe(0);
    expect(receiver.requests[0]!.headers.authorization).toBe("Bearer from-flag-value");
  });

  it("masks secrets echoed back in the response", async () => {
    receiver.reply((request) => ({ status: 200, body: `got ${request.headers.authorization}` }));
    install(path.join(SEED, "webhook-task.yaml"));
    await testCommand(undefined, flags({ rev: "v1" }), io());

    expect(out).toContain("got Bearer ***");
    expect(out).not.toContain(TOKEN);
  });

  it("shows rendered tasks on a dry run and sends nothing", async () => {
    install(path.join(SEED, "webhook-task.yaml"));
    const status = await testCommand(undefined, flags({ rev: "v3", dryRun: true }), io());

    expect(status).toBe(0);
    expect(receiver.requests).toHaveLength(0);
    expect(out).toContain('webhook-task.yaml (matched "v*") would run 1 task:');
    expect(out).toContain("Authorization: Bearer ***");
    expect(out).toContain(`body: '{"VERSION": "v3", "ZIP": ""}'`);
    expect(out).not.toContain(TOKEN);
  });

  it("reports a missing secret on a dry run", async () => {
    install(path.join(SEED, "webhook-task.yaml"));
    const status = await testCommand(
      undefined,
      flags({ rev: "v3", dryRun: true }),
      io({ env: {} }),
    );

    expect(status).toBe(1);
    expect(out).toContain("task 1 (webhook) would fail: secret `DEPLOY_TOKEN` is not set");
  });

  it("rejects an unknown event type", async () => {
    install(path.join(SEED, "webhook-task.yaml"));
    await expect(testCommand(undefined, flags({ eventType: "delete" }), io())).rejects.toThrow(
      'invalid --event-type "delete": use push or remove',
    );
  });

  it("rejects a malformed --secret without echoing its value", async () => {
    install(path.join(SEED, "webhook-task.yaml"));
    await expect(testCommand(undefined, flags({ secret: ["1BAD=hunter2"] }), io())).rejects.toThrow(
      'invalid --secret "1BAD"',
    );
  });
});

describe("pogo ci test as a process", () => {
  const pogo = new URL("../src/cli/pogo.ts", import.meta.url).pathname;
  const tsx = new URL("../node_modules/.bin/tsx", import.meta.url).pathname;

  it("exits 1 on failure, 2 on bad usage, without colour off a terminal", () => {
    writeFileSync(
      path.join(repo, ".pogo/ci/a.yaml"),
      "version: 1\non:\n  push:\n    bookmarks: [main]\ndo:\n  - type: webhook\n    webhook:\n      url: http://127.0.0.1:9/\n      method: HEAD\n      timeout: 2s\n",
    );
    const env = { ...process.env, FORCE_COLOR: "1" };
    const failed = spawnSync(tsx, [pogo, "ci", "test"], { cwd: repo, encoding: "utf8", env });
    expect(failed.status).toBe(1);
    expect(failed.stdout).toMatch(/a\.yaml\s+main\s+failed/);
    expect(failed.stdout).not.toContain("\u001b[");

    const usage = spawnSync(tsx, [pogo, "ci", "test", "--event-type", "nope"], {
      cwd: repo,
      encoding: "utf8",
    });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain("invalid --event-type");
  });

  // Node with the tsx loader, not the tsx wrapper, so signals and the
  // closed pipe reach pogo itself.
  const tsxLoader = new URL("../node_modules/tsx/dist/loader.mjs", import.meta.url).pathname;
  const spawnPogo = (args: string[]) =>
    spawn(process.execPath, ["--import", tsxLoader, pogo, ...args], { cwd: repo, stdio: "pipe" });

  // SIGHUP is what a closed terminal or SSH session sends.
  it.each([
    { signal: "SIGTERM" as const, message: "terminated, cancelling running tasks" },
    { signal: "SIGHUP" as const, message: "hung up, cancelling running tasks" },
  ])(
    "cancels on $signal as on SIGINT and exits 130",
    async ({ signal, message }) => {
      receiver.replyAlways("hang");
      writeFileSync(
        path.join(repo, ".pogo/ci/a.yaml"),
        `version: 1\non:\n  push:\n    bookmarks: [main]\ndo:\n  - type: webhook\n    webhook:\n      url: ${receiver.url}/slow\n      method: POST\n      timeout: 30s\n`,
      );
      const child = spawnPogo(["ci", "test"]);
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk) => {
        stdout += chunk;
      });
      child.stderr.on("data", (chunk) => {
        stderr += chunk;
      });
      const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
      const deadline = Date.now() + 20_000;
      while (receiver.requests.length === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      child.kill(signal);

      expect(await exited).toBe(130);
      expect(stderr).toContain(message);
      expect(stdout).toMatch(/a\.yaml\s+main\s+cancelled/);
    },
    30_000,
  );

  it("cancels the run when its output pipe closes", async () => {
    receiver.replyAlways("hang");
    const flaky = await new HttpReceiver().start();
    flaky.replyAlways({ status: 503, body: "busy" });
    try {
      writeFileSync(
        path.join(repo, ".pogo/ci/a.yaml"),
        `version: 1\non:\n  push:\n    bookmarks: [main]\ndo:\n  - webhook:\n      url: ${receiver.url}/slow\n      method: POST\n      timeout: 60s\n`,
      );
      writeFileSync(
        path.join(repo, ".pogo/ci/b.yaml"),
        `version: 1\non:\n  push:\n    bookmarks: [main]\ndo:\n  - webhook:\n      url: ${flaky.url}/busy\n      method: POST\n      retry_policy:\n        max_attempts: 10\n`,
      );
      const child = spawnPogo(["ci", "test"]);
      let stderr = "";
      child.stderr.on("data", (chunk) => {
        stderr += chunk;
      });
      const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
      // Like `| head -1`: the reader takes the first output and goes away.
      child.stdout.once("data", () => child.stdout.destroy());
      const started = Date.now();

      expect(await exited).toBe(130);
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(stderr).not.toContain("EPIPE");
      expect(stderr).not.toContain("unexpected error");
    } finally {
      await flaky.close();
    }
  }, 30_000);
});

describe("interruptHandler", () => {
  it("cancels on the first signal, keeps cleaning up on the second, exits on the third", () => {
    const controller = new AbortController();
    const written: string[] = [];
    const exits: number[] = [];
    const handle = interruptHandler(
      controller,
      (text) => written.push(text),
      (code) => exits.push(code),
    );
    handle("SIGINT");
    expect(controller.signal.aborted).toBe(true);
    handle("SIGINT");
    expect(exits).toEqual([]);
    expect(written[1]).toContain("cleanup in progress");
    handle("SIGINT");
    expect(exits).toEqual([130]);
    expect(written[2]).toContain("the next run removes what is left");
  });
});
