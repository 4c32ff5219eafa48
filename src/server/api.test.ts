import { createHash } from "node:crypto";
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "../../test/support/databases.js";
import { startTestServer, type TestServer } from "../../test/support/server.js";
import { snapshotDirectory } from "../../test/support/tree.js";
import { readZip } from "../../test/support/zip-reader.js";
import { PogoClient } from "../client/api.js";
import { push } from "../client/push.js";
import { PACK_CONTENT_TYPE, packHeader } from "./pack.js";

const sha = (content: string | Buffer) => createHash("sha256").update(content).digest("hex");

async function makeTree(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "pogo-tree-"));
  await mkdir(join(root, "src/nested/deeper"), { recursive: true });
  await writeFile(join(root, "README.md"), "# demo\n");
  await writeFile(join(root, "src/main.ts"), "export const x = 1;\n".repeat(200));
  await writeFile(join(root, "src/nested/deeper/empty.txt"), "");
  await writeFile(join(root, "src/nested/ünïcödé name.txt"), "unicode\n");
  await writeFile(join(root, "run.sh"), "#!/bin/sh\necho hi\n");
  await chmod(join(root, "run.sh"), 0o755);
  await writeFile(join(root, "private.key"), "secret");
  await chmod(join(root, "private.key"), 0o600);
  await symlink("src/main.ts", join(root, "link-to-main"));
  await symlink("../outside", join(root, "src/dangling"));
  await mkdir(join(root, "node_modules/pkg"), { recursive: true });
  await writeFile(join(root, "node_modules/pkg/index.js"), "ignored by default");
  await writeFile(join(root, "build.log"), "ignored by .pogoignore");
  await writeFile(join(root, ".pogoignore"), "*.log\n");
  await mkdir(join(root, ".pogo"), { recursive: true });
  await writeFile(join(root, ".pogo/repository.json"), "{}");
  return root;
}

async function json(response: Response) {
  return {
    status: response.status,
    body: (await response.json()) as { error?: { code: string; message: string } },
  };
}

describe.each(backends)("server API on $name", (backend) => {
  if (backend.skip) {
    it.skip("needs POGO_TEST_DATABASE_URL", () => {});
    return;
  }
  let server: TestServer;
  let admin: PogoClient;
  let tree: string;
  let alice: { token: string; client: PogoClient };

  const request = (method: string, path: string, init: RequestInit & { token?: string } = {}) => {
    const headers = new Headers(init.headers);
    if (init.token) headers.set("authorization", `Bearer ${init.token}`);
    return fetch(`${server.url}${path}`, { ...init, method, headers });
  };

  beforeAll(async () => {
    server = await startTestServer(backend, {
      limits: { jsonBodyBytes: 256 * 1024, blobBytes: 64 * 1024 },
    });
    admin = new PogoClient(server.url, server.adminToken);
    tree = await makeTree();
    const created = await json(
      await request("POST", "/users", {
        token: server.adminToken,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "alice" }),
      }),
    );
    const token = (created.body as unknown as { token: string }).token;
    alice = { token, client: new PogoClient(server.url, token) };
  });

  afterAll(async () => {
    await server?.close();
    if (tree) await rm(tree, { recursive: true, force: true });
  });

  it("pushes a tree and serves it back as a zip", async () => {
    await admin.createRepository("demo", true);
    const first = await push({
      client: admin,
      repository: "demo",
      root: tree,
      author: "Ada",
      description: "first",
      bookmark: "main",
    });
    expect(first.bookmark).toEqual({ name: "main", changed: true });
    expect(first.uploaded).toBeGreaterThan(0);

    const response = await request("GET", "/repository/demo/archive/main", {
      token: server.adminToken,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/zip");
    const members = readZip(Buffer.from(await response.arrayBuffer()));

    const expected = await snapshotDirectory(
      tree,
      (path) => path === "node_modules" || path === "build.log" || path === ".pogo",
    );
    const actual = new Map(
      members.map((member) => {
        const isLink = (member.unixMode & 0o170000) === 0o120000;
        return [
          member.path,
          {
            kind: isLink ? "symlink" : "file",
            mode: member.unixMode & 0o777,
            content: isLink ? member.content.toString("utf8") : member.content.toString("base64"),
          },
        ] as const;
      }),
    );
    expect(actual).toEqual(expected);
    for (const member of members) {
      const type = member.unixMode & 0o170000;
      expect(type === 0o100000 || type === 0o120000).toBe(true);
    }
  });

  it("uploads only changed blobs on a second push", async () => {
    await writeFile(join(tree, "README.md"), "# demo, changed\n");
    const second = await push({
      client: admin,
      repository: "demo",
      root: tree,
      author: "Ada",
      description: "second",
    });
    expect(second.uploaded).toBe(1);
    expect(second.bookmark).toBeNull();
    const revisions = await admin.listRevisions("demo");
    expect(revisions.map((revision) => revision.description)).toEqual(["second", "first"]);
    // The archive URL of an old revision keeps its content after the bookmark moves.
    const moved = await admin.setBookmark("demo", "main", second.revision.id);
    expect(moved.changed).toBe(true);
    const old = readZip(
      Buffer.from(await (await admin.archive("demo", revisions[1]!.id)).arrayBuffer()),
    );
    expect(old.find((member) => member.path === "README.md")?.content.toString()).toBe("# demo\n");
  });

  it("sets, lists and removes bookmarks with slashes", async () => {
    const [newest] = await admin.listRevisions("demo", 1);
    const created = await admin.setBookmark("demo", "release/1.0", newest!.id);
    expect(created).toMatchObject({ changed: true, previousRevision: null });
    const again = await admin.setBookmark("demo", "release/1.0", newest!.id);
    expect(again.changed).toBe(false);
    expect((await admin.listBookmarks("demo")).map((bookmark) => bookmark.name)).toEqual([
      "main",
      "release/1.0",
    ]);
    const archive = await request("GET", "/repository/demo/archive/release/1.0", {
      token: server.adminToken,
    });
    expect(archive.status).toBe(200);
    await archive.arrayBuffer();
    expect((await admin.removeBookmark("demo", "release/1.0")).revision).toBe(newest!.id);
    await expect(admin.removeBookmark("demo", "release/1.0")).rejects.toMatchObject({
      code: "BOOKMARK_NOT_FOUND",
      status: 404,
    });
  });

  it("keeps private repositories from other users", async () => {
    for (const token of [alice.token, undefined]) {
      const archive = await json(await request("GET", "/repository/demo/archive/main", { token }));
      expect(archive.status).toBe(404);
      expect(archive.body.error?.code).toBe("REPOSITORY_NOT_FOUND");
    }
    await expect(alice.client.listBookmarks("demo")).rejects.toMatchObject({
      code: "REPOSITORY_NOT_FOUND",
    });
    await expect(alice.client.missingObjects("demo", [sha("x")])).rejects.toMatchObject({
      status: 404,
    });
    const repositories = await json(await request("GET", "/repositories", { token: alice.token }));
    expect(JSON.stringify(repositories.body)).not.toContain("demo");
  });

  it("lets anyone read a public repository but only the owner write", async () => {
    await alice.client.createRepository("open", false);
    const root = await mkdtemp(join(tmpdir(), "pogo-open-"));
    await writeFile(join(root, "a.txt"), "a");
    const pushed = await push({
      client: alice.client,
      repository: "open",
      root,
      author: "Alice",
      description: "",
    });
    await rm(root, { recursive: true, force: true });
    const anonymous = await request("GET", `/repository/open/archive/${pushed.revision.id}`);
    expect(anonymous.status).toBe(200);
    expect(
      readZip(Buffer.from(await anonymous.arrayBuffer())).map((member) => member.path),
    ).toEqual(["a.txt"]);
    const forbidden = await json(
      await request("PUT", "/repository/open/bookmarks/main", {
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ revision: pushed.revision.id }),
      }),
    );
    expect(forbidden.status).toBe(401);
    const other = new PogoClient(server.url, server.adminToken);
    expect((await other.setBookmark("open", "main", pushed.revision.id)).changed).toBe(true);
    const stranger = await json(
      await request("POST", "/users", {
        token: server.adminToken,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "bob" }),
      }),
    );
    const bob = new PogoClient(server.url, (stranger.body as unknown as { token: string }).token);
    await expect(bob.setBookmark("open", "main", pushed.revision.id)).rejects.toMatchObject({
      code: "FORBIDDEN",
      status: 403,
    });
  });

  it("admits a repository's CI token to its archive only", async () => {
    const repository = (await server.server.store.findRepository("demo"))!;
    const { token } = await server.server.store.createCiToken(repository.id, Date.now() + 60_000);
    const byQuery = await request("GET", `/repository/demo/archive/main?token=${token}`);
    expect(byQuery.status).toBe(200);
    await byQuery.arrayBuffer();
    const open = await server.server.store.findRepository("open");
    const { token: otherToken } = await server.server.store.createCiToken(
      open!.id,
      Date.now() + 60_000,
    );
    expect(
      (await request("GET", "/repository/demo/archive/main", { token: otherToken })).status,
    ).toBe(404);
    const push = await json(
      await request("POST", "/repository/demo/objects/missing", {
        token,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ hashes: [] }),
      }),
    );
    expect(push.status).toBe(403);
    const { token: expired } = await server.server.store.createCiToken(
      repository.id,
      Date.now() - 1,
    );
    const rejected = await json(
      await request("GET", "/repository/demo/archive/main", { token: expired }),
    );
    expect(rejected).toMatchObject({ status: 401, body: { error: { code: "INVALID_TOKEN" } } });
  });

  it("takes a query token only for archives", async () => {
    const response = await json(await request("GET", `/user?token=${server.adminToken}`));
    expect(response).toMatchObject({ status: 401, body: { error: { code: "UNAUTHENTICATED" } } });
  });

  it("rejects wrong and malformed tokens", async () => {
    const wrong = await json(await request("GET", "/user", { token: "pogo_wrong" }));
    expect(wrong).toMatchObject({ status: 401, body: { error: { code: "INVALID_TOKEN" } } });
    const malformed = await json(
      await request("GET", "/user", { headers: { authorization: "Basic abc" } }),
    );
    expect(malformed.status).toBe(401);
    const missing = await json(await request("GET", "/user"));
    expect(missing).toMatchObject({ status: 401, body: { error: { code: "UNAUTHENTICATED" } } });
    const notAdmin = await json(await request("GET", "/users", { token: alice.token }));
    expect(notAdmin.status).toBe(403);
  });

  it.each([
    ["../escape", "INVALID_PATH"],
    ["/etc/passwd", "INVALID_PATH"],
    ["a/../../b", "INVALID_PATH"],
    ["a\\b", "INVALID_PATH"],
    ["nul\0byte", "INVALID_PATH"],
    ["a//b", "INVALID_PATH"],
    ["./a", "INVALID_PATH"],
  ])("rejects the tree path %j", async (path, code) => {
    const content = "x";
    await admin.missingObjects("demo", [sha(content)]);
    const result = await json(
      await request("POST", "/repository/demo/revisions", {
        token: server.adminToken,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          author: "A",
          description: "bad",
          bookmark: "bad-path",
          entries: [{ path, type: "file", mode: 0o644, hash: sha(content), size: 1 }],
        }),
      }),
    );
    expect(result.status).toBe(400);
    expect(result.body.error?.code).toBe(code);
    expect((await admin.listBookmarks("demo")).map((bookmark) => bookmark.name)).not.toContain(
      "bad-path",
    );
  });

  it("rejects a file below a symlink in the tree", async () => {
    const result = await json(
      await request("POST", "/repository/demo/revisions", {
        token: server.adminToken,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          author: "A",
          description: "",
          entries: [
            { path: "link", type: "symlink", target: "/etc" },
            { path: "link/passwd", type: "file", mode: 0o644, hash: sha("x"), size: 1 },
          ],
        }),
      }),
    );
    expect(result).toMatchObject({ status: 400, body: { error: { code: "PATH_CONFLICT" } } });
  });

  it("rejects a revision whose blobs were never uploaded", async () => {
    const before = await admin.listRevisions("demo");
    const hash = sha("never uploaded");
    await expect(
      admin.createRevision("demo", {
        author: "A",
        description: "",
        entries: [{ path: "ghost.txt", type: "file", mode: 0o644, hash, size: 14 }],
        bookmark: "ghost",
      }),
    ).rejects.toMatchObject({ code: "MISSING_OBJECTS", status: 409 });
    expect(await admin.listRevisions("demo")).toEqual(before);
  });

  it("rejects blobs whose bytes do not match their hash", async () => {
    const claimed = sha("the real content");
    const single = await json(
      await request("PUT", `/repository/demo/objects/${claimed}`, {
        token: server.adminToken,
        headers: { "content-type": "application/octet-stream" },
        body: "something else",
      }),
    );
    expect(single).toMatchObject({ status: 400, body: { error: { code: "HASH_MISMATCH" } } });
    const pack = Buffer.concat([packHeader(claimed, 5), Buffer.from("wrong")]);
    const packed = await json(
      await request("POST", "/repository/demo/objects", {
        token: server.adminToken,
        headers: { "content-type": PACK_CONTENT_TYPE },
        body: pack,
      }),
    );
    expect(packed).toMatchObject({ status: 400, body: { error: { code: "HASH_MISMATCH" } } });
    expect(await admin.missingObjects("demo", [claimed])).toEqual([claimed]);
    expect(await server.server.store.objects.has(claimed)).toBe(false);
  });

  it("rejects truncated and malformed packs", async () => {
    const content = Buffer.from("pack content");
    const truncated = await json(
      await request("POST", "/repository/demo/objects", {
        token: server.adminToken,
        headers: { "content-type": PACK_CONTENT_TYPE },
        body: Buffer.concat([packHeader(sha(content), 100), content]),
      }),
    );
    expect(truncated).toMatchObject({ status: 400, body: { error: { code: "INVALID_PACK" } } });
    const garbage = await json(
      await request("POST", "/repository/demo/objects", {
        token: server.adminToken,
        headers: { "content-type": PACK_CONTENT_TYPE },
        body: "not a pack\n",
      }),
    );
    expect(garbage).toMatchObject({ status: 400, body: { error: { code: "INVALID_PACK" } } });
  });

  it("rejects oversized bodies", async () => {
    const big = Buffer.alloc(65 * 1024, 1);
    const blob = await json(
      await request("PUT", `/repository/demo/objects/${sha(big)}`, {
        token: server.adminToken,
        headers: { "content-type": "application/octet-stream" },
        body: big,
      }),
    );
    expect(blob).toMatchObject({ status: 413, body: { error: { code: "BODY_TOO_LARGE" } } });
    const packed = await json(
      await request("POST", "/repository/demo/objects", {
        token: server.adminToken,
        headers: { "content-type": PACK_CONTENT_TYPE },
        body: Buffer.concat([packHeader(sha(big), big.length), big]),
      }),
    );
    expect(packed.status).toBe(413);
    expect(await server.server.store.objects.has(sha(big))).toBe(false);
    const manifest = await json(
      await request("POST", "/repository/demo/revisions", {
        token: server.adminToken,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ author: "A", description: "x".repeat(300 * 1024), entries: [] }),
      }),
    );
    expect(manifest).toMatchObject({ status: 413, body: { error: { code: "BODY_TOO_LARGE" } } });
  });

  it.each([
    ["bad name", "INVALID_BOOKMARK_NAME"],
    ["a..b", "INVALID_BOOKMARK_NAME"],
    ["x.lock", "INVALID_BOOKMARK_NAME"],
    ["a/.hidden", "INVALID_BOOKMARK_NAME"],
    ["what?", "INVALID_BOOKMARK_NAME"],
  ])("rejects the bookmark name %j", async (name, code) => {
    const [newest] = await admin.listRevisions("demo", 1);
    await expect(admin.setBookmark("demo", name, newest!.id)).rejects.toMatchObject({
      code,
      status: 400,
    });
  });

  it("rejects invalid repository names", async () => {
    for (const name of ["has space", "..", "-dash", "a".repeat(101)]) {
      await expect(admin.createRepository(name, false)).rejects.toMatchObject({
        code: "INVALID_REPOSITORY_NAME",
        status: 400,
      });
    }
    await expect(admin.createRepository("demo", false)).rejects.toMatchObject({
      code: "REPOSITORY_EXISTS",
      status: 409,
    });
  });

  it("answers unknown routes and revisions with JSON errors", async () => {
    const route = await json(await request("GET", "/no/such/route"));
    expect(route).toMatchObject({ status: 404, body: { error: { code: "NOT_FOUND" } } });
    const revision = await json(
      await request("GET", "/repository/demo/archive/nope", { token: server.adminToken }),
    );
    expect(revision).toMatchObject({
      status: 404,
      body: { error: { code: "REVISION_NOT_FOUND" } },
    });
    const badJson = await json(
      await request("POST", "/repositories", {
        token: server.adminToken,
        headers: { "content-type": "application/json" },
        body: "{not json",
      }),
    );
    expect(badJson.status).toBe(400);
    expect(badJson.body.error?.code).toBeDefined();
  });

  it("rejects overlong token lifetimes", async () => {
    const before = (await alice.client.listTokens()).length;
    const response = await json(
      await request("POST", "/user/tokens", {
        token: alice.token,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ description: "forever", expiresInDays: 1e9 }),
      }),
    );
    expect(response.status).toBe(400);
    expect(response.body.error?.code).toBe("INVALID_REQUEST");
    expect(response.body.error?.message).toContain("expiresInDays");
    expect(response.body.error?.message).toContain("36500");
    expect((await alice.client.listTokens()).length).toBe(before);
  });

  it("creates, lists and revokes user tokens", async () => {
    const created = await alice.client.createToken("laptop", 30);
    expect(created.token).toMatch(/^pogo_/);
    expect(created.record.expiresAt).not.toBeNull();
    const fresh = new PogoClient(server.url, created.token);
    expect((await fresh.whoami()).user?.name).toBe("alice");
    const listed = await alice.client.listTokens();
    expect(JSON.stringify(listed)).not.toContain(created.token);
    expect(listed.map((token) => token.description)).toContain("laptop");
    await alice.client.revokeToken(created.record.id);
    await expect(fresh.whoami()).rejects.toMatchObject({ code: "INVALID_TOKEN" });
    await expect(admin.revokeToken(created.record.id)).rejects.toMatchObject({
      code: "TOKEN_NOT_FOUND",
    });
  });
});
