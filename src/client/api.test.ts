import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PogoClient } from "./api.js";

// A loopback server that records each request's raw URL, so the tests see
// exactly the path the client put on the wire.
let server: Server;
let client: PogoClient;
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    seen.push(`${request.method} ${request.url}`);
    response.setHeader("content-type", "application/json");
    response.end(JSON.stringify({ bookmark: {}, changed: true, previousRevision: null }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  client = new PogoClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, "t");
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe("PogoClient URLs", () => {
  it("rejects dot-segment bookmark names", async () => {
    seen.length = 0;
    for (const name of ["a/../b", "..", ".", "zz/../b", "a/./b"]) {
      await expect(client.setBookmark("demo", name, "main")).rejects.toMatchObject({
        code: "INVALID_BOOKMARK_NAME",
      });
      await expect(client.removeBookmark("demo", name)).rejects.toMatchObject({
        code: "INVALID_BOOKMARK_NAME",
      });
    }
    expect(seen).toEqual([]);
  });

  it("encodes nested bookmark segments", async () => {
    seen.length = 0;
    await client.setBookmark("demo", "feature/x#1", "main");
    expect(seen).toEqual(["PUT /repository/demo/bookmarks/feature/x%231"]);
  });

  it("rejects invalid names before sending", async () => {
    seen.length = 0;
    await expect(client.getRepository("..")).rejects.toMatchObject({
      code: "INVALID_REPOSITORY_NAME",
    });
    await expect(client.getSecret("demo", "..")).rejects.toMatchObject({
      code: "INVALID_SECRET_NAME",
    });
    await expect(client.getRevision("demo", "..")).rejects.toMatchObject({
      code: "INVALID_PATH_SEGMENT",
    });
    await expect(client.archive("demo", "a/../b")).rejects.toMatchObject({
      code: "INVALID_PATH_SEGMENT",
    });
    await expect(client.getRun("demo", ".")).rejects.toMatchObject({
      code: "INVALID_PATH_SEGMENT",
    });
    expect(seen).toEqual([]);
  });
});
