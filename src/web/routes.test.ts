import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedRepository, startWebTestServer, type WebTestServer } from "../../test/support/web.js";
import type { Repository, User } from "../store/records.js";
import { MemoryRunHistory, runDetail } from "./memory-run-history.js";
import type { PipelineDetail, TaskDetail } from "./model.js";

const EVIL = `<script>alert("x")</script>`;

function task(index: number, fields: Partial<TaskDetail> = {}): TaskDetail {
  return {
    index,
    type: "container",
    name: "busybox",
    status: "pending",
    exitCode: null,
    httpStatus: null,
    reason: null,
    startedAt: null,
    finishedAt: null,
    log: [],
    droppedLogLines: 0,
    ...fields,
  };
}

function pipeline(index: number, fields: Partial<PipelineDetail> = {}): PipelineDetail {
  return {
    index,
    file: `.pogo/ci/p${index}.yaml`,
    pattern: "main",
    status: "success",
    reason: null,
    warnings: [],
    startedAt: 1000,
    finishedAt: 2000,
    log: [],
    tasks: [],
    ...fields,
  };
}

describe("web routes", () => {
  let server: WebTestServer;
  let runs: MemoryRunHistory;
  let alice: User;
  let aliceToken: string;
  let bobToken: string;
  let publicRepository: Repository;

  const get = (path: string, cookie?: string, accept = "text/html") =>
    fetch(`${server.url}${path}`, {
      redirect: "manual",
      headers: { accept, ...(cookie ? { cookie } : {}) },
    });
  const postForm = (
    path: string,
    fields: Record<string, string>,
    cookie?: string,
    accept = "text/html",
  ) =>
    fetch(`${server.url}${path}`, {
      method: "POST",
      redirect: "manual",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        accept,
        ...(cookie ? { cookie } : {}),
      },
      body: new URLSearchParams(fields).toString(),
    });
  const signIn = async (token: string) => {
    const response = await postForm("/ui/sign-in", { token, next: "/ui/" });
    expect(response.status).toBe(303);
    return response.headers.get("set-cookie")!.split(";")[0]!;
  };
  const csrfOf = async (cookie: string, path: string) => {
    const page = await (await get(path, cookie)).text();
    return /name="csrf" value="([^"]+)"/.exec(page)![1]!;
  };

  beforeAll(async () => {
    runs = new MemoryRunHistory();
    server = await startWebTestServer({ runs, control: runs });
    alice = await server.store.createUser("alice");
    aliceToken = (await server.store.createUserToken(alice.id)).token;
    const bob = await server.store.createUser("bob");
    bobToken = (await server.store.createUserToken(bob.id)).token;
    await seedRepository(server.store, { name: "secret", owner: alice, isPrivate: true });
    publicRepository = (
      await seedRepository(server.store, {
        name: "open",
        owner: alice,
        description: `fix ${EVIL}`,
        bookmarks: ["main", "feature/x"],
      })
    ).repository;
    for (let index = 0; index < 60; index++) {
      runs.addRun(
        publicRepository.id,
        runDetail({
          id: `old-${index}`,
          bookmark: index % 2 === 0 ? "main" : "feature/x",
          status: index === 59 ? "failed" : "success",
          createdAt: 1000 + index,
          startedAt: 1000 + index,
          finishedAt: 2000 + index,
          pipelines: [pipeline(0, { status: index === 59 ? "failed" : "success" })],
        }),
      );
    }
  });

  afterAll(async () => {
    await server?.close();
  });

  it("redirects the root to the repositories", async () => {
    const response = await get("/");
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/ui/");
  });

  it("lists only public repositories without a session", async () => {
    const response = await get("/ui/");
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain("/ui/repositories/open");
    expect(page).not.toContain("/ui/repositories/secret");
    expect(response.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(response.headers.get("cache-control")).toBe("no-store");
  });

  it("rejects an unknown token at sign-in", async () => {
    const response = await postForm("/ui/sign-in", { token: "pogo_nope" });
    expect(response.status).toBe(401);
    expect(response.headers.get("set-cookie")).toBeNull();
    expect(await response.text()).toContain("unknown, revoked or expired");
  });

  it("rejects a CI token at sign-in", async () => {
    const ci = await server.store.createCiToken(publicRepository.id, Date.now() + 60_000);
    const response = await postForm("/ui/sign-in", { token: ci.token });
    expect(response.status).toBe(403);
  });

  it("signs in with a session cookie that holds no token", async () => {
    const response = await postForm("/ui/sign-in", {
      token: aliceToken,
      next: "/ui/repositories/secret",
    });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/ui/repositories/secret");
    const cookie = response.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^pogo_session=[A-Za-z0-9_-]{43}; /);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Lax");
    expect(cookie).not.toContain("Secure");
    expect(cookie).not.toContain(aliceToken);
    const page = await (await get("/ui/", cookie.split(";")[0])).text();
    expect(page).toContain("Signed in as <strong>alice</strong>");
    expect(page).toContain("/ui/repositories/secret");
  });

  it("keeps the redirect after sign-in on this site", async () => {
    for (const next of ["//evil.example/", "https://evil.example/", "/\\evil.example"]) {
      const response = await postForm("/ui/sign-in", { token: aliceToken, next });
      expect(response.headers.get("location")).toBe("/ui/");
    }
  });

  it("hides private repositories from others", async () => {
    expect((await get("/ui/repositories/secret")).status).toBe(404);
    const bob = await signIn(bobToken);
    const response = await get("/ui/repositories/secret", bob);
    expect(response.status).toBe(404);
    expect(await response.text()).toContain("not found");
  });

  it("shows a repository with escaped descriptions", async () => {
    const response = await get("/ui/repositories/open");
    const page = await response.text();
    expect(response.status).toBe(200);
    expect(page).not.toContain("<script>alert");
    expect(page).toContain("fix &lt;script&gt;");
    expect(page).toContain("/ui/repositories/open/archive/feature%2Fx");
    expect(page).toContain('data-status="failed"');
  });

  it("downloads the archive of a private repository with a session", async () => {
    const cookie = await signIn(aliceToken);
    expect((await get("/ui/repositories/secret/archive/main")).status).toBe(404);
    const response = await get("/ui/repositories/secret/archive/main", cookie);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/zip");
    const body = Buffer.from(await response.arrayBuffer());
    expect(body.subarray(0, 2).toString()).toBe("PK");
  });

  it("does not authenticate the JSON API by cookie", async () => {
    const cookie = await signIn(aliceToken);
    const response = await get("/repository/secret", cookie, "application/json");
    expect(response.status).toBe(404);
  });

  it("pages the runs list newest first", async () => {
    const first = await (await get("/ui/repositories/open/runs")).text();
    expect(first).toContain("1–50 of 60 (page 1 of 2)");
    expect(first.indexOf("/runs/old-59#")).toBeLessThan(first.indexOf("/runs/old-58#"));
    const second = await (await get("/ui/repositories/open/runs?page=2")).text();
    expect(second).toContain("51–60 of 60 (page 2 of 2)");
    expect(second).toContain("/runs/old-0#");
  });

  it("answers a form without CSRF with a page", async () => {
    const cookie = await signIn(aliceToken);
    const response = await postForm(
      "/ui/repositories/open/runs/live-1/cancel",
      { pipeline: "0" },
      cookie,
      "*/*",
    );
    expect(response.status).toBe(403);
    expect(response.headers.get("content-type")).toContain("text/html");
    expect(await response.text()).toContain("reload the page");
  });

  it("filters the runs list", async () => {
    const failed = await (await get("/ui/repositories/open/runs?status=failed")).text();
    expect(failed).toContain("1–1 of 1");
    const feature = await (
      await get(`/ui/repositories/open/runs?bookmark=${encodeURIComponent("feature/x")}`)
    ).text();
    expect(feature).toContain("1–30 of 30");
  });

  it("rejects an unknown status filter", async () => {
    const response = await get("/ui/repositories/open/runs?status=bogus");
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("unknown status");
  });

  it("serves badges for public repositories only", async () => {
    const badge = await get("/repository/open/badge.svg?bookmark=main", undefined, "image/*");
    expect(badge.status).toBe(200);
    expect(badge.headers.get("content-type")).toContain("image/svg+xml");
    expect(await badge.text()).toContain(">passing<");
    const feature = await (await get("/repository/open/badge.svg?bookmark=feature%2Fx")).text();
    expect(feature).toContain(">failing<");
    const none = await (await get("/repository/open/badge.svg?bookmark=nope")).text();
    expect(none).toContain(">no runs<");
    expect((await get("/repository/secret/badge.svg")).status).toBe(404);
    const withToken = await fetch(`${server.url}/repository/secret/badge.svg`, {
      headers: { authorization: `Bearer ${aliceToken}` },
    });
    expect(withToken.status).toBe(200);
  });

  it("serves versioned assets", async () => {
    const page = await (await get("/ui/")).text();
    const href = /href="(\/ui\/assets\/style\.css\?v=[0-9a-f]+)"/.exec(page)![1]!;
    const css = await get(href);
    expect(css.headers.get("content-type")).toContain("text/css");
    expect(css.headers.get("cache-control")).toContain("immutable");
    const js = await get("/ui/assets/live.js");
    expect(js.headers.get("content-type")).toContain("text/javascript");
    expect(js.headers.get("cache-control")).toBe("no-cache");
  });

  it("streams a running run and cancels it", async () => {
    runs.addRun(
      publicRepository.id,
      runDetail({
        id: "live-1",
        bookmark: "main",
        status: "running",
        createdAt: Date.now(),
        startedAt: Date.now(),
        pipelines: [
          pipeline(0, {
            status: "running",
            finishedAt: null,
            tasks: [task(0, { status: "running", startedAt: Date.now() })],
          }),
        ],
      }),
    );
    runs.appendLog("live-1", 0, 0, { stream: "stdout", text: "first", time: Date.now() });
    const cookie = await signIn(aliceToken);
    const page = await (await get("/ui/repositories/open/runs/live-1", cookie)).text();
    expect(page).toContain('data-live-url="/ui/repositories/open/runs/live-1/live"');
    expect(page).toContain("Cancel pipeline");

    const controller = new AbortController();
    const stream = await fetch(`${server.url}/ui/repositories/open/runs/live-1/live`, {
      headers: { cookie },
      signal: controller.signal,
    });
    expect(stream.headers.get("content-type")).toContain("text/event-stream");
    const reader = stream.body!.getReader();
    let received = "";
    const readUntil = async (text: string) => {
      while (!received.includes(text)) {
        const { value, done } = await reader.read();
        if (done) break;
        received += Buffer.from(value).toString();
      }
      return received.includes(text);
    };
    expect(await readUntil('"count":1')).toBe(true);
    runs.appendLog("live-1", 0, 0, { stream: "stdout", text: `second ${EVIL}`, time: Date.now() });
    expect(await readUntil("second")).toBe(true);
    expect(received).toContain('"number":2');
    expect(received).toContain("second &lt;script&gt;");

    const fill = (await (
      await get(
        "/ui/repositories/open/runs/live-1/log?pipeline=0&task=0&from=2",
        cookie,
        "application/json",
      )
    ).json()) as { lines: Array<{ number: number; html: string }> };
    expect(fill.lines).toHaveLength(1);
    expect(fill.lines[0]!.number).toBe(2);

    const text = await (
      await get("/ui/repositories/open/runs/live-1/log.txt?pipeline=0&task=0")
    ).text();
    expect(text).toBe(`first\nsecond ${EVIL}\n`);

    const noCsrf = await postForm(
      "/ui/repositories/open/runs/live-1/cancel",
      { pipeline: "0" },
      cookie,
      "application/json",
    );
    expect(noCsrf.status).toBe(403);
    const csrf = await csrfOf(cookie, "/ui/repositories/open/runs/live-1");
    const cancel = await postForm(
      "/ui/repositories/open/runs/live-1/cancel",
      { pipeline: "0", csrf },
      cookie,
      "application/json",
    );
    expect(await cancel.json()).toEqual({ cancelled: true });
    expect(await readUntil('event: run\ndata: {"status":"cancelled"}')).toBe(true);
    controller.abort();
    const finished = await (await get("/ui/repositories/open/runs/live-1", cookie)).text();
    expect(finished).not.toContain("data-live-url");
    expect(finished).toContain('data-status="cancelled"');
  });

  it("lets only the owner cancel", async () => {
    runs.addRun(
      publicRepository.id,
      runDetail({
        id: "live-2",
        bookmark: "main",
        status: "running",
        pipelines: [pipeline(0, { status: "running" })],
      }),
    );
    const bob = await signIn(bobToken);
    const page = await (await get("/ui/repositories/open/runs/live-2", bob)).text();
    expect(page).not.toContain("Cancel pipeline");
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1]!;
    const response = await postForm("/ui/repositories/open/runs/live-2/cancel", { csrf }, bob);
    expect(response.status).toBe(403);
  });

  it("tells a finished run's watcher to reload", async () => {
    const response = await get("/ui/repositories/open/runs/old-3/live");
    expect(await response.text()).toContain("event: reload");
  });

  it("ends the session at sign-out", async () => {
    const cookie = await signIn(aliceToken);
    const csrf = await csrfOf(cookie, "/ui/");
    const response = await postForm("/ui/sign-out", { csrf }, cookie);
    expect(response.status).toBe(303);
    expect(response.headers.get("set-cookie")).toContain("Max-Age=0");
    expect(await (await get("/ui/", cookie)).text()).not.toContain("Signed in as");
  });

  it("ends the session when its token is revoked", async () => {
    const { token, record } = await server.store.createUserToken(alice.id);
    const cookie = await signIn(token);
    expect(await (await get("/ui/", cookie)).text()).toContain("Signed in as");
    await server.store.revokeToken(alice.id, record.id);
    expect(await (await get("/ui/", cookie)).text()).not.toContain("Signed in as");
  });

  it("rejects an oversized form", async () => {
    const response = await postForm("/ui/sign-in", { token: "x".repeat(70 * 1024) });
    expect(response.status).toBe(413);
  });

  it("shows a missing run as not found", async () => {
    const response = await get("/ui/repositories/open/runs/nope");
    expect(response.status).toBe(404);
    expect(await response.text()).toContain("run &quot;nope&quot; not found");
  });
});

describe("live stream without local updates", () => {
  let server: WebTestServer;
  let runs: MemoryRunHistory;

  beforeAll(async () => {
    runs = new MemoryRunHistory();
    // A run executing on another server sends no updates to this one.
    const silent = {
      watch: () => () => {},
      cancel: (repositoryId: number, runId: string, pipeline?: number) =>
        runs.cancel(repositoryId, runId, pipeline),
    };
    server = await startWebTestServer({ runs, control: silent, livePollMs: 50 });
    const { repository } = await seedRepository(server.store, {
      name: "remote",
      owner: server.admin,
    });
    runs.addRun(
      repository.id,
      runDetail({
        id: "remote-1",
        bookmark: "main",
        status: "running",
        pipelines: [
          pipeline(0, {
            status: "running",
            finishedAt: null,
            tasks: [task(0, { status: "running", startedAt: Date.now() })],
          }),
        ],
      }),
    );
  });

  afterAll(async () => {
    await server?.close();
  });

  it("polls the run for changes", async () => {
    const stream = await fetch(`${server.url}/ui/repositories/remote/runs/remote-1/live`);
    const reader = stream.body!.getReader();
    let received = "";
    const readUntil = async (text: string) => {
      while (!received.includes(text)) {
        const { value, done } = await reader.read();
        if (done) break;
        received += Buffer.from(value).toString();
      }
      return received.includes(text);
    };
    expect(await readUntil("event: task")).toBe(true);
    runs.appendLog("remote-1", 0, 0, { stream: "stdout", text: "one", time: Date.now() });
    runs.appendLog("remote-1", 0, 0, { stream: "stdout", text: "two", time: Date.now() });
    expect(await readUntil('"count":2')).toBe(true);
    runs.finishCancelled("remote-1", 0);
    expect(await readUntil('event: run\ndata: {"status":"cancelled"}')).toBe(true);
    expect(received).toContain('"status":"cancelled","reason":"cancelled from the web UI"');
    // The stream ends with the run.
    expect((await reader.read()).done).toBe(true);
  });

  it("ends open streams at server close", async () => {
    runs.addRun(
      (await server.store.findRepository("remote"))!.id,
      runDetail({ id: "remote-2", bookmark: "main", status: "running", pipelines: [] }),
    );
    const stream = await fetch(`${server.url}/ui/repositories/remote/runs/remote-2/live`);
    const reader = stream.body!.getReader();
    expect((await reader.read()).done).toBe(false);
    const closing = server.close();
    while (!(await reader.read()).done) {
      // Drain until the server ends the stream.
    }
    await closing;
    server = undefined as unknown as WebTestServer;
  });
});
