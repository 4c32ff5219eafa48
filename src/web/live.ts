import type { FastifyReply, FastifyRequest } from "fastify";
import type { Repository } from "../store/records.js";
import { durationText } from "./format.js";
import { isActive, type TaskDetail } from "./model.js";
import { logLineHtml, taskFactsHtml } from "./pages/run.js";
import type { RunControl, RunHistoryReader, RunUpdate } from "./run-history.js";

// A client that falls this many bytes behind is dropped, so the server
// never buffers an unbounded log. Its browser reconnects and reloads the page.
const MAX_BUFFERED_BYTES = 1024 * 1024;
const HEARTBEAT_MS = 15_000;

export interface StreamRunOptions {
  request: FastifyRequest;
  reply: FastifyReply;
  runs: RunHistoryReader;
  control: RunControl;
  repository: Repository;
  runId: string;
  now: () => number;
}

/**
 * Streams a run's updates as Server-Sent Events until the run ends or the
 * client leaves. It subscribes before reading the run, so nothing falls in
 * between: the first events restate each pipeline and task and count each
 * log's lines, and the browser fetches any lines it is missing. A run that
 * already ended gets one `reload` event, since the page should show it whole.
 */
export async function streamRun(options: StreamRunOptions): Promise<void> {
  const { request, reply, runs, control, repository, runId, now } = options;
  const queued: RunUpdate[] = [];
  let ready = false;
  let closed = false;
  const response = reply.raw;

  const send = (event: string, data: unknown) => {
    if (closed) return;
    response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    if (response.writableLength > MAX_BUFFERED_BYTES) {
      request.log.warn({ run: runId }, "live run stream dropped a slow client");
      finish();
    }
  };
  const deliver = (update: RunUpdate) => {
    const event = toEvent(update, now);
    send(event.name, event.data);
    if (update.kind === "run" && !isActive(update.status)) finish();
  };
  const unwatch = control.watch(runId, (update) => {
    if (ready) deliver(update);
    else queued.push(update);
  });
  let heartbeat: NodeJS.Timeout | undefined;
  function finish() {
    if (closed) return;
    closed = true;
    unwatch();
    if (heartbeat) clearInterval(heartbeat);
    response.end();
  }

  let run: Awaited<ReturnType<RunHistoryReader["getRun"]>>;
  try {
    run = await runs.getRun(repository.id, runId);
  } catch (error) {
    unwatch();
    throw error;
  }
  if (!run) {
    unwatch();
    reply.status(404).send({ error: { code: "RUN_NOT_FOUND", message: `run ${runId} not found` } });
    return;
  }

  reply.hijack();
  response.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-store",
    "x-accel-buffering": "no",
    "x-content-type-options": "nosniff",
  });
  request.raw.on("close", finish);
  heartbeat = setInterval(() => {
    if (!closed) response.write(": keep-alive\n\n");
  }, HEARTBEAT_MS);
  heartbeat.unref();
  response.write("retry: 3000\n\n");

  if (!isActive(run.status)) {
    send("reload", {});
    finish();
    return;
  }
  for (const pipeline of run.pipelines) {
    send("pipeline", {
      pipeline: pipeline.index,
      status: pipeline.status,
      reason: pipeline.reason,
      duration: durationText(pipeline.startedAt, pipeline.finishedAt, now()),
    });
    if (pipeline.log.length > 0)
      send("count", { pipeline: pipeline.index, count: pipeline.log.length });
    for (const task of pipeline.tasks) {
      send("task", taskEvent(pipeline.index, task, now));
      send("count", { pipeline: pipeline.index, task: task.index, count: task.log.length });
    }
  }
  ready = true;
  for (const update of queued.splice(0)) deliver(update);
}

function toEvent(update: RunUpdate, now: () => number): { name: string; data: unknown } {
  switch (update.kind) {
    case "log":
      return {
        name: "log",
        data: {
          pipeline: update.pipeline,
          task: update.task ?? null,
          number: update.number,
          html: logLineHtml(update.line).value,
        },
      };
    case "task":
      return {
        name: "task",
        data: taskEvent(
          update.pipeline,
          {
            index: update.task,
            type: "container",
            name: "",
            status: update.status,
            exitCode: update.exitCode,
            httpStatus: update.httpStatus,
            reason: update.reason,
            startedAt: update.startedAt,
            finishedAt: update.finishedAt,
            log: [],
            droppedLogLines: 0,
          },
          now,
        ),
      };
    case "pipeline":
      return {
        name: "pipeline",
        data: {
          pipeline: update.pipeline,
          status: update.status,
          reason: update.reason,
          duration: durationText(update.startedAt, update.finishedAt, now()),
        },
      };
    case "run":
      return { name: "run", data: { status: update.status } };
  }
}

function taskEvent(pipeline: number, task: TaskDetail, now: () => number) {
  return {
    pipeline,
    task: task.index,
    status: task.status,
    reason: task.reason,
    factsHtml: taskFactsHtml(task, now()).value,
  };
}
