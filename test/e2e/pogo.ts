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

/** A `pogo serve` process on a loopback port with a data dir of its own. */
export interface PogoServer {
  url: string;
  /** The admin token the first start prints once. */
  adminToken: string;
  /** Everything the server printed so far. */
  output(): string;
  /** Stops the server by its process id and waits for it to exit. */
  stop(): Promise<void>;
}

/** Starts `pogo serve` on 127.0.0.1 with a free port and waits until it prints its admin token. */
export function startPogoServer(
  dataDir: string,
  options: { timeoutMs?: number; compiled?: boolean } = {},
): Promise<PogoServer> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const child = spawnPogo(["serve", "--data-dir", dataDir, "--listen", "127.0.0.1:0"], {
    cwd: dataDir,
    compiled: options.compiled,
  });
  let output = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`pogo serve printed no admin token within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: string) => {
      output += chunk;
      const url = /Use it with: pogo init --server (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      const adminToken = /^\s+(pogo_\S+)\s*$/m.exec(output)?.[1];
      if (!url || !adminToken) return;
      clearTimeout(timer);
      resolve({ url, adminToken, output: () => output, stop });
    };
    child.stdout!.setEncoding("utf8").on("data", onData);
    child.stderr!.setEncoding("utf8").on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`pogo serve exited with ${code} before it was ready:\n${output}`));
    });
  });
}
