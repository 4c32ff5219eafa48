/**
 * Server throughput on a generated 20,000-file tree, against baselines
 * measured in the same run on the same tree:
 * - first push (scan, hash, upload, commit) against `cp -r` of the tree,
 *   which reads and writes the same bytes with no hashing or HTTP, and
 *   against `git add -A && git commit` of a copy, which hashes and stores
 *   every file as a loose object (git does not fsync those by default,
 *   while Pogo flushes every blob before acknowledging it);
 * - re-push after one file changed, against the first push and against a
 *   second git commit after the same change;
 * - archive download (the zip streamed over loopback) against `zip -qr`
 *   of the same tree to a file, with the server's peak resident memory
 *   while streaming next to its idle size;
 * - the peak again while streaming a revision holding one 256 MiB file, to
 *   show that memory does not grow with the archive.
 * The server is a `pogo serve` child process on a fresh SQLite data dir,
 * so its memory is read from /proc without the client's.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  chmod,
  mkdir,
  mkdtemp,
  open,
  readFile,
  rm,
  stat,
  symlink,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PogoClient } from "../src/client/api.js";
import { push } from "../src/client/push.js";

const FILES = 20_000;
const LARGE_FILE_BYTES = 256 * 1024 * 1024;
const GIT_SETTINGS = [
  "-c",
  "user.name=bench",
  "-c",
  "user.email=bench@localhost",
  "-c",
  "gc.auto=0",
  "-c",
  "maintenance.auto=false",
];
const DIRECTORIES = 200;
const projectRoot = new URL("..", import.meta.url).pathname;

export async function run(): Promise<void> {
  const base = await mkdtemp(join(tmpdir(), "pogo-bench-server-"));
  let server: ChildProcess | undefined;
  try {
    const tree = join(base, "tree");
    const bytes = await generateTree(tree);
    process.stdout.write(
      `tree: ${FILES} files in ${DIRECTORIES} directories, ${(bytes / 1e6).toFixed(1)} MB\n`,
    );

    // A linked working tree, as `pogo init` leaves it, so pushes keep their hash cache.
    await mkdir(join(tree, ".pogo"));
    await writeFile(join(tree, ".pogo/repository.json"), '{"server": "", "repository": "bench"}\n');
    const started = await startServer(join(base, "data"));
    server = started.child;
    const client = new PogoClient(started.url, started.token);
    await client.createRepository("bench", false);
    const idleRss = await readRss(server.pid!);

    const copy = join(base, "copy");
    const copyMs = timeMs(() => execFileSync("cp", ["-r", tree, copy]));
    const git = (args: string[]) =>
      // No background gc or maintenance: it would skew the timing and race the cleanup.
      execFileSync("git", [...GIT_SETTINGS, ...args], { cwd: copy });
    git(["init", "-q"]);
    const gitFirstMs = timeMs(() => {
      git(["add", "-A"]);
      git(["commit", "-q", "-m", "first"]);
    });
    const memory = new PeakSampler(server.pid!);
    let begin = performance.now();
    const first = await push({
      client,
      repository: "bench",
      root: tree,
      author: "bench",
      description: "first",
    });
    const firstMs = performance.now() - begin;
    const pushPeak = memory.stop();

    await writeFile(join(tree, "d0/f0.txt"), "changed\n");
    await writeFile(join(copy, "d0/f0.txt"), "changed\n");
    const gitSecondMs = timeMs(() => {
      git(["add", "-A"]);
      git(["commit", "-q", "-m", "second"]);
    });
    begin = performance.now();
    const second = await push({
      client,
      repository: "bench",
      root: tree,
      author: "bench",
      description: "second",
    });
    const secondMs = performance.now() - begin;

    const zipPath = join(base, "baseline.zip");
    const zipMs = timeMs(() =>
      execFileSync("zip", ["-qr", zipPath, ".", "-x", ".pogo/*"], { cwd: tree }),
    );
    const zipBytes = (await stat(zipPath)).size;
    const archiveMemory = new PeakSampler(server.pid!);
    begin = performance.now();
    const response = await fetch(second.revision.archiveUrl);
    let archiveBytes = 0;
    for await (const chunk of response.body!) archiveBytes += (chunk as Uint8Array).length;
    const archiveMs = performance.now() - begin;
    const archivePeak = archiveMemory.stop();

    const large = join(base, "large");
    await mkdir(large);
    await writeLargeFile(join(large, "big.bin"));
    await client.createRepository("large", false);
    const bigPush = await push({
      client,
      repository: "large",
      root: large,
      author: "bench",
      description: "big",
    });
    const largeMemory = new PeakSampler(server.pid!);
    begin = performance.now();
    const largeResponse = await fetch(bigPush.revision.archiveUrl);
    let largeBytes = 0;
    for await (const chunk of largeResponse.body!) largeBytes += (chunk as Uint8Array).length;
    const largeMs = performance.now() - begin;
    const largePeak = largeMemory.stop();

    const mb = (value: number) => (value / 1024 / 1024).toFixed(1);
    process.stdout.write(
      `first push: ${firstMs.toFixed(0)} ms, ${((FILES / firstMs) * 1000).toFixed(0)} files/s, ${first.uploaded} blobs uploaded\n` +
        `  cp -r baseline: ${copyMs.toFixed(0)} ms; push/cp ratio ${(firstMs / copyMs).toFixed(2)}\n` +
        `  git add + commit baseline: ${gitFirstMs.toFixed(0)} ms; push/git ratio ${(firstMs / gitFirstMs).toFixed(2)}\n` +
        `re-push, one file changed: ${secondMs.toFixed(0)} ms, ${second.uploaded} blob uploaded; ` +
        `re-push/first ratio ${(secondMs / firstMs).toFixed(3)}\n` +
        `  git add + commit baseline: ${gitSecondMs.toFixed(0)} ms; re-push/git ratio ${(secondMs / gitSecondMs).toFixed(2)}\n` +
        `archive stream: ${archiveMs.toFixed(0)} ms, ${mb(archiveBytes)} MiB (status ${response.status})\n` +
        `  zip -qr baseline: ${zipMs.toFixed(0)} ms, ${mb(zipBytes)} MiB; archive/zip time ratio ${(archiveMs / zipMs).toFixed(2)}\n` +
        `server RSS: idle ${mb(idleRss)} MiB, peak during first push ${mb(pushPeak)} MiB, ` +
        `peak while streaming ${mb(archivePeak)} MiB (archive ${mb(archiveBytes)} MiB)\n` +
        `one ${mb(LARGE_FILE_BYTES)} MiB file: archive of ${mb(largeBytes)} MiB in ${largeMs.toFixed(0)} ms, ` +
        `server RSS peak ${mb(largePeak)} MiB\n`,
    );
  } finally {
    if (server && server.exitCode === null) {
      server.kill("SIGTERM");
      await new Promise((resolve) => server!.once("exit", resolve));
    }
    await rm(base, { recursive: true, force: true, maxRetries: 3 });
  }
}

/** Writes FILES files of 100 B to 8 KiB of text-like content, plus a few executables and symlinks. */
async function generateTree(root: string): Promise<number> {
  let bytes = 0;
  let seed = 42;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const words = [
    "const",
    "value",
    "return",
    "function",
    "import",
    "export",
    "pogo",
    "tree",
    "blob",
    "=",
    ";",
    "\n",
  ];
  for (let directory = 0; directory < DIRECTORIES; directory++) {
    await mkdir(join(root, `d${directory}`), { recursive: true });
  }
  for (let index = 0; index < FILES; index++) {
    const size = 100 + Math.floor(random() * 8000);
    let text = `// file ${index}\n`;
    while (text.length < size) text += `${words[Math.floor(random() * words.length)]} `;
    const path = join(root, `d${index % DIRECTORIES}`, `f${Math.floor(index / DIRECTORIES)}.txt`);
    await writeFile(path, text);
    if (index % 1000 === 0) await chmod(path, 0o755);
    bytes += text.length;
  }
  for (let index = 0; index < 10; index++)
    await symlink(`f${index}.txt`, join(root, `d${index}`, `link${index}`));
  return bytes;
}

/** Writes LARGE_FILE_BYTES of 1 MiB blocks, alternating random and repeated bytes. */
async function writeLargeFile(path: string): Promise<void> {
  const handle = await open(path, "w");
  try {
    const block = 1024 * 1024;
    for (let written = 0; written < LARGE_FILE_BYTES; written += block) {
      await handle.write(
        written % (2 * block) === 0 ? randomBytes(block) : Buffer.alloc(block, written % 251),
      );
    }
  } finally {
    await handle.close();
  }
}

async function startServer(
  dataDir: string,
): Promise<{ child: ChildProcess; url: string; token: string }> {
  // Run node with the tsx loader directly, so the child's pid is the server's own.
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      join(projectRoot, "src/cli/pogo.ts"),
      "serve",
      "--listen",
      "127.0.0.1:0",
      "--data-dir",
      dataDir,
      "--log-level",
      "warn",
    ],
    { stdio: ["ignore", "pipe", "inherit"], cwd: projectRoot },
  );
  let output = "";
  const found = await new Promise<{ token: string; url: string }>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`pogo serve did not start: ${output}`)),
      30_000,
    );
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const token = /^\s+(pogo_\S+)$/m.exec(output)?.[1];
      const url = /--server (\S+)/.exec(output)?.[1];
      if (token && url) {
        clearTimeout(timer);
        resolve({ token, url });
      }
    });
    child.once("exit", (code) => reject(new Error(`pogo serve exited with ${code}`)));
  });
  return { child, ...found };
}

async function readRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) * 1024 : 0;
}

/** PeakSampler polls a process's resident memory every 20 ms until stopped. */
class PeakSampler {
  private peak = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(pid: number) {
    this.timer = setInterval(() => {
      readFile(`/proc/${pid}/status`, "utf8")
        .then((status) => {
          const match = /VmRSS:\s+(\d+) kB/.exec(status);
          if (match) this.peak = Math.max(this.peak, Number(match[1]) * 1024);
        })
        .catch(() => {});
    }, 20);
  }

  stop(): number {
    clearInterval(this.timer);
    return this.peak;
  }
}

function timeMs(work: () => void): number {
  const begin = performance.now();
  work();
  return performance.now() - begin;
}
