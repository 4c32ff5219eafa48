import { execFileSync } from "node:child_process";
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPogo } from "../e2e/pogo.js";
import { HttpReceiver } from "../helpers/http-receiver.js";
import { waitFor } from "../support/ci-server.js";
import { BUSYBOX_IMAGE, ensureTestImages, HTTPD_IMAGE } from "../support/images.js";
import { type ServeChild, startServeChild, stopServeChild } from "../support/serve-child.js";
import { snapshotDirectory } from "../support/tree.js";

const pogoEntry = fileURLToPath(new URL("../../src/cli/pogo.ts", import.meta.url));
const tsxLoader = fileURLToPath(new URL("../../node_modules/tsx/dist/loader.mjs", import.meta.url));
const DEPLOY_TOKEN = "deploy-token-0123456789";

const BUILD = `version: 1
on:
  push:
    bookmarks: ["main"]
do:
  - type: container
    container:
      image: ${BUSYBOX_IMAGE}
      services:
        - name: web
          image: ${HTTPD_IMAGE}
          environment:
            GREETING: hello from the service
      commands:
        - cat /workspace/README.md
        - /workspace/bin/tool.sh
        - wget -q -O - http://web/
`;

function notify(receiver: string): string {
  return `version: 1
on:
  push:
    bookmarks: ["main", "release-*"]
do:
  - type: webhook
    webhook:
      url: ${receiver}/build
      method: POST
      headers:
        Authorization: Bearer \${DEPLOY_TOKEN}
      body: '{"rev": "{{.Rev}}", "archive": "{{.ArchiveUrl}}", "token": "{{.AccessToken}}"}'
`;
}

function cleanup(receiver: string): string {
  return `version: 1
on:
  remove:
    bookmarks: ["main"]
do:
  - webhook:
      url: ${receiver}/cleanup/{{.Rev}}
      method: DELETE
`;
}

const RELEASE = `version: 1
on:
  push:
    bookmarks: ["v*"]
do:
  - webhook:
      url: http://127.0.0.1:9/never-for-main
      method: POST
`;

const BROKEN = `version: 1
on:
  push:
    bookmarks: ["main"]
do:
  - type: container
    container:
      image: ${BUSYBOX_IMAGE}
      commands: echo not a list
`;

describe("pogo CI end to end", () => {
  let base: string;
  let work: string;
  let receiver: HttpReceiver;
  let serve: ServeChild;
  let env: NodeJS.ProcessEnv;

  const pogo = async (args: string[], expectCode = 0) => {
    const result = await runPogo(args, { cwd: work, env, timeoutMs: 120_000 });
    expect(result.code, `pogo ${args.join(" ")}: ${result.stderr}`).toBe(expectCode);
    return result.stdout;
  };

  beforeAll(async () => {
    await ensureTestImages();
    receiver = await new HttpReceiver().start();
    base = await mkdtemp(join(tmpdir(), "pogo-ci-e2e-"));
    env = { ...process.env, POGO_CONFIG: join(base, "config.json") };
    delete env.POGO_SERVER;
    delete env.POGO_TOKEN;
    serve = await startServeChild(["--data-dir", join(base, "data")], env);

    work = join(base, "work");
    await mkdir(join(work, ".pogo", "ci"), { recursive: true });
    await mkdir(join(work, "bin"));
    await writeFile(join(work, ".pogo", "ci", "build.yaml"), BUILD);
    await writeFile(join(work, ".pogo", "ci", "broken.yaml"), BROKEN);
    await writeFile(join(work, ".pogo", "ci", "cleanup.yaml"), cleanup(receiver.url));
    await writeFile(join(work, ".pogo", "ci", "notify.yaml"), notify(receiver.url));
    await writeFile(join(work, ".pogo", "ci", "release.yaml"), RELEASE);
    await writeFile(join(work, "README.md"), "the pushed readme\n");
    await writeFile(join(work, "bin", "tool.sh"), "#!/bin/sh\necho tool ran\n");
    await chmod(join(work, "bin", "tool.sh"), 0o755);
    await symlink("README.md", join(work, "readme-link"));
  });

  afterAll(async () => {
    if (serve) await stopServeChild(serve);
    await receiver?.close();
    if (base) await rm(base, { recursive: true, force: true });
  });

  it("runs pushed pipelines and streams them to inspect --follow", async () => {
    const token = serve.adminToken!;
    await pogo(["init", "--server", serve.url, "--token", token, "--create", "--private", "app"]);
    execFileSync(
      process.execPath,
      ["--import", tsxLoader, pogoEntry, "secrets", "set", "DEPLOY_TOKEN"],
      {
        cwd: work,
        env: { ...env, NO_COLOR: "1" },
        input: `${DEPLOY_TOKEN}\n`,
      },
    );
    const listed = await pogo(["secrets", "list"]);
    expect(listed).toContain("DEPLOY_TOKEN");
    expect(listed).not.toContain(DEPLOY_TOKEN);
    expect(await pogo(["secrets", "get", "DEPLOY_TOKEN"])).toBe(`${DEPLOY_TOKEN}\n`);

    const pushed = await pogo(["push", "-m", "ci end to end"]);
    const revision = /pushed revision ([0-9a-f]{40})/.exec(pushed)![1]!;
    await pogo(["bookmark", "set", "main"]);

    const list = await pogo(["ci", "runs", "list"]);
    const runId = /^([0-9a-f-]{36})\s/m.exec(list)![1]!;
    const followed = await pogo(["ci", "runs", "inspect", runId, "--follow"], 1);

    expect(followed).toContain("[build.yaml] the pushed readme");
    expect(followed).toContain("[build.yaml] tool ran");
    expect(followed).toContain("[build.yaml] hello from the service");
    expect(followed).toMatch(/\[broken\.yaml\] \.pogo\/ci\/broken\.yaml:9:\d+: /);
    expect(followed).toMatch(/\[notify\.yaml\] task 1 webhook: POST \S+\/build success \(HTTP 200/);
    expect(followed).not.toContain("release.yaml");
    expect(followed).toContain("run failed (1 of 3 pipelines failed)");
    expect(followed).not.toContain(DEPLOY_TOKEN);

    const request = receiver.requests.find((candidate) => candidate.url === "/build")!;
    expect(request.headers.authorization).toBe(`Bearer ${DEPLOY_TOKEN}`);
    const body = JSON.parse(request.body.toString()) as {
      rev: string;
      archive: string;
      token: string;
    };
    expect(body.rev).toBe("main");
    expect(body.archive).toBe(`${serve.url}/repository/app/archive/${revision}`);

    // The archive URL, with the run's token, downloads exactly the pushed tree.
    const archive = await fetch(body.archive, {
      headers: { authorization: `Bearer ${body.token}` },
    });
    expect(archive.status).toBe(200);
    const zipPath = join(base, "archive.zip");
    await writeFile(zipPath, Buffer.from(await archive.arrayBuffer()));
    const unpacked = join(base, "unpacked");
    execFileSync("unzip", ["-q", zipPath, "-d", unpacked]);
    // The client's own files under .pogo (the link, its hash cache) are never pushed.
    const expected = await snapshotDirectory(
      work,
      (path) => path.startsWith(".pogo/") && path !== ".pogo/ci" && !path.startsWith(".pogo/ci/"),
    );
    const actual = await snapshotDirectory(unpacked);
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [path, entry] of expected) expect(actual.get(path), path).toEqual(entry);

    const inspected = await pogo(["ci", "runs", "inspect", runId]);
    expect(inspected).toContain('.pogo/ci/notify.yaml (matched "main") success');
    expect(inspected).toContain("hello from the service");
  });

  it("fires remove pipelines from the removed revision", async () => {
    await pogo(["bookmark", "remove", "main"]);
    const run = await waitFor(async () => {
      const list = await pogo(["ci", "runs", "list", "--bookmark", "main"]);
      const line = list.split("\n").find((row) => row.includes(" remove "));
      return line && /\ssuccess\s/.test(line) ? line : undefined;
    });
    expect(run).toContain("main");
    expect(receiver.requests.map((request) => `${request.method} ${request.url}`)).toContain(
      "DELETE /cleanup/main",
    );
  });
});
