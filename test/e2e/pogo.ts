import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const pogoEntry = fileURLToPath(new URL("../../src/cli/pogo.ts", import.meta.url));
const tsxLoader = fileURLToPath(new URL("../../node_modules/tsx/dist/loader.mjs", import.meta.url));
const compiledEntry = fileURLToPath(new URL("../../dist/cli/pogo.js", import.meta.url));

/** Output and exit status of one `pogo` command. */
export interface PogoResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Options of one `pogo` command. */
export interface PogoOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Receives each chunk of stdout as it arrives, for timing the first line of output. */
  onStdout?: (chunk: string) => void;
  /** Kills the command after this many milliseconds (default 5 minutes). */
  timeoutMs?: number;
  /** Runs the compiled CLI in dist/, as `bin/pogo` does, instead of the sources. Build it first. */
  compiled?: boolean;
}

/**
 * Starts the `pogo` CLI from the TypeScript sources (unless `compiled`), with
 * an absolute path to the tsx loader so it runs from any working directory.
 */
export function spawnPogo(args: string[], options: PogoOptions): ChildProcess {
  const entry = options.compiled ? [compiledEntry] : ["--import", tsxLoader, pogoEntry];
  return spawn(process.execPath, [...entry, ...args], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: "1", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Runs one `pogo` command to its end and collects its output. */
export function runPogo(args: string[], options: PogoOptions): Promise<PogoResult> {
  return new Promise((resolve, reject) => {
    const child = spawnPogo(args, options);
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => child.kill("SIGTERM"), options.timeoutMs ?? 300_000);
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      options.onStdout?.(chunk);
    });
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
