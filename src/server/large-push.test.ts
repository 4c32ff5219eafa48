import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "../../test/support/databases.js";
import { startTestServer, type TestServer } from "../../test/support/server.js";
import { readZip } from "../../test/support/zip-reader.js";
import { PogoClient } from "../client/api.js";
import { push } from "../client/push.js";

describe("server with default limits", () => {
  let server: TestServer;
  let tree: string;
  const logLines: string[] = [];

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logLines.push(...chunk.toString().split("\n").filter(Boolean));
        done();
      },
    });
    server = await startTestServer(backends[0]!, { logger: pino({ level: "info" }, sink) });
    tree = await mkdtemp(join(tmpdir(), "pogo-large-"));
  });

  afterAll(async () => {
    await server?.close();
    if (tree) await rm(tree, { recursive: true, force: true });
  });

  it("streams a file too large for a pack both ways", async () => {
    // Above the 8 MiB pack limit, so the client PUTs it as a stream, and
    // above the 1 MiB whole-file limit, so the zip entry streams too.
    const content = Buffer.concat([randomBytes(5 * 1024 * 1024), Buffer.alloc(5 * 1024 * 1024, 7)]);
    await writeFile(join(tree, "big.bin"), content);
    await writeFile(join(tree, "small.txt"), "small");
    const client = new PogoClient(server.url, server.adminToken);
    await client.createRepository("large", true);
    const pushed = await push({
      client,
      repository: "large",
      root: tree,
      author: "A",
      description: "",
      bookmark: "main",
    });
    expect(pushed.uploaded).toBe(2);

    const response = await fetch(
      `${server.url}/repository/large/archive/main?token=${server.adminToken}`,
    );
    expect(response.status).toBe(200);
    const members = readZip(Buffer.from(await response.arrayBuffer()));
    expect(members.map((member) => member.path)).toEqual(["big.bin", "small.txt"]);
    expect(members[0]!.content.equals(content)).toBe(true);
  });

  it("keeps tokens out of the request log", () => {
    const archiveLines = logLines.filter((line) => line.includes("/archive/main"));
    expect(archiveLines.length).toBeGreaterThan(0);
    expect(archiveLines.some((line) => line.includes("token=***"))).toBe(true);
    for (const line of logLines) expect(line).not.toContain(server.adminToken);
  });
});
