import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../../src/server/serve.js";
import { HttpReceiver } from "../helpers/http-receiver.js";
import { commitFiles, waitFor } from "../support/ci-server.js";
import { dropSchema, postgresUrl } from "../support/databases.js";

const EVENTS = 12;

describe.skipIf(postgresUrl === undefined)("two servers on one PostgreSQL database", () => {
  let dataDir: string;
  let receiver: HttpReceiver;
  const servers: RunningServer[] = [];
  const options = () => ({
    dataDir,
    databaseUrl: postgresUrl,
    databaseSchema: schema,
    listen: "127.0.0.1:0",
    logger: pino({ level: "silent" }),
    ci: { pollMs: 50, heartbeatMs: 500, maxRuns: 2 },
  });
  const schema = `pogo_shared_${process.pid}_${randomBytes(4).toString("hex")}`;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "pogo-shared-"));
    receiver = await new HttpReceiver().start();
    servers.push(await startServer(options()));
    servers.push(await startServer(options()));
  });
  afterAll(async () => {
    for (const server of servers) await server.close();
    await receiver.close();
    await dropSchema({ dataDir, databaseUrl: postgresUrl, databaseSchema: schema });
    await rm(dataDir, { recursive: true, force: true });
  });

  it("runs every event once", async () => {
    const [first, second] = servers as [RunningServer, RunningServer];
    const admin = (await first.store.findUser("admin"))!;
    const repository = await first.store.createRepository("shared", admin, false);
    const revision = await commitFiles(first.store, repository, {
      ".pogo/ci/notify.yaml": `version: 1
on:
  push:
    bookmarks: ["*"]
do:
  - webhook:
      url: ${receiver.url}/{{.Rev}}
      method: POST
`,
    });
    // Events arrive through both servers, as behind a load balancer.
    for (let index = 0; index < EVENTS; index++) {
      const server = index % 2 === 0 ? first : second;
      const target = (await server.store.findRepository("shared"))!;
      await server.store.setBookmark(target, `b${index}`, revision.id, admin);
    }
    await waitFor(async () => {
      const { runs } = await first.ci!.runs.listRuns(repository.id, { status: "success" }, 0, 100);
      return runs.length === EVENTS ? true : undefined;
    });
    const paths = receiver.requests.map((request) => request.url).sort();
    expect(paths).toEqual(Array.from({ length: EVENTS }, (_, index) => `/b${index}`).sort());
  });
});
