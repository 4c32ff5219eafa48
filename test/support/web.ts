import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { buildApp } from "../../src/server/app.js";
import { openStore } from "../../src/store/open.js";
import type { Repository, Revision, User } from "../../src/store/records.js";
import type { Store } from "../../src/store/store.js";
import type { WebOptions } from "../../src/web/routes.js";

/** WebTestServer is the whole HTTP app on a loopback port with a fresh SQLite store. */
export interface WebTestServer {
  app: FastifyInstance;
  store: Store;
  url: string;
  admin: User;
  adminToken: string;
  close(): Promise<void>;
}

export async function startWebTestServer(web: WebOptions = {}): Promise<WebTestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), "pogo-web-"));
  const store = await openStore({ dataDir });
  let url = "";
  try {
    const bootstrap = (await store.bootstrapAdmin())!;
    const app = await buildApp({ store, publicUrl: () => url, logger: false, web });
    await app.listen({ host: "127.0.0.1", port: 0 });
    const address = app.server.address();
    url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    return {
      app,
      store,
      url,
      admin: bootstrap.user,
      adminToken: bootstrap.token,
      close: async () => {
        await app.close();
        await store.db.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await store.db.close();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** Creates a repository with one revision (a README) and points `bookmarks` at it. */
export async function seedRepository(
  store: Store,
  options: {
    name: string;
    owner: User;
    isPrivate?: boolean;
    author?: string;
    description?: string;
    bookmarks?: string[];
  },
): Promise<{ repository: Repository; revision: Revision }> {
  const repository = await store.createRepository(
    options.name,
    options.owner,
    options.isPrivate ?? false,
  );
  const content = Buffer.from(`# ${options.name}\n`);
  const hash = await store.objects.putBytes(content);
  await store.claimObjects(repository, [hash]);
  const { revision } = await store.createRevision({
    repository,
    tree: {
      entries: [{ path: "README.md", type: "file", mode: 0o644, hash, size: content.length }],
    },
    author: options.author ?? "Ada <ada@example.com>",
    description: options.description ?? "Initial revision",
    pusher: options.owner,
  });
  for (const bookmark of options.bookmarks ?? ["main"]) {
    await store.setBookmark(repository, bookmark, revision.id, options.owner);
  }
  return { repository, revision };
}
