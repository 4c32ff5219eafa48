import type { FastifyReply, FastifyRequest } from "fastify";
import { isActive, type PipelineDetail, type TaskDetail } from "../web/model.js";
import type { RunBus } from "./bus.js";
import { type LogRef, PIPELINE_LOG, type RunStore, type StoredLine } from "./run-store.js";

/** Time between database reads when no wake-up comes (a run on another server). */
const POLL_MS = 1_000;
/** Shortest time between reads, so a chatty run cannot make a stream read without pause. */
const MIN_READ_INTERVAL_MS = 100;
const HEARTBEAT_MS = 15_000;
/** A client that falls this far behind is dropped instead of buffered without bound. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/** StreamTarget selects what a stream follows: a whole run, or one task's (or pipeline's) log. */
export interface StreamTarget {
  repositoryId: number;
  runId: string;
  /** With `task`, only that log: a task index, or PIPELINE_LOG for the pipeline's own lines. */
  only?: { pipeline: number; task: number };
}

/**
 * Streams a run as Server-Sent Events: first everything recorded so far
 * (catch-up), then changes as they are stored, and ends with an `end` event
 * once the run (or the followed task) has finished and its last line was
 * sent. Events: `pipeline` and `task` (status records, whenever they
 * change), `line` (one log line, `task` null for a pipeline's own lines),
 * `run` (the run's status), `end`. It reads the database, so it works
 * wherever the run executes; the bus only makes it read sooner.
 */
export async function streamRunEvents(
  request: FastifyRequest,
  reply: FastifyReply,
  runs: RunStore,
  bus: RunBus,
  target: StreamTarget,
  openStreams?: Set<() => void>,
): Promise<void> {
  const response = reply.raw;
  let closed = false;
  let wake: (() => void) | undefined;
  const unsubscribe = bus.subscribe(target.runId, () => wake?.());
  const heartbeat = setInterval(() => {
    if (!closed) response.write(": keep-alive\n\n");
  }, HEARTBEAT_MS);
  heartbeat.unref();
  const finish = () => {
    if (closed) return;
    closed = true;
    openStreams?.delete(finish);
    unsubscribe();
    clearInterval(heartbeat);
    wake?.();
    response.end();
  };
  request.raw.on("close", finish);
  openStreams?.add(finish);

  reply.hijack();
  response.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-store",
    "x-accel-buffering": "no",
  });
  const send = (event: string, data: unknown) => {
    if (closed) return;
    response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    if (response.writableLength > MAX_BUFFERED_BYTES) {
      request.log.warn({ run: target.runId }, "run event stream dropped a slow client");
      finish();
    }
  };

  const sent = new Map<string, string>();
  const lastLine = new Map<string, number>();
  const changed = (key: string, value: unknown) => {
    const text = JSON.stringify(value);
    if (sent.get(key) === text) return false;
    sent.set(key, text);
    return true;
  };
  const sendLines = async (ref: LogRef): Promise<boolean> => {
    const key = `${ref.pipeline}:${ref.task}`;
    const { lines, complete } = await runs.readLog(ref, lastLine.get(key) ?? 0);
    for (const line of lines) send("line", lineEvent(ref, line));
    if (lines.length > 0) lastLine.set(key, lines[lines.length - 1]!.number);
    return complete;
  };

  try {
    while (!closed) {
      const woken = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, POLL_MS);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      const run = await runs.getRunDetail(target.repositoryId, target.runId, { logs: false });
      if (!run) break;
      let done = !isActive(run.status);
      for (const pipeline of run.pipelines) {
        if (target.only && target.only.pipeline !== pipeline.index) continue;
        const pipelineView = pipelineEvent(pipeline);
        const pipelineChanged = !target.only && changed(`p${pipeline.index}`, pipelineView);
        if (pipelineChanged && isActive(pipeline.status)) send("pipeline", pipelineView);
        if (!target.only || target.only.task === PIPELINE_LOG) {
          const complete = await sendLines({
            runId: run.id,
            pipeline: pipeline.index,
            task: PIPELINE_LOG,
          });
          if (target.only) done = complete || !isActive(pipeline.status);
        }
        for (const task of pipeline.tasks) {
          if (target.only && target.only.task !== task.index) continue;
          const taskView = taskEvent(pipeline.index, task);
          const taskChanged = changed(`t${pipeline.index}:${task.index}`, taskView);
          if (taskChanged && isActive(task.status)) send("task", taskView);
          const complete = await sendLines({
            runId: run.id,
            pipeline: pipeline.index,
            task: task.index,
          });
          if (taskChanged && !isActive(task.status)) send("task", taskView);
          if (target.only) {
            const ended = !isActive(task.status);
            done = ended && (complete || task.status === "skipped" || !isActive(run.status));
          }
        }
        if (pipelineChanged && !isActive(pipeline.status)) send("pipeline", pipelineView);
      }
      if (!target.only && changed("run", run.status)) {
        send("run", { status: run.status, reason: run.reason, finishedAt: run.finishedAt });
      }
      if (done) {
        send("end", {});
        break;
      }
      await woken;
      if (!closed) await new Promise((resolve) => setTimeout(resolve, MIN_READ_INTERVAL_MS));
    }
  } catch (error) {
    request.log.error({ err: error, run: target.runId }, "run event stream failed");
    send("error", { message: "the server failed to read the run; see its log" });
  } finally {
    finish();
  }
}

function lineEvent(ref: LogRef, line: StoredLine) {
  return {
    pipeline: ref.pipeline,
    task: ref.task === PIPELINE_LOG ? null : ref.task,
    number: line.number,
    stream: line.stream,
    text: line.text,
    time: line.time,
  };
}

function pipelineEvent(pipeline: PipelineDetail) {
  return {
    pipeline: pipeline.index,
    file: pipeline.file,
    pattern: pipeline.pattern,
    status: pipeline.status,
    reason: pipeline.reason,
    startedAt: pipeline.startedAt,
    finishedAt: pipeline.finishedAt,
  };
}

function taskEvent(pipeline: number, task: TaskDetail) {
  return {
    pipeline,
    task: task.index,
    type: task.type,
    name: task.name,
    status: task.status,
    exitCode: task.exitCode,
    httpStatus: task.httpStatus,
    reason: task.reason,
    startedAt: task.startedAt,
    finishedAt: task.finishedAt,
    droppedLogLines: task.droppedLogLines,
  };
}
