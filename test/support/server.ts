import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino, { type Logger } from "pino";
import type { ServerLimits } from "../../src/server/app.js";
import { type RunningServer, startServer } from "../../src/server/serve.js";
import { type Backend, dropSchema } from "./databases.js";

/** TestServer is an in-process server on a loopback port with a fresh store. */
export interface TestServer {
  server: RunningServer;
  url: string;
  adminToken: string;
  close(): Promise<void>;
}

export async function startTestServer(
  backend: Backend,
  options: { limits?: Partial<ServerLimits>; schemaDir?: string; logger?: Logger } = {},
): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), "pogo-server-"));
  const storeOptions = backend.options(dataDir);
  const server = await startServer({
    ...storeOptions,
    listen: "127.0.0.1:0",
    logger: options.logger ?? pino({ level: "silent" }),
    limits: options.limits,
    schemaDir: options.schemaDir,
  });
  return {
    server,
    url: server.url,
    adminToken: server.admin!.token,
    close: async () => {
      await server.close();
      await dropSchema(storeOptions);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
