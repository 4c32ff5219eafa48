import type { FastifyReply, FastifyRequest } from "fastify";
import type { Repository } from "../store/records.js";
import { durationText } from "./format.js";
import { isActive, type PipelineDetail, type RunDetail, type TaskDetail } from "./model.js";
import { logLineHtml, taskFactsHtml } from "./pages/run.js";
import type { RunControl, RunHistoryReader, RunUpdate } from "./run-history.js";

// A client that falls this many bytes behind is dropped, so the server
// never buffers an unbounded log. Its browser reconnects and reloads the page.
const MAX_BUFFERED_BYTES = 1024 * 1024;
const HEARTBEAT_MS = 15_000;

/** DEFAULT_LIVE_POLL_MS is how long a live stream waits for an update before it reads the run itself. */
export const DEFAULT_LIVE_POLL_MS = 2000;

export interface StreamRunOptions {
  request: FastifyRequest;
  reply: FastifyReply;
  runs: RunHistoryReader;
  control: RunControl;
  repository: Repository;
  runId: string;
  now: () => number;
  pollMs?: number;
  /** Open streams: each adds its `finish` here while open, so a closing server can end them. */
  open: Set<() => void>;
}

type Event = { name: string; data: unknown };

/**
 * Streams a run's updates as Server-Sent Events until the run ends or the
 * client leaves. It subscribes before reading the run, so nothing falls in
 * between: the first events restate each pipeline and task and count each
 * log's lines, and the browser fetches any lines it is missing. Updates
 * only reach `control.watch` for runs executing in this process, so when
 * none came for `pollMs` the stream reads the run again and sends what
 * changed. A run that already ended gets one `reload` event, since the
 * page should show it whole.
 */
export async function streamRun(options: StreamRunOptions): Promise<void> {
  const { request, reply, runs, control, repository, runId, now } = options;
  const pollMs = options.pollMs ?? DEFAULT_LIVE_POLL_MS;
  const response = reply.raw;
  const queued: RunUpdate[] = [];
  // The state last sent to the client: a signature per pipeline and task,
  // and the highest line number per log, so a poll sends only what changed.
  const signatures = new Map<string, string>();
  const counts = new Map<string, number>();
  let ready = false;
  let closed = false;
  let lastUpdate = Date.now();
  let polling = false;
  let heartbeat: NodeJS.Timeout | undefined;
  let poller: NodeJS.Timeout | undefined;

  const send = (event: Event) => {
    if (closed) return;
    response.write(`event: ${event.name}\ndata: ${JSON.stringify(event.data)}\n\n`);
    if (response.writableLength > MAX_BUFFERED_BYTES) {
      request.log.warn({ run: runId }, "live run stream dropped a slow client");
      finish();
    }
  };
  const finish = () => {
    if (closed) return;
    closed = true;
    options.open.delete(finish);
    unwatch();
    if (heartbeat) clearInterval(heartbeat);
    if (poller) clearInterval(poller);
    response.end();
  };
  const deliver = (update: RunUpdate) => {
    lastUpdate = Date.now();
    remember(update, signatures, counts);
    send(toEvent(update, now));
    if (update.kind === "run" && !isActive(update.status)) finish();
  };
  const unwatch = control.watch(runId, (update) => {
    if (ready) deliver(update);
    else queued.push(update);
  });

  let run: RunDetail | undefined;
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
  options.open.add(finish);
  response.write("retry: 3000\n\n");
  if (!isActive(run.status)) {
    send({ name: "reload", data: {} });
    finish();
    return;
  }

  heartbeat = setInterval(() => {
    if (!closed) response.write(": keep-alive\n\n");
  }, HEARTBEAT_MS);
  heartbeat.unref();
  for (const event of changes(run, signatures, counts, now)) send(event);
  ready = true;
  for (const update of queued.splice(0)) deliver(update);

  poller = setInterval(async () => {
    if (closed || polling || Date.now() - lastUpdate < pollMs) return;
    polling = true;
    try {
      const current = await runs.getRun(repository.id, runId);
      if (!current) {
        finish();
        return;
      }
      for (const event of changes(current, signatures, counts, now)) send(event);
      if (!isActive(current.status)) {
        send({ name: "run", data: { status: current.status } });
        finish();
      }
    } catch (error) {
      request.log.error({ err: error, run: runId }, "reading a watched run failed");
    } finally {
      polling = false;
    }
  }, pollMs);
  poller.unref();
}

function logKey(pipeline: number, task: number | undefined): string {
  return task === undefined ? `${pipeline}` : `${pipeline}.${task}`;
}

function pipelineSignature(pipeline: Pick<PipelineDetail, "status" | "reason" | "finishedAt">) {
  return `${pipeline.status}|${pipeline.reason}|${pipeline.finishedAt}`;
}

function taskSignature(
  task: Pick<TaskDetail, "status" | "reason" | "exitCode" | "httpStatus" | "finishedAt">,
) {
  return `${task.status}|${task.reason}|${task.exitCode}|${task.httpStatus}|${task.finishedAt}`;
}

/** Records the state an update sent to the client. */
function remember(
  update: RunUpdate,
  signatures: Map<string, string>,
  counts: Map<string, number>,
): void {
  if (update.kind === "log") {
    const key = logKey(update.pipeline, update.task);
    counts.set(key, Math.max(counts.get(key) ?? 0, update.number));
  } else if (update.kind === "task") {
    signatures.set(`t${update.pipeline}.${update.task}`, taskSignature(update));
  } else if (update.kind === "pipeline") {
    signatures.set(`p${update.pipeline}`, pipelineSignature(update));
  }
}

/** Returns the events that bring the client from the state last sent to `run`, and records them. */
function changes(
  run: RunDetail,
  signatures: Map<string, string>,
  counts: Map<string, number>,
  now: () => number,
): Event[] {
  const events: Event[] = [];
  const count = (pipeline: number, task: number | undefined, length: number) => {
    const key = logKey(pipeline, task);
    if (length <= (counts.get(key) ?? 0)) return;
    counts.set(key, length);
    events.push({ name: "count", data: { pipeline, task: task ?? null, count: length } });
  };
  for (const pipeline of run.pipelines) {
    const signature = pipelineSignature(pipeline);
    if (signatures.get(`p${pipeline.index}`) !== signature) {
      signatures.set(`p${pipeline.index}`, signature);
      events.push({ name: "pipeline", data: pipelineEvent(pipeline, now) });
    }
    count(pipeline.index, undefined, pipeline.log.length);
    for (const task of pipeline.tasks) {
      const key = `t${pipeline.index}.${task.index}`;
      if (signatures.get(key) !== taskSignature(task)) {
        signatures.set(key, taskSignature(task));
        events.push({ name: "task", data: taskEvent(pipeline.index, task, now) });
      }
      count(pipeline.index, task.index, task.log.length);
    }
  }
  return events;
}

function toEvent(update: RunUpdate, now: () => number): Event {
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
        data: pipelineEvent({ ...update, index: update.pipeline }, now),
      };
    case "run":
      return { name: "run", data: { status: update.status } };
  }
}

function pipelineEvent(
  pipeline: Pick<PipelineDetail, "index" | "status" | "reason" | "startedAt" | "finishedAt">,
  now: () => number,
) {
  return {
    pipeline: pipeline.index,
    status: pipeline.status,
    reason: pipeline.reason,
    duration: durationText(pipeline.startedAt, pipeline.finishedAt, now()),
  };
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
