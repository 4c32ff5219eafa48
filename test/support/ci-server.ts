import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import type { CiOptions } from "../../src/ci/service.js";
import { type RunningServer, startServer } from "../../src/server/serve.js";
import type { Repository, Revision, User } from "../../src/store/records.js";
import type { Store } from "../../src/store/store.js";
import type { TreeEntry } from "../../src/store/tree.js";
import { type Backend, dropSchema } from "./databases.js";

/** CiTestServer is an in-process server with CI on a fresh store, and its admin. */
export interface CiTestServer {
  server: RunningServer;
  url: string;
  token: string;
  admin: User;
  dataDir: string;
  close(): Promise<void>;
}

/** Starts a server with CI that looks at its queue often, so tests wait little. */
export async function startCiTestServer(
  backend: Backend,
  ci: CiOptions = {},
): Promise<CiTestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), "pogo-ci-"));
  const storeOptions = backend.options(dataDir);
  const server = await startServer({
    ...storeOptions,
    listen: "127.0.0.1:0",
    logger: pino({ level: process.env.POGO_TEST_LOG ?? "silent" }),
    ci: { pollMs: 100, heartbeatMs: 500, ...ci },
  });
  return {
    server,
    url: server.url,
    token: server.admin!.token,
    admin: server.admin!.user,
    dataDir,
    close: async () => {
      await server.close();
      await dropSchema(storeOptions);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** FileSpec is a file to commit: text, or text with permission bits. */
export type FileSpec = string | { content: string; mode?: number } | { symlink: string };

/** Commits `files` to `repository` straight through the store, optionally moving a bookmark. */
export async function commitFiles(
  store: Store,
  repository: Repository,
  files: Record<string, FileSpec>,
  options: { pusher?: User; description?: string; bookmark?: string } = {},
): Promise<Revision> {
  const entries: TreeEntry[] = [];
  const hashes: string[] = [];
  for (const [path, spec] of Object.entries(files)) {
    if (typeof spec === "object" && "symlink" in spec) {
      entries.push({ path, type: "symlink", target: spec.symlink });
      continue;
    }
    const content = Buffer.from(typeof spec === "string" ? spec : spec.content);
    const hash = await store.objects.putBytes(content);
    hashes.push(hash);
    const mode = typeof spec === "string" ? 0o644 : (spec.mode ?? 0o644);
    entries.push({ path, type: "file", mode, hash, size: content.length });
  }
  entries.sort((a, b) => (a.path < b.path ? -1 : 1));
  await store.claimObjects(repository, hashes);
  const result = await store.createRevision({
    repository,
    tree: { entries },
    author: "Ada <ada@example.com>",
    description: options.description ?? "a change",
    pusher: options.pusher ?? null,
    ...(options.bookmark === undefined ? {} : { bookmark: options.bookmark }),
  });
  return result.revision;
}

/** Calls the server's JSON API with the token and returns the parsed body; throws on non-2xx. */
export async function api<T = Record<string, unknown>>(
  server: { url: string; token: string },
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${server.token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

/** Polls until `check` returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  what = "the condition",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
