import type { LogSink, ProgressUpdate } from "../tasks/task.js";
import type { SecretMasker } from "./masker.js";

/** LogStream separates a task's own output (stdout, stderr) from lines Pogo writes about it (info). */
export type LogStream = "stdout" | "stderr" | "info";

/** LogLine is one complete, masked line of a task's log. */
export interface LogLine {
  stream: LogStream;
  text: string;
  /** When the line was complete, in milliseconds since the Unix epoch. */
  time: number;
}

/**
 * DEFAULT_MAX_LINE_LENGTH caps one log line, in UTF-16 code units. Longer
 * output is split into several lines, so one runaway line cannot exhaust
 * memory or the run store.
 */
export const DEFAULT_MAX_LINE_LENGTH = 16 * 1024;

export interface MaskingLogSinkOptions {
  /** Maximum length of one emitted line; default DEFAULT_MAX_LINE_LENGTH. */
  maxLineLength?: number;
  /** Clock for line timestamps in epoch milliseconds; tests fix it. */
  now?: () => number;
  /** Receives masked progress updates; without it the sink has no `progress`, so executors log lines. */
  progress?: (update: ProgressUpdate) => void;
}

/**
 * MaskingLogSink turns a task's output chunks into masked lines. It keeps
 * the unfinished last line of each stream until its newline arrives, so a
 * secret split across two chunks is masked whole. A line longer than the cap
 * is emitted in pieces, cut where no secret value crosses the cut. Call
 * `flush()` when the task ends to emit what is left without a newline.
 */
export class MaskingLogSink implements LogSink {
  // The unfinished line of each stream; most tasks of the webhook kind
  // never write, so the map is made on the first write.
  private partial: Map<LogStream, string> | undefined;
  private readonly maxLineLength: number;
  private readonly now: () => number;
  progress?: (update: ProgressUpdate) => void;

  constructor(
    private readonly masker: SecretMasker,
    private readonly emit: (line: LogLine) => void,
    options: MaskingLogSinkOptions = {},
  ) {
    this.maxLineLength = Math.max(1, options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH);
    this.now = options.now ?? Date.now;
    const forward = options.progress;
    if (forward) {
      this.progress = (update) =>
        forward({
          ...update,
          image: this.masker.mask(update.image),
          status: this.masker.mask(update.status),
        });
    }
  }

  write(chunk: string, stream: "stdout" | "stderr" = "stdout"): void {
    if (chunk.length === 0) return;
    this.partial ??= new Map();
    const text = (this.partial.get(stream) ?? "") + chunk;
    const lines = text.split("\n");
    const rest = lines.pop()!;
    for (const line of lines) this.emitLine(stream, stripCarriageReturn(line));
    this.partial.set(stream, this.drainLongPartial(stream, rest));
  }

  info(line: string): void {
    if (!line.includes("\n")) {
      this.emitLine("info", stripCarriageReturn(line));
      return;
    }
    for (const part of line.split("\n")) this.emitLine("info", stripCarriageReturn(part));
  }

  safeCut(text: string, at: number): number {
    return this.masker.safeCut(text, at);
  }

  mask(text: string): string {
    return this.masker.mask(text);
  }

  /** Emits the unfinished line of every stream; the sink stays usable afterwards. */
  flush(): void {
    if (!this.partial) return;
    for (const [stream, rest] of this.partial) {
      if (rest.length > 0) this.emitLine(stream, stripCarriageReturn(rest));
    }
    this.partial.clear();
  }

  // A partial line is held back only up to the cap plus the longest secret,
  // because that is enough to find a cut that splits no secret. The rest goes
  // out as pieces.
  private drainLongPartial(stream: LogStream, rest: string): string {
    let remaining = rest;
    while (remaining.length >= this.maxLineLength + this.masker.maxLength) {
      const cut = this.masker.safeCut(remaining, this.maxLineLength);
      this.emitPiece(stream, remaining.slice(0, cut));
      remaining = remaining.slice(cut);
    }
    return remaining;
  }

  private emitLine(stream: LogStream, line: string): void {
    let remaining = line;
    while (remaining.length > this.maxLineLength) {
      const cut = this.masker.safeCut(remaining, this.maxLineLength);
      this.emitPiece(stream, remaining.slice(0, cut));
      remaining = remaining.slice(cut);
    }
    this.emitPiece(stream, remaining);
  }

  private emitPiece(stream: LogStream, text: string): void {
    this.emit({ stream, text: this.masker.mask(text), time: this.now() });
  }
}

function stripCarriageReturn(line: string): string {
  return line.endsWith("\r") ? line.slice(0, -1) : line;
}
