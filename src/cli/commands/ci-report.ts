import path from "node:path";
import { formatDuration } from "../../runner/duration.js";
import type { EventRun, PipelineRun, RunObserver, TaskRun } from "../../runner/types.js";
import { CLEAR_LINE, formatPullLine, PullState } from "../pull-progress.js";

const STYLE = {
  bold: "\u001b[1m",
  dim: "\u001b[2m",
  red: "\u001b[31m",
  green: "\u001b[32m",
  yellow: "\u001b[33m",
  cyan: "\u001b[36m",
  reset: "\u001b[0m",
} as const;

type Colour = Exclude<keyof typeof STYLE, "reset">;

/** Painter wraps text in ANSI colour, or returns it as is when colour is off. */
export type Painter = (colour: Colour, text: string) => string;

export function painter(enabled: boolean): Painter {
  return enabled
    ? (colour, text) => `${STYLE[colour]}${text}${STYLE.reset}`
    : (_colour, text) => text;
}

const SGR = /\u001b\[[0-9;:]*m/y;
// Tab is the only control character shown as is. The Unicode bidi
// controls count too, because they reorder the rest of a line on screen.
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

function isBidiControl(code: number): boolean {
  return (
    code === 0x200e ||
    code === 0x200f ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069)
  );
}

/**
 * Makes log text safe to print, so a log cannot move the cursor, rewrite
 * lines, set links or retitle the terminal. SGR colour sequences are kept
 * (and closed with a reset) when `keepColour`, and dropped otherwise. Every
 * other control character is shown in caret notation (`^[` for ESC, `^M`
 * for CR, `^?` for DEL), or as `<9b>` for C1 controls.
 */
export function terminalSafe(text: string, keepColour: boolean): string {
  if (!CONTROL.test(text)) return text;
  let out = "";
  let coloured = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 0x1b) {
      SGR.lastIndex = index;
      const match = SGR.exec(text);
      if (match) {
        if (keepColour) {
          out += match[0];
          coloured = true;
        }
        index += match[0].length - 1;
        continue;
      }
    }
    if (isBidiControl(code)) out += `<${code.toString(16)}>`;
    else if (code === 0x09 || (code >= 0x20 && code < 0x7f) || code > 0x9f) out += text[index];
    else if (code < 0x20) out += `^${String.fromCharCode(code + 0x40)}`;
    else if (code === 0x7f) out += "^?";
    else out += `<${code.toString(16)}>`;
  }
  return coloured ? `${out}${STYLE.reset}` : out;
}

/**
 * Applies terminalSafe to each line of `text`, keeping its newlines, for
 * output that mixes Pogo's own lines with text from a repository: a
 * reason quoting a command, a config file name.
 */
export function terminalSafeLines(text: string, keepColour: boolean): string {
  if (!CONTROL.test(text.replaceAll("\n", ""))) return text;
  return text
    .split("\n")
    .map((line) => terminalSafe(line, keepColour))
    .join("\n");
}

/** Tells whether `paint` adds colour, so log text keeps its own colour only then. */
export function paints(paint: Painter): boolean {
  return paint("bold", "") !== "";
}

/** Returns the short name a pipeline is shown under: its config file name. */
export function pipelineLabel(file: string): string {
  return terminalSafe(path.basename(file), false);
}

/**
 * Builds the observer that prints a run as it happens: every task's output
 * line prefixed with its pipeline, and a line when a task starts and ends.
 * With `tty`, image pulls draw one updating line, erased before the next
 * output; without it, executors log a plain line per layer status.
 */
export function liveReporter(
  writeOut: (text: string) => void,
  paint: Painter,
  options: { tty?: boolean; columns?: number } = {},
): RunObserver {
  const prefix = (pipeline: PipelineRun) => paint("cyan", `[${pipelineLabel(pipeline.file)}]`);
  let drawn = false;
  const write = (text: string) => {
    if (drawn) writeOut(CLEAR_LINE);
    drawn = false;
    writeOut(text);
  };
  const pulls = new Map<string, PullState>();
  const pullKey = (pipeline: PipelineRun, task: TaskRun) => `${pipeline.index}:${task.index}:`;
  const observer: RunObserver = {
    pipelineStarted(pipeline) {
      const pattern = pipeline.pattern ? ` (matched ${JSON.stringify(pipeline.pattern)})` : "";
      write(`${prefix(pipeline)} ${paint("bold", "pipeline started")}${pattern}\n`);
    },
    taskStarted(pipeline, task) {
      const count = pipeline.tasks.length;
      write(
        `${prefix(pipeline)} ${paint("bold", `task ${task.index + 1}/${count}`)} ${task.type}: ${task.name}\n`,
      );
    },
    logLine(pipeline, _task, line) {
      const safe = terminalSafe(line.text, paints(paint));
      const text = line.stream === "stderr" ? paint("yellow", safe) : safe;
      write(`${prefix(pipeline)} ${line.stream === "info" ? paint("dim", text) : text}\n`);
    },
    taskFinished(pipeline, task) {
      for (const key of pulls.keys()) {
        if (key.startsWith(pullKey(pipeline, task))) pulls.delete(key);
      }
      if (task.status === "skipped") {
        // Runner reasons read "skipped because …"; any other is appended after "skipped:".
        const reason = task.reason ?? "skipped";
        const text = reason.startsWith("skipped") ? reason : `skipped: ${reason}`;
        write(`${prefix(pipeline)} task ${task.index + 1} ${paint("yellow", singleLine(text))}\n`);
        return;
      }
      write(
        `${prefix(pipeline)} task ${task.index + 1} ${statusText(task.status, paint, true)}${taskDetail(task)}\n`,
      );
    },
    pipelineFinished(pipeline) {
      write(`${prefix(pipeline)} pipeline ${statusText(pipeline.status, paint, true)}\n`);
    },
  };
  if (options.tty) {
    observer.progress = (pipeline, task, update) => {
      const key = pullKey(pipeline, task) + update.image;
      let state = pulls.get(key);
      if (!state) {
        state = new PullState(update.image);
        pulls.set(key, state);
      }
      state.update(update);
      // A line that wraps cannot be erased with a carriage return, so it is cut to the terminal width.
      const label = `[${pipelineLabel(pipeline.file)}] `;
      const room = Math.max(10, (options.columns ?? 80) - label.length - 1);
      const line = formatPullLine(state);
      const text = line.length > room ? `${line.slice(0, room - 1)}…` : line;
      writeOut(`${CLEAR_LINE}${prefix(pipeline)} ${paint("dim", text)}`);
      drawn = true;
    };
  }
  return observer;
}

function taskDetail(task: TaskRun): string {
  const parts: string[] = [];
  if (task.httpStatus !== undefined) parts.push(`HTTP ${task.httpStatus}`);
  if (task.exitCode !== undefined) parts.push(`exit code ${task.exitCode}`);
  if (task.startedAt && task.finishedAt) {
    parts.push(formatDuration(task.finishedAt.getTime() - task.startedAt.getTime()));
  }
  return parts.length > 0 ? ` (${parts.join(", ")})` : "";
}

const STATUS_VERBS: Record<string, string> = {
  success: "succeeded",
  failed: "failed",
  timeout: "timed out",
  cancelled: "was cancelled",
};

// Colours a status; `asVerb` words it for a sentence ("task 1 timed out").
function statusText(status: string, paint: Painter, asVerb = false): string {
  const text = asVerb ? (STATUS_VERBS[status] ?? status) : status;
  switch (status) {
    case "success":
      return paint("green", text);
    case "failed":
    case "timeout":
      return paint("red", text);
    default:
      return paint("yellow", text);
  }
}

/**
 * Formats the summary table printed after a run: one row per pipeline with
 * its matched pattern, status, duration and, when it did not succeed, why.
 */
export function summaryTable(run: EventRun, paint: Painter): string {
  const rows = run.pipelines.map((pipeline) =>
    [
      pipelineLabel(pipeline.file),
      pipeline.pattern ?? "-",
      pipeline.status,
      pipeline.startedAt && pipeline.finishedAt
        ? formatDuration(pipeline.finishedAt.getTime() - pipeline.startedAt.getTime())
        : "-",
      pipeline.status === "success" ? tasksDone(pipeline) : (pipeline.reason ?? ""),
    ].map(singleLine),
  );
  const header = ["PIPELINE", "PATTERN", "STATUS", "TIME", "DETAIL"];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const format = (row: string[], colourStatus: boolean) =>
    row
      .map((cell, column) => {
        const padded = column === row.length - 1 ? cell : cell.padEnd(widths[column]!);
        return colourStatus && column === 2
          ? statusText(cell, paint) + padded.slice(cell.length)
          : padded;
      })
      .join("  ")
      .trimEnd();
  const lines = [paint("bold", format(header, false)), ...rows.map((row) => format(row, true))];
  return `${lines.join("\n")}\n`;
}

function tasksDone(pipeline: PipelineRun): string {
  const count = pipeline.tasks.length;
  return `${count} task${count === 1 ? "" : "s"} succeeded`;
}

/**
 * Returns `text` on one line, with line breaks written as `\n`, so a reason
 * quoting a multi-line value (a masked multi-line secret) keeps a table row
 * or a status line whole.
 */
export function singleLine(text: string): string {
  return text.replace(/\r?\n|\r/g, "\\n");
}
