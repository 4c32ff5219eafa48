// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${NAME}` is the secret syntax under test.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HttpReceiver } from "../../test/helpers/http-receiver.js";
import { type CiEvent, templateData } from "../config/event.js";
import { loadConfig } from "../config/load.js";
import type { ContainerSpec, PipelineConfig, TaskConfig } from "../config/types.js";
import { NoEngineContainerExecutor, type TaskExecutors } from "../tasks/index.js";
import type { TaskContext, TaskExecutor, TaskResult } from "../tasks/task.js";
import { WebhookExecutor } from "../tasks/webhook.js";
import { Runner, taskName } from "./runner.js";
import { secretSource } from "./secrets.js";
import type { PipelinePlan, PipelineRun, RunObserver, TaskRun } from "./types.js";

const event: CiEvent = {
  type: "push",
  bookmark: "main",
  data: templateData({ Rev: "main", EventType: "push" }),
};

/**
 * FakeContainerExecutor replaces the engine: `image` picks the
 * behaviour (`ok`, `fail`, `hang`), `commands` are echoed to the log.
 */
class FakeContainerExecutor implements TaskExecutor<ContainerSpec> {
  readonly kind = "container";
  running = 0;
  maxRunning = 0;
  environments: Array<Record<string, string> | undefined> = [];

  async run(spec: ContainerSpec, context: TaskContext): Promise<TaskResult> {
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    this.environments.push(spec.environment);
    try {
      for (const command of spec.commands ?? []) context.log.write(`${command}\n`);
      if (spec.image === "fail") return { status: "failed", exitCode: 3, reason: "exit code 3" };
      if (spec.image === "hang" || spec.image.startsWith("sleep:")) {
        const ms = spec.image === "hang" ? 60_000 : Number(spec.image.slice(6));
        const finished = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(true), ms);
          context.signal.addEventListener("abort", () => {
            clearTimeout(timer);
            resolve(false);
          });
        });
        if (!finished) return { status: "cancelled", reason: "stopped" };
      }
      return { status: "success", exitCode: 0 };
    } finally {
      this.running--;
    }
  }
}

function container(image: string, extra: Partial<ContainerSpec> = {}): TaskConfig {
  return { type: "container", container: { image, ...extra } };
}

function plan(file: string, ...tasks: TaskConfig[]): PipelinePlan {
  const config: PipelineConfig = { version: 1, on: { push: { bookmarks: ["main"] } }, do: tasks };
  return { file, pattern: "main", config, warnings: [] };
}

let receiver: HttpReceiver;
let webhook: WebhookExecutor;
let fake: FakeContainerExecutor;
let executors: TaskExecutors;

beforeEach(async () => {
  receiver = await new HttpReceiver().start();
  webhook = new WebhookExecutor({ backoffBaseMs: 10, backoffMaxMs: 20 });
  fake = new FakeContainerExecutor();
  executors = { webhook, container: fake };
});

afterEach(async () => {
  await webhook.close();
  await receiver.close();
});

describe("Runner", () => {
  it("runs every task of every pipeline in order", async () => {
    const runner = new Runner({ executors });
    const result = await runner.runEvent({
      event,
      secrets: secretSource({}),
      plans: [
        plan(".pogo/ci/a.yaml", container("ok", { commands: ["one"] }), {
          type: "webhook",
          webhook: { url: `${receiver.url}/a`, method: "POST" },
        }),
        plan(".pogo/ci/b.yaml", container("ok", { commands: ["two"] })),
      ],
    });

    expect(result.status).toBe("success");
    expect(result.pipelines.map((pipeline) => pipeline.status)).toEqual(["success", "success"]);
    const [a] = result.pipelines;
    expect(a!.tasks.map((task) => task.status)).toEqual(["success", "success"]);
    expect(a!.tasks[0]!.log.map((line) => line.text)).toEqual(["one"]);
    expect(a!.tasks[1]!.httpStatus).toBe(200);
    expect(a!.tasks[1]!.name).toBe(`POST ${receiver.url}/a`);
    expect(a!.pattern).toBe("main");
    expect(a!.startedAt).toBeInstanceOf(Date);
    expect(a!.finishedAt!.getTime()).toBeGreaterThanOrEqual(a!.startedAt!.getTime());
    expect(receiver.requests.map((request) => request.url)).toEqual(["/a"]);
  });

  it("skips the tasks after the first failure", async () => {
    const runner = new Runner({ executors });
    const result = await runner.runEvent({
      event,
      secrets: secretSource({}),
      plans: [
        plan(".pogo/ci/a.yaml", container("ok"), container("fail"), {
          type: "webhook",
          webhook: { url: receiver.url, method: "POST" },
        }),
      ],
    });

    const [pipeline] = result.pipelines;
    expect(result.status).toBe("failed");
    expect(pipeline!.status).toBe("failed");
    expect(pipeline!.tasks.map((task) => task.status)).toEqual(["success", "failed", "skipped"]);
    expect(pipeline!.tasks[1]!.exitCode).toBe(3);
    expect(pipeline!.tasks[2]!.reason).toBe("skipped because task 2 failed");
    expect(pipeline!.reason).toBe("task 2 (container): exit code 3");
    expect(receiver.requests).toHaveLength(0);
  });

  it("records a broken config as a failed pipeline and runs the others", async () => {
    const runner = new Runner({ executors });
    const result = await runner.runEvent({
      event,
      secrets: secretSource({}),
      plans: [
        { file: ".pogo/ci/a.yaml", error: ".pogo/ci/a.yaml:3:5: unknown key `dox`", warnings: [] },
        plan(".pogo/ci/b.yaml", container("ok")),
      ],
    });

    expect(result.status).toBe("failed");
    const [broken, good] = result.pipelines;
    expect(broken!.status).toBe("failed");
    expect(broken!.reason).toBe(".pogo/ci/a.yaml:3:5: unknown key `dox`");
    expect(broken!.log.map((line) => line.text)).toEqual([
      ".pogo/ci/a.yaml:3:5: unknown key `dox`",
    ]);
    expect(good!.status).toBe("success");
  });

  it("fails a task with an unknown secret before sending anything", async () => {
    const runner = new Runner({ executors });
    const result = await runner.runEvent({
      event,
      secrets: secretSource({}),
      plans: [
        plan(".pogo/ci/a.yaml", {
          type: "webhook",
          webhook: {
            url: receiver.url,
            method: "POST",
            headers: { Authorization: "Bearer ${DEPLOY_TOKEN}" },
          },
        }),
      ],
    });

    const task = result.pipelines[0]!.tasks[0]!;
    expect(task.status).toBe("failed");
    expect(task.reason).toBe(
      "secret `DEPLOY_TOKEN` is not set (used in webhook header `Authorization`)",
    );
    expect(receiver.requests).toHaveLength(0);
  });

  it("passes resolved secrets to containers and masks them everywhere", async () => {
    const secret = "very-secret-password";
    const lines: string[] = [];
    const runner = new Runner({ executors });
    const result = await runner.runEvent({
      event,
      secrets: secretSource({ DB_PASSWORD: secret }),
      plans: [
        plan(
          ".pogo/ci/a.yaml",
          container("ok", {
            environment: { PASSWORD: "${DB_PASSWORD}", LITERAL: "$${DB_PASSWORD}" },
            commands: [`echo ${secret}`],
          }),
          {
            type: "webhook",
            webhook: { url: `${receiver.url}/?p=\${DB_PASSWORD}`, method: "GET" },
          },
        ),
      ],
      observer: { logLine: (_pipeline, _task, line) => lines.push(line.text) },
    });

    expect(result.status).toBe("success");
    expect(fake.environments[0]).toEqual({ PASSWORD: secret, LITERAL: "${DB_PASSWORD}" });
    expect(receiver.requests[0]!.url).toBe(`/?p=${secret}`);
    expect(lines).toContain("echo ***");
    expect(JSON.stringify(result)).not.toContain(secret);
    expect(lines.join("\n")).not.toContain(secret);
  });

  it("masks Basic credentials built from a secret in the URL", async () => {
    const secret = "very-secret-password";
    const encoded = Buffer.from(`deploy:${secret}`).toString("base64");
    receiver.replyAlways((request) => ({ status: 200, body: `${request.headers.authorization}` }));
    const lines: string[] = [];
    const runner = new Runner({ executors });
    const url = receiver.url.replace("http://", "http://deploy:${DB_PASSWORD}@");
    const result = await runner.runEvent({
      event,
      secrets: secretSource({ DB_PASSWORD: secret }),
      plans: [plan(".pogo/ci/a.yaml", { type: "webhook", webhook: { url, method: "POST" } })],
      observer: { logLine: (_pipeline, _task, line) => lines.push(line.text) },
    });

    expect(result.status).toBe("success");
    expect(receiver.requests[0]!.headers.authorization).toBe(`Basic ${encoded}`);
    expect(lines).toContain("  Basic ***");
    expect(JSON.stringify(result)).not.toContain(encoded);
  });

  it("masks a URL secret that moves the password's end", async () => {
    // The `@` and `/` in the secret end the URL's userinfo early, so the
    // URL's password is only the secret's first part.
    const port = new URL(receiver.url).port;
    const secret = `fake@127.0.0.1:${port}/hiddenpath`;
    const lines: string[] = [];
    const runner = new Runner({ executors });
    const result = await runner.runEvent({
      event,
      secrets: secretSource({ PASS: secret }),
      plans: [
        plan(".pogo/ci/a.yaml", {
          type: "webhook",
          webhook: { url: `http://u:\${PASS}@127.0.0.1:${port}/hook`, method: "POST" },
        }),
      ],
      observer: { logLine: (_pipeline, _task, line) => lines.push(line.text) },
    });

    expect(receiver.requests[0]!.url).toBe(`/hiddenpath@127.0.0.1:${port}/hook`);
    expect(lines.join("\n")).not.toContain("hiddenpath");
    expect(JSON.stringify(result)).not.toContain("hiddenpath");
  });

  it("keeps a secret whole where the response log is cut", async () => {
    const secret = "fake-Pw-123456";
    receiver.replyAlways((request) => ({
      status: 200,
      body: `${"x".repeat(2040)}${request.body}`,
    }));
    const lines: string[] = [];
    const runner = new Runner({ executors });
    const result = await runner.runEvent({
      event,
      secrets: secretSource({ PASS: secret }),
      plans: [
        plan(".pogo/ci/a.yaml", {
          type: "webhook",
          webhook: { url: receiver.url, method: "POST", body: "${PASS}" },
        }),
      ],
      observer: { logLine: (_pipeline, _task, line) => lines.push(line.text) },
    });

    expect(result.status).toBe("success");
    expect(lines).toContain("response body (first 2040 bytes of 2054 bytes):");
    expect(lines).toContain(`  ${"x".repeat(2040)}`);
    expect(lines.join("\n")).not.toContain("fake-");
  });

  it("runs pipelines concurrently up to the limit", async () => {
    const runner = new Runner({ executors, concurrency: 2 });
    const plans = ["a", "b", "c", "d", "e"].map((name) =>
      plan(`.pogo/ci/${name}.yaml`, container("sleep:50")),
    );
    const result = await runner.runEvent({ event, secrets: secretSource({}), plans });

    expect(result.status).toBe("success");
    expect(fake.maxRunning).toBe(2);
  });

  it("cancels running tasks and skips the rest", async () => {
    const controller = new AbortController();
    const runner = new Runner({ executors, concurrency: 1 });
    const running = runner.runEvent({
      event,
      secrets: secretSource({}),
      signal: controller.signal,
      plans: [
        plan(".pogo/ci/a.yaml", container("hang"), container("ok")),
        plan(".pogo/ci/b.yaml", container("ok")),
      ],
      observer: { taskStarted: () => setTimeout(() => controller.abort(), 20) },
    });
    const result = await running;

    expect(result.status).toBe("cancelled");
    const [a, b] = result.pipelines;
    expect(a!.status).toBe("cancelled");
    expect(a!.tasks.map((task) => task.status)).toEqual(["cancelled", "skipped"]);
    expect(b!.status).toBe("cancelled");
    expect(b!.reason).toBe("cancelled before it started");
    expect(b!.tasks.map((task) => task.status)).toEqual(["skipped"]);
  });

  it("times out a task that runs past its limit", async () => {
    const runner = new Runner({ executors });
    const result = await runner.runEvent({
      event,
      secrets: secretSource({}),
      plans: [plan(".pogo/ci/a.yaml", container("hang", { timeout: "100ms" }), container("ok"))],
    });

    const [pipeline] = result.pipelines;
    expect(pipeline!.status).toBe("failed");
    expect(pipeline!.tasks[0]!.status).toBe("timeout");
    expect(pipeline!.tasks[0]!.reason).toBe("timed out after 100 ms");
    expect(pipeline!.tasks[1]!.reason).toBe("skipped because task 1 ended with timeout");
  });

  it("fails container tasks without an engine while webhooks run", async () => {
    const runner = new Runner({
      executors: { webhook, container: new NoEngineContainerExecutor() },
    });
    const result = await runner.runEvent({
      event,
      secrets: secretSource({}),
      plans: [
        plan(".pogo/ci/build.yaml", container("node:20-alpine")),
        plan(".pogo/ci/hook.yaml", {
          type: "webhook",
          webhook: { url: receiver.url, method: "POST" },
        }),
      ],
    });

    const [build, hook] = result.pipelines;
    expect(build!.status).toBe("failed");
    expect(build!.tasks[0]!.reason).toContain("container tasks need a Docker or Podman engine");
    expect(hook!.status).toBe("success");
  });

  it("calls observer hooks in order", async () => {
    const calls: string[] = [];
    const observer: RunObserver = {
      eventStarted: (_runId, pipelines) =>
        calls.push(`event ${pipelines.map((p) => `${p.file} ${p.status}`).join(",")}`),
      pipelineStarted: (p: PipelineRun) => calls.push(`start ${p.file}`),
      taskStarted: (_p: PipelineRun, t: TaskRun) => calls.push(`task ${t.index}`),
      logLine: (_p, t, line) => calls.push(`log ${t?.index ?? "-"} ${line.text}`),
      taskFinished: (_p: PipelineRun, t: TaskRun) => calls.push(`done ${t.index} ${t.status}`),
      pipelineFinished: (p: PipelineRun) => calls.push(`end ${p.file} ${p.status}`),
    };
    const runner = new Runner({ executors });
    await runner.runEvent({
      event,
      secrets: secretSource({}),
      plans: [
        {
          ...plan("a.yaml", container("fail", { commands: ["x"] }), container("ok")),
          warnings: ["a.yaml:4:8: warning: quote the template"],
        },
      ],
      observer,
    });

    expect(calls).toEqual([
      "event a.yaml pending",
      "start a.yaml",
      "log - a.yaml:4:8: warning: quote the template",
      "task 0",
      "log 0 x",
      "log 0 exit code 3",
      "done 0 failed",
      "done 1 skipped",
      "end a.yaml failed",
    ]);
  });

  it("keeps running when an observer throws", async () => {
    const errors: unknown[] = [];
    const runner = new Runner({ executors });
    const result = await runner.runEvent({
      event,
      secrets: secretSource({}),
      plans: [plan("a.yaml", container("ok"))],
      observer: {
        taskStarted: () => {
          throw new Error("store is down");
        },
        observerError: (error) => errors.push(error),
      },
    });

    expect(result.status).toBe("success");
    expect(errors).toHaveLength(1);
  });

  it("keeps at most the configured log lines per task", async () => {
    const runner = new Runner({ executors, maxLogLinesPerTask: 2 });
    const result = await runner.runEvent({
      event,
      secrets: secretSource({}),
      plans: [plan("a.yaml", container("ok", { commands: ["1", "2", "3", "4"] }))],
    });

    const task = result.pipelines[0]!.tasks[0]!;
    expect(task.log.map((line) => line.text)).toEqual(["1", "2"]);
    expect(task.droppedLogLines).toBe(2);
  });

  it("plans and runs loaded configs", async () => {
    const text = `version: 1
on:
  push:
    bookmarks: [main]
do:
  - type: webhook
    webhook:
      url: ${receiver.url}/{{.Rev}}
      method: POST
      body: '{{now.Unix}}'
`;
    const runner = new Runner({ executors });
    const result = await runner.runConfigs({
      event,
      configs: [loadConfig(".pogo/ci/a.yaml", text), loadConfig(".pogo/ci/b.yaml", "version: 2\n")],
      secrets: secretSource({}),
      now: () => new Date("2026-01-01T00:00:00Z"),
    });

    expect(result.pipelines.map((pipeline) => pipeline.status)).toEqual(["success", "failed"]);
    expect(result.pipelines[1]!.reason).toMatch(/^\.pogo\/ci\/b\.yaml:1:\d+: /);
    expect(receiver.requests[0]!.url).toBe("/main");
    expect(receiver.requests[0]!.body.toString()).toBe("1767225600");
  });
});

describe("taskName", () => {
  it("shows a webhook URL without the password written in it", () => {
    const task: TaskConfig = {
      type: "webhook",
      webhook: { url: "http://fakeuser:fakepass@127.0.0.1:1/basicauth", method: "GET" },
    };
    expect(taskName(task)).toBe("GET http://fakeuser:***@127.0.0.1:1/basicauth");
  });
});
