import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { painter } from "../../src/cli/commands/ci-report.js";
import { INSPECT_LOG_REQUESTS, inspectRun } from "../../src/cli/commands/ci-runs.js";
import { PogoClient } from "../../src/client/api.js";
import { HttpReceiver } from "../helpers/http-receiver.js";
import {
  type CiTestServer,
  commitFiles,
  startCiTestServer,
  waitFor,
} from "../support/ci-server.js";
import { backends } from "../support/databases.js";

const PIPELINES = 20;
const LOG_DELAY_MS = 30;

/**
 * A loopback proxy in front of the server that delays each log request and
 * counts how many are in flight at once.
 */
class CountingProxy {
  logRequests = 0;
  maxInFlight = 0;
  private inFlight = 0;
  private readonly server: Server;

  constructor(private readonly target: string) {
    this.server = createServer((incoming, response) => {
      const isLog = (incoming.url ?? "").includes("/log");
      if (isLog) {
        this.logRequests++;
        this.inFlight++;
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
        response.on("close", () => this.inFlight--);
      }
      const forward = () => {
        const upstream = request(
          `${this.target}${incoming.url}`,
          { method: incoming.method, headers: incoming.headers },
          (answer) => {
            response.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(response);
          },
        );
        incoming.pipe(upstream);
      };
      setTimeout(forward, isLog ? LOG_DELAY_MS : 0);
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

describe("pogo ci runs inspect", () => {
  const sqlite = backends.find((backend) => backend.name === "sqlite")!;
  let ci: CiTestServer;
  let receiver: HttpReceiver;
  let proxy: CountingProxy;
  let runId: string;

  beforeAll(async () => {
    receiver = await new HttpReceiver().start();
    ci = await startCiTestServer(sqlite);
    proxy = await new CountingProxy(ci.url).start();
    const { store } = ci.server;
    const repository = await store.createRepository("many", ci.admin, false);
    const files: Record<string, string> = {};
    for (let index = 0; index < PIPELINES; index++) {
      files[`.pogo/ci/p${String(index).padStart(2, "0")}.yaml`] = `version: 1
on:
  push:
    bookmarks: ["main"]
do:
  - webhook:
      url: ${receiver.url}/p${index}
      method: POST
`;
    }
    const revision = await commitFiles(store, repository, files);
    await store.setBookmark(repository, "main", revision.id, ci.admin);
    const runs = ci.server.ci!.runs;
    runId = await waitFor(async () => {
      const run = (await runs.listRuns(repository.id, {}, 0, 1)).runs[0];
      return run?.status === "success" ? run.id : undefined;
    });
  });
  afterAll(async () => {
    await proxy.close();
    await ci.close();
    await receiver.close();
  });

  const inspect = async (serverUrl: string) => {
    let text = "";
    await inspectRun(new PogoClient(serverUrl, ci.token), "many", runId, {
      write: (chunk) => {
        text += chunk;
      },
      paint: painter(false),
    });
    return text;
  };

  it("fetches logs in parallel, printed in order", async () => {
    const direct = await inspect(ci.url);
    const proxied = await inspect(proxy.url);

    // Each pipeline has its own log and one task log.
    expect(proxy.logRequests).toBe(PIPELINES * 2);
    expect(proxy.maxInFlight).toBe(INSPECT_LOG_REQUESTS);
    expect(proxied).toBe(direct);
    const order = [...proxied.matchAll(/^\.pogo\/ci\/(p\d+)\.yaml/gm)].map((match) => match[1]);
    expect(order).toEqual(
      Array.from({ length: PIPELINES }, (_, index) => `p${String(index).padStart(2, "0")}`),
    );
    expect(proxied.match(/task 1 webhook: POST .* success/g)).toHaveLength(PIPELINES);
  });
});
