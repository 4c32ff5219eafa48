import { describe, expect, it } from "vitest";
import { templateData } from "../config/event.js";
import type { ContainerSpec } from "../config/types.js";
import { Runner } from "../runner/runner.js";
import { secretSource } from "../runner/secrets.js";
import type { PipelineRun, TaskRun } from "../runner/types.js";
import type { TaskContext, TaskExecutor, TaskResult } from "../tasks/task.js";
import { WebhookExecutor } from "../tasks/webhook.js";
import { liveReporter, painter } from "./commands/ci-report.js";
import { CLEAR_LINE, formatPullLine, PullState } from "./pull-progress.js";

describe("formatPullLine", () => {
  it("counts finished layers and bytes", () => {
    const state = new PullState("node:20");
    state.update({ kind: "pull", image: "node:20", status: "Pulling from library/node" });
    state.update({ kind: "pull", image: "node:20", layer: "a", status: "Already exists" });
    state.update({ kind: "pull", image: "node:20", layer: "b", status: "Waiting" });
    state.update({
      kind: "pull",
      image: "node:20",
      layer: "c",
      status: "Downloading",
      current: 1_500_000,
      total: 4_000_000,
    });
    expect(formatPullLine(state)).toBe("pulling node:20: 1/3 layers, 1.5/4.0 MB");

    state.update({
      kind: "pull",
      image: "node:20",
      layer: "c",
      status: "Extracting",
      current: 100,
      total: 4_000_000,
    });
    expect(formatPullLine(state)).toBe("pulling node:20: 1/3 layers, 4.0/4.0 MB");

    state.update({ kind: "pull", image: "node:20", layer: "c", status: "Pull complete" });
    expect(formatPullLine(state)).toBe("pulling node:20: 2/3 layers, 4.0/4.0 MB");
  });

  it("leaves out bytes before any download", () => {
    const state = new PullState("busybox");
    state.update({ kind: "pull", image: "busybox", layer: "a", status: "Pulling fs layer" });
    expect(formatPullLine(state)).toBe("pulling busybox: 0/1 layers");
  });
});

/** PullingExecutor sends progress as image-source does: structured when the sink takes it, else lines. */
class PullingExecutor implements TaskExecutor<ContainerSpec> {
  readonly kind = "container";

  async run(_spec: ContainerSpec, context: TaskContext): Promise<TaskResult> {
    const update = {
      kind: "pull" as const,
      image: "busybox",
      layer: "a1",
      status: "Downloading",
      current: 500_000,
      total: 1_000_000,
    };
    if (context.log.progress) context.log.progress(update);
    else context.log.info(`${update.layer}: ${update.status}`);
    context.log.info("pulled image busybox in 0.1 s");
    return { status: "success", exitCode: 0 };
  }
}

async function runWithReporter(tty: boolean): Promise<string> {
  let output = "";
  const webhook = new WebhookExecutor();
  try {
    await new Runner({ executors: { webhook, container: new PullingExecutor() } }).runEvent({
      event: {
        type: "push",
        bookmark: "main",
        data: templateData({ Rev: "main", EventType: "push" }),
      },
      secrets: secretSource({}),
      plans: [
        {
          file: ".pogo/ci/a.yaml",
          pattern: "main",
          warnings: [],
          config: {
            version: 1,
            on: { push: { bookmarks: ["main"] } },
            do: [{ type: "container", container: { image: "busybox" } }],
          },
        },
      ],
      observer: liveReporter(
        (text) => {
          output += text;
        },
        painter(false),
        { tty },
      ),
    });
  } finally {
    await webhook.close();
  }
  return output;
}

describe("liveReporter progress", () => {
  it("prints plain lines off a terminal", async () => {
    const output = await runWithReporter(false);
    expect(output).toContain("[a.yaml] a1: Downloading\n");
    expect(output).not.toContain(CLEAR_LINE);
  });

  it("draws and clears one line on a terminal", async () => {
    const output = await runWithReporter(true);
    expect(output).not.toContain("a1: Downloading");
    expect(output).toContain(
      `${CLEAR_LINE}[a.yaml] pulling busybox: 0/1 layers, 0.5/1.0 MB${CLEAR_LINE}[a.yaml] pulled image busybox in 0.1 s\n`,
    );
  });

  it("cuts the line to the terminal width", () => {
    let output = "";
    const reporter = liveReporter(
      (text) => {
        output += text;
      },
      painter(false),
      { tty: true, columns: 30 },
    );
    const pipeline = { file: ".pogo/ci/a.yaml", index: 0 } as PipelineRun;
    const task = { index: 0 } as TaskRun;
    reporter.progress!(pipeline, task, {
      kind: "pull",
      image: "registry.example/very/long/image:tag",
      layer: "a",
      status: "Waiting",
    });
    expect(output).toBe(`${CLEAR_LINE}[a.yaml] pulling registry.ex…`);
    expect(output.length - CLEAR_LINE.length).toBeLessThan(30);
  });

  it("has no progress hook off a terminal", () => {
    expect(liveReporter(() => {}, painter(false)).progress).toBeUndefined();
  });
});
