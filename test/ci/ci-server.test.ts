import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { painter } from "../../src/cli/commands/ci-report.js";
import { followRun, inspectRun, resolveRunId } from "../../src/cli/commands/ci-runs.js";
import { PogoClient } from "../../src/client/api.js";
import type { Repository } from "../../src/store/records.js";
import { HttpReceiver } from "../helpers/http-receiver.js";
import {
  api,
  type CiTestServer,
  commitFiles,
  startCiTestServer,
  waitFor,
} from "../support/ci-server.js";
import { backends } from "../support/databases.js";

interface RunView {
  id: string;
  status: string;
  event: string;
  bookmark: string;
  reason: string | null;
  pipelines: Array<{
    index: number;
    file: string;
    pattern: string | null;
    status: string;
    reason: string | null;
    tasks: Array<{ status: string; httpStatus: number | null; reason: string | null }>;
  }>;
}

const SECRET_VALUE = "s3cret-value-for-tests";

function notifyConfig(receiver: string): string {
  return `version: 1
on:
  push:
    bookmarks: ["main", "release/*"]
do:
  - type: webhook
    webhook:
      url: ${receiver}/notify
      method: POST
      headers:
        Authorization: Bearer \${DEPLOY_TOKEN}
        X-Access-Token: "{{.AccessToken}}"
      body: '{"rev": "{{.Rev}}", "archive": "{{.ArchiveUrl}}", "event": "{{.EventType}}", "id": {{.RepositoryID}}, "repo": "{{.Repository}}", "revision": "{{.RevisionId}}", "author": "{{.Author}}", "server": "{{.ServerUrl}}", "token": "{{.AccessToken}}"}'
`;
}

function removeConfig(receiver: string): string {
  return `version: 1
on:
  remove:
    bookmarks: ["temp-*"]
do:
  - webhook:
      url: ${receiver}/removed/{{.Rev}}
      method: DELETE
`;
}

const BROKEN_CONFIG = `version: 1
on:
  push:
    bookmarks: ["main"]
do:
  - type: webhook
    webhook:
      url: http://127.0.0.1:9/never
      method: post
`;

describe.each(backends)("CI on the server ($name)", (backend) => {
  if (backend.skip) {
    it.skip("needs POGO_TEST_DATABASE_URL", () => {});
    return;
  }

  let ci: CiTestServer;
  let receiver: HttpReceiver;
  let repository: Repository;

  beforeAll(async () => {
    receiver = await new HttpReceiver().start();
  });
  afterAll(async () => {
    await receiver.close();
  });
  beforeEach(async () => {
    ci = await startCiTestServer(backend);
    repository = await ci.server.store.createRepository("app", ci.admin, true);
    receiver.requests.length = 0;
  });
  let closed = false;
  afterEach(async () => {
    if (!closed) await ci.close();
    closed = false;
  });

  const runs = async (query = "") =>
    api<{ runs: RunView[]; total: number }>(ci, "GET", `/repository/app/runs${query}`);
  const finishedRun = (id?: string) =>
    waitFor(
      async () => {
        const list = await runs();
        const run = id ? list.runs.find((candidate) => candidate.id === id) : list.runs[0];
        if (!run || run.status === "queued" || run.status === "running") return undefined;
        return (await api<{ run: RunView }>(ci, "GET", `/repository/app/runs/${run.id}`)).run;
      },
      30_000,
      "a finished run",
    );

  it("runs the pushed configs on bookmark set", async () => {
    await api(ci, "PUT", "/repository/app/secrets/DEPLOY_TOKEN", { value: SECRET_VALUE });
    const revision = await commitFiles(ci.server.store, repository, {
      ".pogo/ci/broken.yaml": BROKEN_CONFIG,
      ".pogo/ci/notify.yaml": notifyConfig(receiver.url),
      ".pogo/ci/remove.yaml": removeConfig(receiver.url),
      "README.md": "hello\n",
    });
    await api(ci, "PUT", "/repository/app/bookmarks/main", { revision: revision.id });
    const run = await finishedRun();

    expect(run.event).toBe("push");
    expect(run.bookmark).toBe("main");
    expect(run.status).toBe("failed");
    expect(run.pipelines.map((pipeline) => pipeline.file)).toEqual([
      ".pogo/ci/broken.yaml",
      ".pogo/ci/notify.yaml",
    ]);
    const [broken, notify] = run.pipelines;
    expect(broken!.status).toBe("failed");
    expect(broken!.reason).toMatch(/^\.pogo\/ci\/broken\.yaml:9:15: /);
    expect(notify!.status).toBe("success");
    expect(notify!.pattern).toBe("main");
    expect(notify!.tasks[0]!.httpStatus).toBe(200);

    expect(receiver.requests).toHaveLength(1);
    const request = receiver.requests[0]!;
    expect(request.headers.authorization).toBe(`Bearer ${SECRET_VALUE}`);
    const body = JSON.parse(request.body.toString()) as Record<string, unknown>;
    expect(body.rev).toBe("main");
    expect(body.archive).toBe(`${ci.url}/repository/app/archive/${revision.id}`);
    expect(body.event).toBe("push");
    expect(body.id).toBe(repository.id);
    expect(body.repo).toBe("app");
    expect(body.revision).toBe(revision.id);
    expect(body.author).toBe("Ada <ada@example.com>");
    expect(body.server).toBe(ci.url);

    // The run's token reads this private repository's archive, and nothing else.
    const token = body.token as string;
    expect(token).toMatch(/^pogoci_/);
    const archive = await fetch(body.archive as string, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(archive.status).toBe(200);
    expect(archive.headers.get("x-pogo-revision")).toBe(revision.id);
    expect((await archive.arrayBuffer()).byteLength).toBeGreaterThan(0);
    const secrets = await fetch(`${ci.url}/repository/app/secrets`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(secrets.status).toBe(403);
    await secrets.arrayBuffer();

    const log = await api<{ lines: Array<{ text: string }>; complete: boolean }>(
      ci,
      "GET",
      `/repository/app/runs/${run.id}/pipelines/1/tasks/0/log`,
    );
    expect(log.complete).toBe(true);
    const text = log.lines.map((line) => line.text).join("\n");
    expect(text).toContain("POST");
    expect(text).not.toContain(SECRET_VALUE);
    expect(text).not.toContain(token);
    const logPath = `/repository/app/runs/${run.id}/pipelines/1/tasks/0/log`;
    const first = await api<{ lines: Array<{ number: number }>; complete: boolean; more: boolean }>(
      ci,
      "GET",
      `${logPath}?limit=1`,
    );
    expect(first.lines.map((line) => line.number)).toEqual([1]);
    expect(first.more).toBe(log.lines.length > 1);
    const rest = await api<{ lines: Array<{ number: number }>; more: boolean }>(
      ci,
      "GET",
      `${logPath}?after=1&limit=10000`,
    );
    expect(rest.lines).toHaveLength(log.lines.length - 1);
    expect(rest.more).toBe(false);
    const brokenLog = await api<{ lines: Array<{ text: string }> }>(
      ci,
      "GET",
      `/repository/app/runs/${run.id}/pipelines/0/log`,
    );
    expect(brokenLog.lines[0]!.text).toMatch(/broken\.yaml:9:15/);

    // The web UI reads the same history.
    const page = await fetch(`${ci.url}/ui/repositories/app/runs/${run.id}`, {
      headers: { authorization: `Bearer ${ci.token}` },
    });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("notify.yaml");
    expect(html).not.toContain(SECRET_VALUE);
  });

  it("fires remove pipelines from the removed revision", async () => {
    const revision = await commitFiles(ci.server.store, repository, {
      ".pogo/ci/notify.yaml": notifyConfig(receiver.url),
      ".pogo/ci/remove.yaml": removeConfig(receiver.url),
    });
    await api(ci, "PUT", "/repository/app/bookmarks/temp-1", { revision: revision.id });
    const pushRun = await finishedRun();
    expect(pushRun.pipelines).toEqual([]);
    expect(pushRun.status).toBe("success");

    await api(ci, "DELETE", "/repository/app/bookmarks/temp-1");
    const removeRun = await waitFor(async () => {
      const list = await runs("?bookmark=temp-1");
      const run = list.runs.find((candidate) => candidate.event === "remove");
      return run && run.status !== "queued" && run.status !== "running" ? run : undefined;
    });
    expect(removeRun.status).toBe("success");
    expect(receiver.requests.map((request) => `${request.method} ${request.url}`)).toEqual([
      "DELETE /removed/temp-1",
    ]);
  });

  it("filters and pages the runs list", async () => {
    await api(ci, "PUT", "/repository/app/secrets/DEPLOY_TOKEN", { value: SECRET_VALUE });
    const revision = await commitFiles(ci.server.store, repository, {
      ".pogo/ci/notify.yaml": notifyConfig(receiver.url),
    });
    await api(ci, "PUT", "/repository/app/bookmarks/main", { revision: revision.id });
    await api(ci, "PUT", "/repository/app/bookmarks/release%2F1", { revision: revision.id });
    await api(ci, "PUT", "/repository/app/bookmarks/other", { revision: revision.id });
    await waitFor(async () => {
      const list = await runs("?status=success");
      return list.total === 3 ? list : undefined;
    });
    const page = await runs("?limit=2");
    expect(page.total).toBe(3);
    expect(page.runs.map((run) => run.bookmark)).toEqual(["other", "release/1"]);
    const second = await runs("?limit=2&offset=2");
    expect(second.runs.map((run) => run.bookmark)).toEqual(["main"]);
    const filtered = await runs("?bookmark=release%2F1");
    expect(filtered.runs).toHaveLength(1);

    const client = new PogoClient(ci.url, ci.token);
    const id = filtered.runs[0]!.id;
    expect(await resolveRunId(client, "app", id)).toBe(id);
    expect(await resolveRunId(client, "app", id.slice(0, 13))).toBe(id);
    await expect(resolveRunId(client, "app", "zz")).rejects.toThrow("invalid run id");
    await expect(resolveRunId(client, "app", "ffffffff-f")).rejects.toThrow("no run id of app");
    expect(receiver.requests).toHaveLength(2);
  });

  it("follows a run from catch-up to its end", async () => {
    await api(ci, "PUT", "/repository/app/secrets/DEPLOY_TOKEN", { value: SECRET_VALUE });
    const revision = await commitFiles(ci.server.store, repository, {
      ".pogo/ci/broken.yaml": BROKEN_CONFIG,
      ".pogo/ci/notify.yaml": notifyConfig(receiver.url),
    });
    await api(ci, "PUT", "/repository/app/bookmarks/main", { revision: revision.id });
    const { runs: list } = await runs();
    const client = new PogoClient(ci.url, ci.token);
    let followed = "";
    const output = {
      write: (text: string) => {
        followed += text;
      },
      paint: painter(false),
    };
    const status = await followRun(client, "app", list[0]!.id, output);

    expect(status).toBe(1);
    expect(followed).toContain("[broken.yaml] .pogo/ci/broken.yaml:9:15:");
    expect(followed).toMatch(
      /\[notify\.yaml\] task 1 webhook: POST http:\/\/127\.0\.0\.1:\d+\/notify success \(HTTP 200/,
    );
    expect(followed).toContain("run failed (1 of 2 pipelines failed)");
    expect(followed).not.toContain(SECRET_VALUE);

    let inspected = "";
    await inspectRun(client, "app", list[0]!.id, {
      write: (text) => {
        inspected += text;
      },
      paint: painter(false),
    });
    expect(inspected).toContain('.pogo/ci/notify.yaml (matched "main") success');
    expect(inspected).toContain("POST");

    const taskStream = await fetch(
      `${ci.url}/repository/app/runs/${list[0]!.id}/pipelines/1/tasks/0/log?follow=1`,
      { headers: { authorization: `Bearer ${ci.token}` } },
    );
    const events = await taskStream.text();
    expect(events).toContain("event: line");
    expect(events).toContain('"status":"success"');
    expect(events.trimEnd().endsWith("event: end\ndata: {}")).toBe(true);
    expect(events).not.toContain("broken.yaml");
  });

  it("stores secrets encrypted and lists no values", async () => {
    await api(ci, "PUT", "/repository/app/secrets/API_KEY", { value: SECRET_VALUE });
    const listed = await api<{ secrets: Array<Record<string, unknown>> }>(
      ci,
      "GET",
      "/repository/app/secrets",
    );
    expect(listed.secrets.map((secret) => secret.name)).toEqual(["API_KEY"]);
    expect(JSON.stringify(listed)).not.toContain(SECRET_VALUE);
    const rows = await ci.server.store.db.query<{ ciphertext: Uint8Array }>(
      "SELECT ciphertext FROM ci_secrets",
    );
    expect(Buffer.from(rows[0]!.ciphertext).toString("latin1")).not.toContain(SECRET_VALUE);
    const read = await api<{ value: string }>(ci, "GET", "/repository/app/secrets/API_KEY");
    expect(read.value).toBe(SECRET_VALUE);
    await api(ci, "DELETE", "/repository/app/secrets/API_KEY");
    const after = await fetch(`${ci.url}/repository/app/secrets/API_KEY`, {
      headers: { authorization: `Bearer ${ci.token}` },
    });
    expect(after.status).toBe(404);
    await after.arrayBuffer();
  });

  it("closes with a live event stream open", async () => {
    receiver.reply("hang");
    const revision = await commitFiles(ci.server.store, repository, {
      ".pogo/ci/hang.yaml": `version: 1
on:
  push:
    bookmarks: ["main"]
do:
  - webhook:
      url: ${receiver.url}/hang
      method: POST
`,
    });
    await api(ci, "PUT", "/repository/app/bookmarks/main", { revision: revision.id });
    const { runs: list } = await runs();
    const stream = await fetch(`${ci.url}/repository/app/runs/${list[0]!.id}/events`, {
      headers: { authorization: `Bearer ${ci.token}` },
    });
    expect(stream.headers.get("content-type")).toContain("text/event-stream");
    await waitFor(async () => (receiver.requests.length > 0 ? true : undefined));
    // The stream's first pass ends with the run's status; closing before it
    // arrives would test a stream that had not started yet.
    const reader = stream.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    while (!text.includes("event: run")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    expect(text).toContain("event: run");

    const started = Date.now();
    await ci.close();
    closed = true;
    expect(Date.now() - started).toBeLessThan(10_000);
    // The server ended the stream: reading reaches its end instead of hanging.
    for (;;) {
      const { done } = await reader.read();
      if (done) break;
    }
  });
});
