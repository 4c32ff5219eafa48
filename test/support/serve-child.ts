import { type ChildProcess, execFile, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const pogoEntry = fileURLToPath(new URL("../../src/cli/pogo.ts", import.meta.url));
const tsxLoader = fileURLToPath(new URL("../../node_modules/tsx/dist/loader.mjs", import.meta.url));
const run = promisify(execFile);

/** ServeChild is `pogo serve` running as a child process, in one Node process, so SIGKILL reaches it. */
export interface ServeChild {
  child: ChildProcess;
  url: string;
  /** Stdout lines so far: pino's JSON log lines and the first-start banner. */
  lines: string[];
  /** The admin token, printed on the first start only. */
  adminToken?: string;
  exit: Promise<number | null>;
}

// Servers still running when the test process exits, because a test timed
// out before it could stop them; they are killed rather than left behind.
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** Starts `pogo serve ARGS` on a free loopback port and waits for its "started" log line. */
export async function startServeChild(args: string[], env: NodeJS.ProcessEnv): Promise<ServeChild> {
  const child = spawn(
    process.execPath,
    ["--import", tsxLoader, pogoEntry, "serve", "--listen", "127.0.0.1:0", ...args],
    { env: { ...env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] },
  );
  running.add(child);
  const lines: string[] = [];
  const exit = new Promise<number | null>((resolve) =>
    child.on("exit", (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    let buffer = "";
    let started: { url: string; firstStart: boolean } | undefined;
    const timer = setTimeout(
      () => reject(new Error(`pogo serve did not start: ${stderr}`)),
      90_000,
    );
    child.stdout!.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      const parts = buffer.split("\n");
      buffer = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        if (line.includes('"pogo server started"')) {
          started = JSON.parse(line) as { url: string; firstStart: boolean };
        }
        // On the first start the admin token follows, in a banner of its own.
        const tokenShown = lines.some((seen) => /^\s+pogo_/.test(seen));
        if (started && (!started.firstStart || tokenShown)) {
          clearTimeout(timer);
          resolve(started.url);
        }
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`pogo serve exited with ${code}: ${stderr}`));
    });
  });
  const adminToken = lines.find((line) => /^\s+pogo_/.test(line))?.trim();
  return { child, url, lines, exit, ...(adminToken ? { adminToken } : {}) };
}

/** Stops a child server: SIGTERM, then SIGKILL if it is still there after `graceMs`. */
export async function stopServeChild(serve: ServeChild, graceMs = 15_000): Promise<void> {
  if (serve.child.exitCode !== null || serve.child.signalCode !== null) return;
  serve.child.kill("SIGTERM");
  const timer = setTimeout(() => serve.child.kill("SIGKILL"), graceMs);
  await serve.exit;
  clearTimeout(timer);
}

/** Lists ids of engine containers and networks carrying the run label `runId`. */
export async function engineObjectsOfRun(
  runId: string,
): Promise<{ containers: string[]; networks: string[] }> {
  const filter = `label=dev.pogo.run=${runId}`;
  const containers = await run("docker", ["ps", "-aq", "--filter", filter]);
  const networks = await run("docker", ["network", "ls", "-q", "--filter", filter]);
  const ids = (text: string) => text.split("\n").filter((line) => line.trim() !== "");
  return { containers: ids(containers.stdout), networks: ids(networks.stdout) };
}
