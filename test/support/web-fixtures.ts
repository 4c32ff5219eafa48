import type {
  LogLineView,
  PipelineDetail,
  RunDetail,
  RunStatus,
  TaskDetail,
} from "../../src/web/model.js";

/** Returns a container task with a short ANSI-coloured build log, as `npm ci && npm test` prints. */
export function containerTask(
  index: number,
  status: TaskDetail["status"],
  startedAt: number,
  fields: Partial<TaskDetail> = {},
): TaskDetail {
  const log: LogLineView[] = [
    { stream: "info", text: "pulling node:20-alpine", time: startedAt },
    { stream: "stdout", text: "$ npm ci", time: startedAt + 200 },
    { stream: "stdout", text: "added 214 packages in 6s", time: startedAt + 6200 },
    { stream: "stdout", text: "$ npm test", time: startedAt + 6300 },
    {
      stream: "stdout",
      text: "\x1b[1m\x1b[46m RUN \x1b[49m\x1b[22m \x1b[36mv4.1.12\x1b[39m",
      time: startedAt + 7000,
    },
    {
      stream: "stdout",
      text: " \x1b[32m✓\x1b[39m src/store/store.test.ts \x1b[2m(42 tests)\x1b[22m",
      time: startedAt + 8000,
    },
    {
      stream: "stdout",
      text: " \x1b[32m✓\x1b[39m src/server/api.test.ts \x1b[2m(31 tests)\x1b[22m",
      time: startedAt + 9000,
    },
    {
      stream: "stderr",
      text: "\x1b[33mwarn\x1b[39m deprecated option --foo; use --bar",
      time: startedAt + 9100,
    },
    {
      stream: "stdout",
      text: " \x1b[38;5;208m●\x1b[0m \x1b[38;2;120;160;255mbenchmarks skipped\x1b[0m",
      time: startedAt + 9200,
    },
  ];
  if (status === "failed") {
    log.push({
      stream: "stdout",
      text: " \x1b[31m✗\x1b[39m src/web/routes.test.ts > sign-in \x1b[31m1 failed\x1b[39m",
      time: startedAt + 9800,
    });
  }
  return {
    index,
    type: "container",
    name: "node:20-alpine",
    status,
    exitCode: status === "failed" ? 1 : status === "success" ? 0 : null,
    httpStatus: null,
    reason: status === "failed" ? "command `npm test` exited with code 1" : null,
    startedAt,
    finishedAt: status === "running" || status === "pending" ? null : startedAt + 10_000,
    log,
    droppedLogLines: 0,
    ...fields,
  };
}

/** Returns a webhook task that got an HTTP 200. */
export function webhookTask(
  index: number,
  status: TaskDetail["status"],
  startedAt: number | null,
): TaskDetail {
  const done = status === "success";
  return {
    index,
    type: "webhook",
    name: "POST https://deploy.example.com/api/deploy",
    status,
    exitCode: null,
    httpStatus: done ? 200 : null,
    reason: done ? "HTTP 200 after 1 attempt" : null,
    startedAt,
    finishedAt: done && startedAt !== null ? startedAt + 420 : null,
    log:
      done && startedAt !== null
        ? [
            {
              stream: "info",
              text: "attempt 1: POST https://deploy.example.com/api/deploy",
              time: startedAt,
            },
            { stream: "info", text: "attempt 1: HTTP 200 in 412 ms", time: startedAt + 412 },
            {
              stream: "stdout",
              text: '{"deployment":"queued","version":"v1.2.0"}',
              time: startedAt + 415,
            },
          ]
        : [],
    droppedLogLines: 0,
  };
}

/** Returns a pipeline whose tasks are a container build and a deploy webhook. */
export function buildPipeline(index: number, status: RunStatus, startedAt: number): PipelineDetail {
  const taskStatus = status === "queued" || status === "interrupted" ? "pending" : status;
  const build = containerTask(0, taskStatus === "cancelled" ? "cancelled" : taskStatus, startedAt);
  const webhookStatus =
    status === "success" ? "success" : status === "running" ? "pending" : "skipped";
  const webhook = webhookTask(1, webhookStatus, status === "success" ? startedAt + 10_100 : null);
  return {
    index,
    file: ".pogo/ci/build.yaml",
    pattern: "main",
    status,
    reason: status === "failed" ? "task 1 failed: command `npm test` exited with code 1" : null,
    warnings: [],
    startedAt,
    finishedAt: status === "running" || status === "queued" ? null : startedAt + 10_600,
    log: [],
    tasks: [build, webhook],
  };
}

const STATUS_CYCLE: RunStatus[] = [
  "success",
  "success",
  "failed",
  "success",
  "cancelled",
  "success",
  "interrupted",
];
const BOOKMARKS = ["main", "release/v1.2", "feature/login", "main", "docs"];

/** Returns `count` finished runs, oldest first, ending before `end`, two pipelines each. */
export function historicRuns(count: number, end: number, revisionId: string): RunDetail[] {
  const runs: RunDetail[] = [];
  for (let index = 0; index < count; index++) {
    const createdAt = end - (count - index) * 90_000;
    const status = STATUS_CYCLE[index % STATUS_CYCLE.length]!;
    const bookmark = BOOKMARKS[index % BOOKMARKS.length]!;
    const lint: PipelineDetail = {
      ...buildPipeline(1, "success", createdAt + 500),
      file: ".pogo/ci/lint.yml",
      pattern: "*",
      tasks: [containerTask(0, "success", createdAt + 500, { name: "node:20-alpine" })],
    };
    runs.push({
      id: `r${String(index).padStart(5, "0")}-${((index * 2654435761) >>> 0).toString(16)}`,
      event: index % 23 === 22 ? "remove" : "push",
      bookmark,
      revisionId,
      status,
      createdAt,
      startedAt: createdAt + 400,
      finishedAt: createdAt + 11_000,
      pipelines: [
        {
          ...buildPipeline(0, status, createdAt + 400),
          pattern: bookmark === "main" ? "main" : "*",
        },
        lint,
      ],
    });
  }
  return runs;
}
