import { randomBytes } from "node:crypto";
import { templateData } from "../../src/config/event.js";
import type { LogSink, TaskContext } from "../../src/tasks/task.js";

/** RecordingLog keeps everything a task logged, for assertions. */
export class RecordingLog implements LogSink {
  readonly chunks: Array<{ text: string; stream: "stdout" | "stderr" | "info" }> = [];

  write(chunk: string, stream: "stdout" | "stderr" = "stdout"): void {
    this.chunks.push({ text: chunk, stream });
  }

  info(line: string): void {
    this.chunks.push({ text: `${line}\n`, stream: "info" });
  }

  /** Everything in arrival order, as one text. */
  text(): string {
    return this.chunks.map((chunk) => chunk.text).join("");
  }

  /** Only what the container printed on `stream`. */
  output(stream: "stdout" | "stderr"): string {
    return this.chunks
      .filter((chunk) => chunk.stream === stream)
      .map((chunk) => chunk.text)
      .join("");
  }
}

/** Returns a run id unique to one test, so leftover checks see only that test's objects. */
export function testRunId(): string {
  return `test-${randomBytes(5).toString("hex")}`;
}

/** Builds a TaskContext for executor tests; `overrides` replace any field. */
export function taskContext(
  overrides: Partial<TaskContext> = {},
): TaskContext & { log: RecordingLog } {
  return {
    runId: testRunId(),
    pipeline: "test.yaml",
    taskIndex: 0,
    signal: new AbortController().signal,
    timeoutMs: 60_000,
    data: templateData({
      Rev: "main",
      Repository: "acme/web",
      RevisionId: "rev-123",
      EventType: "push",
    }),
    ...overrides,
    log: (overrides.log as RecordingLog | undefined) ?? new RecordingLog(),
  };
}
