import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildNodeImage, containerTestsEnabled } from "./node-image.js";
import { type PogoServer, runPogo, startPogoServer } from "./pogo.js";
import {
  breakAssertion,
  copyTree,
  fetchPackage,
  includeNodeModules,
  makeBrokenCopy,
  PACKAGE_SPEC,
  PROBE_COMMAND,
  TEST_COMMAND,
  writeReleaseWebhook,
  writeTestPipeline,
} from "./real-package.js";
import { WebhookReceiver } from "./receiver.js";
import { diffTrees, hashTree, hashZip } from "./tree.js";

// What the probe command prints inside the image built from the fixture
// Dockerfile: the host's own shell is not busybox, and its cwd is not /workspace.
const PROBE_LINE = "e2e-probe cwd=/workspace sh=/bin/busybox ci=true";

// The engine's debug log names each container it creates, `pogo-<run>-main`
// for the task's own, so a test can look for what the run left behind.
const ENGINE_DEBUG = { DEBUG: "pogo:engine" };

function runPrefix(output: string): string {
  const match = /create container (pogo-[0-9a-f]+)-main/.exec(output);
  if (!match) throw new Error(`no container creation in the engine log:\n${output.slice(-2000)}`);
  return match[1]!;
}

/** Lists the containers, volumes and networks whose names start with `prefix`. */
function leftovers(prefix: string): string[] {
  const names = (args: string[]) =>
    execFileSync("docker", args, { encoding: "utf8" })
      .split("\n")
      .filter((name) => name.startsWith(prefix));
  return [
    ...names(["ps", "--all", "--format", "{{.Names}}", "--filter", `name=${prefix}`]),
    ...names(["volume", "ls", "--format", "{{.Name}}", "--filter", `name=${prefix}`]),
    ...names(["network", "ls", "--format", "{{.Name}}", "--filter", `name=${prefix}`]),
  ];
}

function pogoCiTest(cwd: string) {
  return runPogo(["ci", "test", "--event-type", "push", "--rev", "main"], {
    cwd,
    env: ENGINE_DEBUG,
  });
}

const REPOSITORY = "minimist";
const RELEASE = "v1.2.8";

/** Returns the revision id `pogo push` prints in "pushed revision <id> to …". */
function pushedRevision(stdout: string): string {
  const id = /pushed revision ([0-9a-f]{40})/.exec(stdout)?.[1];
  if (!id) throw new Error(`no revision id in the push output:\n${stdout}`);
  return id;
}

// Each test starts up to five CLI processes, and on the server it also waits
// for a pipeline run. One took 43 s on a loaded 2-core machine, too close to
// the default limit of 60 s.
const TEST_TIMEOUT_MS = 180_000;

// One fetch of the package serves both halves: each copies it and adds its own pipeline files.
describe.skipIf(!containerTestsEnabled())(PACKAGE_SPEC, () => {
  let workDir = "";
  let fetchedDir = "";

  const copyPackage = (name: string): string => {
    const target = join(workDir, name);
    copyTree(fetchedDir, target);
    return target;
  };

  beforeAll(() => {
    buildNodeImage();
    workDir = mkdtempSync(join(tmpdir(), "pogo-e2e-"));
    fetchedDir = fetchPackage(workDir);
  }, 300_000);

  afterAll(() => {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  describe("through pogo ci test", () => {
    let packageDir = "";
    let brokenDir = "";

    beforeAll(() => {
      packageDir = copyPackage("local");
      writeTestPipeline(packageDir);
      brokenDir = join(workDir, "local-broken");
      makeBrokenCopy(packageDir, brokenDir);
    });

    it(
      "passes the package's tests in a container",
      async () => {
        const result = await pogoCiTest(packageDir);
        const output = result.stdout + result.stderr;

        expect(result.code, output).toBe(0);
        expect(result.stdout).toContain(PROBE_LINE);
        const planned = /^.*\b1\.\.(\d+)\s*$/m.exec(result.stdout)?.[1];
        const passed = /^.*# pass\s+(\d+)\s*$/m.exec(result.stdout)?.[1];
        expect(Number(planned)).toBeGreaterThan(100);
        expect(passed).toBe(planned);
        expect(result.stdout).toMatch(/^.*# ok\s*$/m);
        expect(result.stdout).not.toMatch(/# fail\s+\d+/);
        expect(leftovers(runPrefix(output))).toEqual([]);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      "fails the broken copy with tape's exit code",
      async () => {
        const result = await pogoCiTest(brokenDir);
        const output = result.stdout + result.stderr;

        expect(result.code, output).toBe(1);
        expect(result.stdout).toContain(PROBE_LINE);
        expect(result.stdout).toMatch(/not ok \d+ long boolean/);
        expect(result.stdout).toMatch(/^.*# fail\s+1\s*$/m);
        // tape exits 1 when an assertion fails, and the task reports that code with the command.
        expect(result.stdout).toContain(
          "`node_modules/.bin/tape 'test/**/*.js'` failed with exit code 1.",
        );
        expect(result.stdout).toMatch(/^test\.yaml\s+main\s+failed\b/m);
        expect(leftovers(runPrefix(output))).toEqual([]);
      },
      TEST_TIMEOUT_MS,
    );
  });

  // These tests run in order and share one server: the first push
  // feeds the pipeline runs, and the release bookmark points back at it.
  describe("pushed to pogo serve", () => {
    let packageDir = "";
    let server: PogoServer | undefined;
    const receiver = new WebhookReceiver();
    let clientEnv: NodeJS.ProcessEnv = {};
    let goodRevision = "";
    let goodTree = new Map<string, string>();

    const pogo = (args: string[]) => runPogo(args, { cwd: packageDir, env: clientEnv });

    /** Returns the id of the newest run that `bookmark` fired. */
    async function latestRun(bookmark: string): Promise<string> {
      const list = await pogo(["ci", "runs", "list", "--bookmark", bookmark, "--limit", "1"]);
      expect(list.code, list.stderr).toBe(0);
      const id = /^([0-9a-f-]{36})\s/m.exec(list.stdout)?.[1];
      if (!id) throw new Error(`no run of ${bookmark} in pogo ci runs list:\n${list.stdout}`);
      return id;
    }

    beforeAll(async () => {
      packageDir = copyPackage("pushed");
      await receiver.start();
      writeTestPipeline(packageDir);
      writeReleaseWebhook(packageDir, receiver.url);
      includeNodeModules(packageDir);

      const dataDir = join(workDir, "server");
      mkdirSync(dataDir);
      server = await startPogoServer(dataDir);
      // A config file of the test's own, so `pogo init` never writes the user's.
      clientEnv = {
        POGO_CONFIG: join(workDir, "client-config.json"),
        POGO_SERVER: server.url,
        POGO_TOKEN: server.adminToken,
      };
    }, 120_000);

    afterAll(async () => {
      await server?.stop();
      await receiver.stop();
    });

    it(
      "pushes the tree and serves it as an archive",
      async () => {
        const init = await pogo(["init", "--create", "--private", REPOSITORY]);
        expect(init.code, init.stderr).toBe(0);
        // The tree to compare with, without the link file `pogo init` writes and `pogo push` leaves out.
        goodTree = hashTree(packageDir);
        goodTree.delete(".pogo/repository.json");

        const push = await pogo(["push", "-m", `${PACKAGE_SPEC} with its test runner`]);
        expect(push.code, push.stderr).toBe(0);
        goodRevision = pushedRevision(push.stdout);

        const archiveUrl = `${server!.url}/repository/${REPOSITORY}/archive/${goodRevision}`;
        const anonymous = await fetch(archiveUrl);
        expect([401, 403, 404]).toContain(anonymous.status);
        const response = await fetch(archiveUrl, {
          headers: { authorization: `Bearer ${server!.adminToken}` },
        });
        expect(response.status).toBe(200);
        const archived = hashZip(Buffer.from(await response.arrayBuffer()));

        expect(archived.size).toBeGreaterThan(1000);
        expect(diffTrees(goodTree, archived)).toEqual([]);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      "runs the tests on bookmark main",
      async () => {
        const bookmark = await pogo(["bookmark", "set", "main"]);
        expect(bookmark.code, bookmark.stderr).toBe(0);
        expect(bookmark.stdout).toContain(`bookmark main created at ${goodRevision}`);
        const runId = await latestRun("main");

        const follow = await pogo(["ci", "runs", "inspect", "--follow", runId]);
        expect(follow.code, follow.stdout + follow.stderr).toBe(0);
        expect(follow.stdout).toContain(PROBE_LINE);
        expect(follow.stdout).toMatch(/^.*# pass\s+153\s*$/m);
        expect(follow.stdout).toMatch(/^.*# ok\s*$/m);

        const inspect = await pogo(["ci", "runs", "inspect", runId]);
        expect(inspect.code, inspect.stderr).toBe(0);
        expect(inspect.stdout).toMatch(new RegExp(`^run ${runId}\\s+success`, "m"));
        expect(inspect.stdout).toContain(`push of bookmark main at revision ${goodRevision}`);
        expect(inspect.stdout).toMatch(/^\.pogo\/ci\/test\.yaml \(matched "main"\) success/m);
        expect(inspect.stdout).toMatch(/task 1 container: \.\/Dockerfile success \(exit code 0\b/);
        expect(inspect.stdout).toContain(`$ ${PROBE_COMMAND}`);
        expect(inspect.stdout).toContain(`$ ${TEST_COMMAND}`);
        // The release pipeline listens to v* only.
        expect(inspect.stdout).not.toContain("release.yaml");
      },
      TEST_TIMEOUT_MS,
    );

    it(
      "fails the broken copy with tape's exit code",
      async () => {
        breakAssertion(packageDir);
        const push = await pogo(["push", "-m", "invert one assertion", "--bookmark", "main"]);
        expect(push.code, push.stderr).toBe(0);
        const brokenRevision = pushedRevision(push.stdout);
        const runId = await latestRun("main");

        const follow = await pogo(["ci", "runs", "inspect", "--follow", runId]);
        expect(follow.code, follow.stdout + follow.stderr).toBe(1);
        expect(follow.stdout).toMatch(/not ok \d+ long boolean/);

        const inspect = await pogo(["ci", "runs", "inspect", runId]);
        expect(inspect.code, inspect.stderr).toBe(0);
        expect(inspect.stdout).toMatch(new RegExp(`^run ${runId}\\s+failed`, "m"));
        expect(inspect.stdout).toContain(`push of bookmark main at revision ${brokenRevision}`);
        expect(inspect.stdout).toMatch(/^.*# fail\s+1\s*$/m);
        expect(inspect.stdout).toContain(`task 1 container: ./Dockerfile failed (exit code 1, `);
        expect(inspect.stdout).toContain(`\`${TEST_COMMAND}\` failed with exit code 1.`);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      "posts the archive URL for v* bookmarks",
      async () => {
        // The release points at the first, passing revision, not at the broken one now on main.
        const bookmark = await pogo(["bookmark", "set", RELEASE, goodRevision]);
        expect(bookmark.code, bookmark.stderr).toBe(0);

        const request = await receiver.next(120_000);
        expect(request.method).toBe("POST");
        expect(request.path).toBe("/release");
        const body = JSON.parse(request.body) as { rev: string; archive: string };
        expect(body.rev).toBe(RELEASE);
        expect(body.archive).toBe(
          `${server!.url}/repository/${REPOSITORY}/archive/${goodRevision}`,
        );
        const authorization = request.headers.authorization ?? "";
        expect(authorization).toMatch(/^Bearer \S+$/);
        // A CI token of the run, not the admin token the client used.
        expect(authorization).not.toContain(server!.adminToken);

        const anonymous = await fetch(body.archive);
        expect([401, 403, 404]).toContain(anonymous.status);
        const response = await fetch(body.archive, { headers: { authorization } });
        expect(response.status).toBe(200);
        const archived = hashZip(Buffer.from(await response.arrayBuffer()));
        expect(diffTrees(goodTree, archived)).toEqual([]);

        const runId = await latestRun(RELEASE);
        const follow = await pogo(["ci", "runs", "inspect", "--follow", runId]);
        expect(follow.code, follow.stdout + follow.stderr).toBe(0);
        const inspect = await pogo(["ci", "runs", "inspect", runId]);
        expect(inspect.stdout).toMatch(/^\.pogo\/ci\/release\.yaml \(matched "v\*"\) success/m);
        expect(inspect.stdout).not.toContain("test.yaml");
        expect(inspect.stdout).not.toContain(authorization.slice("Bearer ".length));
      },
      TEST_TIMEOUT_MS,
    );
  });
});
