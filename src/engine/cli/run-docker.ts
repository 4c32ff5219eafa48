import { spawn } from "node:child_process";
import type { Readable } from "node:stream";
import { engineLog } from "../log.js";

/** DockerCommandError is a `docker` command that exited non-zero; its message is the command's stderr. */
export class DockerCommandError extends Error {
  constructor(
    readonly args: string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(stderr.trim() || `docker ${args[0]} exited with code ${exitCode}`);
    this.name = "DockerCommandError";
  }
}

export interface RunOptions {
  input?: Readable;
  signal?: AbortSignal;
  /** Receives stdout line by line instead of collecting it. */
  onLine?: (line: string) => void;
}

/** Runs `command args…` and returns its stdout; rejects with DockerCommandError on a non-zero exit. */
export function runDocker(
  command: string,
  args: string[],
  options: RunOptions = {},
): Promise<string> {
  engineLog(`exec ${command} ${args.slice(0, 2).join(" ")}`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: [options.input ? "pipe" : "ignore", "pipe", "pipe"],
      ...(options.signal ? { signal: options.signal } : {}),
    });
    let stdout = "";
    let stderr = "";
    let pending = "";
    child.stdout!.setEncoding("utf8").on("data", (text: string) => {
      if (!options.onLine) {
        stdout += text;
        return;
      }
      const lines = (pending + text).split(/\r?\n|\r/);
      pending = lines.pop() ?? "";
      for (const line of lines) options.onLine(line);
    });
    child.stderr!.setEncoding("utf8").on("data", (text: string) => {
      stderr += text;
      // Build and pull progress goes to stdout; stderr is kept for the error message only, capped.
      if (stderr.length > 64_000) stderr = stderr.slice(-32_000);
    });
    if (options.input && child.stdin) {
      child.stdin.on("error", () => {});
      options.input.on("error", (error) => {
        child.kill();
        reject(error);
      });
      options.input.pipe(child.stdin);
    }
    child.once("error", reject);
    child.once("close", (code) => {
      if (pending !== "") options.onLine?.(pending);
      if (code === 0) resolve(stdout);
      else reject(new DockerCommandError(args, code, stderr));
    });
  });
}
