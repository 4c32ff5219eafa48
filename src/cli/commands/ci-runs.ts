import type { Command } from "commander";
import type {
  LogLineInfo,
  PipelineInfo,
  PogoClient,
  RunDetailInfo,
  RunInfo,
  TaskInfo,
} from "../../client/api.js";
import type { ConnectionFlags } from "../../client/config.js";
import { readServerSentEvents } from "../../client/sse.js";
import { formatDuration } from "../../runner/duration.js";
import { PogoError, UsageError } from "../../util/errors.js";
import { useColour } from "./ci-local.js";
import {
  type Painter,
  painter,
  paints,
  pipelineLabel,
  terminalSafe,
  terminalSafeLines,
} from "./ci-report.js";
import { connect, linkedRepository, withConnectionOptions } from "./client-options.js";

interface RunsFlags extends ConnectionFlags {
  repository?: string;
}

interface ListFlags extends RunsFlags {
  status?: string;
  bookmark?: string;
  limit: string;
  offset: string;
}

interface InspectFlags extends RunsFlags {
  follow?: boolean;
}

interface CancelFlags extends RunsFlags {
  pipeline?: string;
}

/** RunsOutput is where the runs commands write; tests pass their own. */
export interface RunsOutput {
  write: (text: string) => void;
  /** Sink for problems (standard error in the CLI); default `write`. */
  warn?: (text: string) => void;
  paint: Painter;
}

/**
 * Exit status of `pogo ci runs inspect --follow` when the connection to the
 * server broke before the run ended (the server stopped or restarted).
 */
export const FOLLOW_CONNECTION_LOST = 3;

/** Adds `pogo ci runs list|inspect|cancel`. */
export function registerRunsCommands(parent: Command): void {
  const runs = parent
    .command("runs")
    .description("list, inspect, follow and cancel the CI runs of a repository on its server");

  withRunsOptions(
    runs
      .command("list")
      .description("list runs, newest first")
      .option(
        "--status <status>",
        "only runs with this status: queued, running, success, failed, cancelled or interrupted",
      )
      .option("--bookmark <name>", "only runs fired by this bookmark")
      .option("--limit <n>", "runs to show (1 to 100)", "20")
      .option("--offset <n>", "runs to skip, for paging", "0"),
  ).action(async (flags: ListFlags) => {
    const { client, repository } = await runsClient(flags);
    const page = await client.listRuns(repository, {
      status: flags.status,
      bookmark: flags.bookmark,
      limit: integerFlag(flags.limit, "--limit"),
      offset: integerFlag(flags.offset, "--offset"),
    });
    process.stdout.write(runsTable(page.runs, page.total, stdoutPainter()));
  });

  withRunsOptions(
    runs
      .command("inspect")
      .description(
        "show a run's pipelines, tasks and logs; with --follow, stream them until the run ends",
      )
      .argument("<id>", "run id, as `pogo ci runs list` shows it, or a unique prefix of it")
      .option(
        "--follow",
        "stream the logs live and exit when the run ends (status 1 unless it succeeded, 3 when the connection to the server broke)",
      ),
  ).action(async (given: string, flags: InspectFlags) => {
    const { client, repository } = await runsClient(flags);
    const id = await resolveRunId(client, repository, given);
    const paint = stdoutPainter();
    // Reasons, names and file names come from the repository, so they are
    // made as safe to print as log lines are.
    const output = {
      write: (text: string) => process.stdout.write(terminalSafeLines(text, paints(paint))),
      warn: (text: string) => process.stderr.write(`pogo: ${text}`),
      paint,
    };
    if (flags.follow) {
      const controller = new AbortController();
      const onInterrupt = () => controller.abort();
      process.once("SIGINT", onInterrupt);
      try {
        process.exitCode = await followRun(client, repository, id, output, controller.signal);
      } finally {
        process.removeListener("SIGINT", onInterrupt);
      }
      return;
    }
    await inspectRun(client, repository, id, output);
  });

  withRunsOptions(
    runs
      .command("cancel")
      .description("cancel a queued or running run, or one pipeline of it")
      .argument("<id>", "run id, or a unique prefix of it")
      .option("--pipeline <index>", "cancel only this pipeline (0 for the first)"),
  ).action(async (given: string, flags: CancelFlags) => {
    const { client, repository } = await runsClient(flags);
    const id = await resolveRunId(client, repository, given);
    const pipeline =
      flags.pipeline === undefined ? undefined : integerFlag(flags.pipeline, "--pipeline");
    const cancelled = await client.cancelRun(repository, id, pipeline);
    const what = pipeline === undefined ? `run ${id}` : `pipeline ${pipeline} of run ${id}`;
    process.stdout.write(
      cancelled ? `cancelling ${what}\n` : `${what} was not queued or running; nothing to cancel\n`,
    );
  });
}

function withRunsOptions(command: Command): Command {
  return withConnectionOptions(command).option(
    "--repository <name>",
    "repository on the server (default: the one this directory is linked to)",
  );
}

const FULL_RUN_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PREFIX_SEARCH_LIMIT = 100;

/**
 * Returns the full id of a run given its id or a unique prefix of it, as
 * git accepts short hashes. Only the newest 100 runs are searched.
 */
export async function resolveRunId(
  client: PogoClient,
  repository: string,
  id: string,
): Promise<string> {
  if (FULL_RUN_ID.test(id)) return id;
  if (!/^[0-9a-f-]{4,}$/.test(id)) {
    throw new UsageError(
      `invalid run id ${JSON.stringify(id)}: give the id or at least its first 4 characters`,
    );
  }
  const { runs } = await client.listRuns(repository, { limit: PREFIX_SEARCH_LIMIT });
  const matches = runs.filter((run) => run.id.startsWith(id));
  if (matches.length === 1) return matches[0]!.id;
  if (matches.length === 0) {
    throw new UsageError(
      `no run id of ${repository} starts with ${id} among its newest ${PREFIX_SEARCH_LIMIT} runs; see \`pogo ci runs list\``,
    );
  }
  throw new UsageError(`${matches.length} runs start with ${id}; give more characters`);
}

async function runsClient(flags: RunsFlags): Promise<{ client: PogoClient; repository: string }> {
  const { client, connection } = await connect(flags, {
    needsLink: flags.repository === undefined,
  });
  return { client, repository: flags.repository ?? linkedRepository(connection) };
}

function stdoutPainter(): Painter {
  return painter(useColour(process.stdout));
}

function integerFlag(text: string, name: string): number {
  if (!/^\d+$/.test(text))
    throw new UsageError(`${name} must be a whole number, not ${JSON.stringify(text)}`);
  return Number(text);
}

/** Formats the runs list as a table with a count line. */
export function runsTable(runs: RunInfo[], total: number, paint: Painter): string {
  if (runs.length === 0)
    return total === 0 ? "no runs\n" : `no runs on this page (${total} in all)\n`;
  const rows = runs.map((run) => [
    run.id,
    run.status,
    run.event,
    terminalSafe(run.bookmark, false),
    run.revision.slice(0, 12),
    run.createdAt.replace("T", " ").replace(/\.\d+Z$/, "Z"),
    durationOf(run.startedAt, run.finishedAt),
    terminalSafe(run.reason ?? "", false),
  ]);
  const header = ["RUN", "STATUS", "EVENT", "BOOKMARK", "REVISION", "CREATED", "TIME", "DETAIL"];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const format = (row: string[], colourStatus: boolean) =>
    row
      .map((cell, column) => {
        const padded = column === row.length - 1 ? cell : cell.padEnd(widths[column]!);
        return colourStatus && column === 1
          ? statusColour(cell, paint) + padded.slice(cell.length)
          : padded;
      })
      .join("  ")
      .trimEnd();
  const lines = [paint("bold", format(header, false)), ...rows.map((row) => format(row, true))];
  const shown = runs.length < total ? `\n${runs.length} of ${total} runs shown\n` : "\n";
  return `${lines.join("\n")}${shown}`;
}

/** Log requests `inspectRun` keeps in flight at once. */
export const INSPECT_LOG_REQUESTS = 8;

/**
 * Prints a run's pipelines and tasks with every log. Logs are fetched up
 * to INSPECT_LOG_REQUESTS at a time and printed in run order.
 */
export async function inspectRun(
  client: PogoClient,
  repository: string,
  runId: string,
  output: RunsOutput,
): Promise<void> {
  const run = await client.getRun(repository, runId);
  output.write(runHeader(run, output.paint));

  // The logs in print order: each pipeline's own, then its started tasks'.
  const refs: Array<{ pipeline: number; task?: number }> = [];
  for (const pipeline of run.pipelines) {
    refs.push({ pipeline: pipeline.index });
    for (const task of pipeline.tasks)
      if (hasLog(task)) refs.push({ pipeline: pipeline.index, task: task.index });
  }
  const logs = inOrder(
    refs.map((ref) => () => client.runLog(repository, run.id, ref.pipeline, ref.task)),
    INSPECT_LOG_REQUESTS,
  );
  const nextLog = async () => (await logs.next()).value!;

  for (const pipeline of run.pipelines) {
    output.write(`\n${pipelineLine(pipeline, output.paint)}\n`);
    const own = await nextLog();
    for (const line of own.lines) output.write(`  ${logText(line, output.paint)}\n`);
    for (const task of pipeline.tasks) {
      output.write(`  ${taskLine(pipeline, task, output.paint)}\n`);
      if (!hasLog(task)) continue;
      const log = await nextLog();
      for (const line of log.lines) output.write(`    ${logText(line, output.paint)}\n`);
      if (task.droppedLogLines > 0)
        output.write(`    ${droppedNote(task.droppedLogLines, output.paint)}\n`);
    }
  }
}

function hasLog(task: TaskInfo): boolean {
  return task.status !== "pending" && task.status !== "skipped";
}

/**
 * Yields the results of `jobs` in their order while at most `window` of
 * them run at once. A job starts only when the ones `window` places before
 * it have been consumed, so results held in memory stay bounded too.
 */
async function* inOrder<T>(
  jobs: ReadonlyArray<() => Promise<T>>,
  window: number,
): AsyncGenerator<T, void, undefined> {
  const started: Array<Promise<T> | undefined> = [];
  let next = 0;
  for (let index = 0; index < jobs.length; index++) {
    while (next < jobs.length && next < index + window) {
      const promise = jobs[next]!();
      // A job that fails ahead of its turn would otherwise be an unhandled
      // rejection; awaiting it in turn still throws its error.
      promise.catch(() => {});
      started.push(promise);
      next++;
    }
    const result = await started[index]!;
    started[index] = undefined;
    yield result;
  }
}

/**
 * Streams a run: what happened so far, then every line and status change
 * as it comes, each line prefixed with its pipeline. Returns the exit
 * status: 0 when the run succeeded, FOLLOW_CONNECTION_LOST when the stream
 * broke before the server ended it, 130 when `signal` stopped it, and 1
 * otherwise.
 */
export async function followRun(
  client: PogoClient,
  repository: string,
  runId: string,
  output: RunsOutput,
  signal?: AbortSignal,
): Promise<number> {
  const run = await client.getRun(repository, runId);
  output.write(runHeader(run, output.paint));
  const files = new Map(run.pipelines.map((pipeline) => [pipeline.index, pipeline.file]));
  const prefix = (index: number) =>
    output.paint("cyan", `[${pipelineLabel(files.get(index) ?? `pipeline ${index}`)}]`);
  let status = run.status;
  // The server ends a complete stream with an `end` (or `error`) event. A
  // stream that stops without one lost its server.
  let ended = false;
  try {
    const response = await client.runEvents(repository, run.id, signal);
    for await (const event of readServerSentEvents(response)) {
      const data = JSON.parse(event.data) as Record<string, unknown>;
      if (event.event === "pipeline") {
        const pipeline = data as unknown as {
          pipeline: number;
          file: string;
          status: string;
          reason: string | null;
        };
        files.set(pipeline.pipeline, pipeline.file);
        const reason = pipeline.reason ? `: ${pipeline.reason}` : "";
        output.write(
          `${prefix(pipeline.pipeline)} pipeline ${statusColour(pipeline.status, output.paint)}${reason}\n`,
        );
      } else if (event.event === "task") {
        const task = data as unknown as TaskInfo & { pipeline: number; task: number };
        if (task.status === "pending") continue;
        // The note comes when the task has ended, after the lines that were kept.
        if (task.droppedLogLines > 0 && task.status !== "running") {
          output.write(
            `${prefix(task.pipeline)} ${droppedNote(task.droppedLogLines, output.paint)}\n`,
          );
        }
        output.write(
          `${prefix(task.pipeline)} task ${task.task + 1} ${task.type}: ${task.name} ${statusColour(task.status, output.paint)}${taskFacts(task)}\n`,
        );
      } else if (event.event === "line") {
        const line = data as unknown as LogLineInfo & { pipeline: number };
        // A pipeline that ended before the stream first saw it announces
        // itself after its lines, so its file name is fetched here.
        if (!files.has(line.pipeline)) {
          const latest = await client.getRun(repository, run.id);
          for (const pipeline of latest.pipelines) files.set(pipeline.index, pipeline.file);
        }
        output.write(`${prefix(line.pipeline)} ${logText(line, output.paint)}\n`);
      } else if (event.event === "run") {
        status = String(data.status);
        const reason = data.reason ? ` (${String(data.reason)})` : "";
        if (status !== "queued" && status !== "running") {
          output.write(`run ${statusColour(status, output.paint)}${reason}\n`);
        }
      } else if (event.event === "end" || event.event === "error") {
        ended = true;
        break;
      }
    }
  } catch (error) {
    if (signal?.aborted) {
      output.write("stopped following; the run goes on\n");
      return 130;
    }
    // Error responses keep their own message. A server that went away
    // breaks the stream, or leaves a lookup of file names unanswered.
    if (error instanceof PogoError && error.code !== "SERVER_UNREACHABLE") throw error;
  }
  if (!ended) {
    const warn = output.warn ?? output.write;
    warn(`lost the connection to the server; the run goes on: pogo ci runs inspect ${run.id}\n`);
    return FOLLOW_CONNECTION_LOST;
  }
  return status === "success" ? 0 : 1;
}

function runHeader(run: RunDetailInfo, paint: Painter): string {
  const lines = [
    `${paint("bold", `run ${run.id}`)}  ${statusColour(run.status, paint)}${run.reason ? ` (${run.reason})` : ""}`,
    `  ${run.event} of bookmark ${run.bookmark} at revision ${run.revision}`,
    `  created ${run.createdAt}${run.startedAt ? `, took ${durationOf(run.startedAt, run.finishedAt)}` : ""}`,
  ];
  return `${lines.join("\n")}\n`;
}

function pipelineLine(pipeline: PipelineInfo, paint: Painter): string {
  const pattern = pipeline.pattern ? ` (matched ${JSON.stringify(pipeline.pattern)})` : "";
  const reason = pipeline.reason && pipeline.status !== "success" ? `: ${pipeline.reason}` : "";
  const time = pipeline.startedAt ? ` ${durationOf(pipeline.startedAt, pipeline.finishedAt)}` : "";
  return `${paint("bold", terminalSafe(pipeline.file, false))}${pattern} ${statusColour(pipeline.status, paint)}${time}${reason}`;
}

function taskLine(_pipeline: PipelineInfo, task: TaskInfo, paint: Painter): string {
  return `task ${task.index + 1} ${task.type}: ${task.name} ${statusColour(task.status, paint)}${taskFacts(task)}`;
}

// The server keeps a task's first lines only; the rest were counted.
function droppedNote(count: number, paint: Painter): string {
  return paint("dim", `${count} more line${count === 1 ? " was" : "s were"} not kept`);
}

function taskFacts(task: TaskInfo): string {
  const parts: string[] = [];
  if (task.httpStatus !== null && task.httpStatus !== undefined)
    parts.push(`HTTP ${task.httpStatus}`);
  if (task.exitCode !== null && task.exitCode !== undefined)
    parts.push(`exit code ${task.exitCode}`);
  if (task.startedAt && task.finishedAt) parts.push(durationOf(task.startedAt, task.finishedAt));
  if (task.reason && task.status !== "success") parts.push(task.reason);
  return parts.length > 0 ? ` (${parts.join(", ")})` : "";
}

function logText(line: { stream: string; text: string }, paint: Painter): string {
  const text = terminalSafe(line.text, paints(paint));
  if (line.stream === "stderr") return paint("yellow", text);
  if (line.stream === "info") return paint("dim", text);
  return text;
}

function durationOf(startedAt: string | number | null, finishedAt: string | number | null): string {
  if (startedAt === null) return "-";
  const end = finishedAt === null ? Date.now() : new Date(finishedAt).getTime();
  return formatDuration(Math.max(0, end - new Date(startedAt).getTime()));
}

function statusColour(status: string, paint: Painter): string {
  switch (status) {
    case "success":
      return paint("green", status);
    case "failed":
    case "timeout":
    case "interrupted":
      return paint("red", status);
    default:
      return paint("yellow", status);
  }
}
