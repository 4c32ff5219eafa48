import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, cp, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends, dropSchema, postgresUrl } from "./support/databases.js";
import { type ServeChild, startServeChild } from "./support/serve-child.js";
import { snapshotDirectory } from "./support/tree.js";

const projectRoot = new URL("..", import.meta.url).pathname;
const tsx = join(projectRoot, "node_modules/.bin/tsx");
const pogo = join(projectRoot, "src/cli/pogo.ts");

describe.each(backends)("pogo serve end to end on $name", (backend) => {
  if (backend.skip) {
    it.skip("needs POGO_TEST_DATABASE_URL", () => {});
    return;
  }

  let base: string;
  let serve: ServeChild;
  let env: NodeJS.ProcessEnv;
  let serveArgs: string[];
  let work: string;
  let token: string;
  const schemaOptions = {
    dataDir: "",
    databaseUrl: postgresUrl,
    databaseSchema: `pogo_e2e_${process.pid}_${randomBytes(4).toString("hex")}`,
  };

  const cli = (args: string[], cwd = work) =>
    execFileSync(tsx, [pogo, ...args], {
      cwd,
      env,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), "pogo-e2e-"));
    env = { ...process.env, POGO_CONFIG: join(base, "config.json"), NO_COLOR: "1" };
    delete env.POGO_SERVER;
    delete env.POGO_TOKEN;
    serveArgs = ["--data-dir", join(base, "data")];
    if (backend.name === "postgres") {
      serveArgs.push("--database-url", `${postgresUrl}?schema=${schemaOptions.databaseSchema}`);
    }
    serve = await startServeChild(serveArgs, env);

    work = join(base, "work");
    await mkdir(work);
    await cp(join(projectRoot, "src"), join(work, "src"), { recursive: true });
    await writeFile(join(work, "tool.sh"), "#!/bin/sh\necho tool\n");
    await chmod(join(work, "tool.sh"), 0o755);
    await symlink("src/cli/pogo.ts", join(work, "entry"));
    await symlink("../README.md", join(work, "src/readme-link"));
  });

  afterAll(async () => {
    if (serve && serve.child.exitCode === null) serve.child.kill("SIGKILL");
    if (backend.name === "postgres") await dropSchema(schemaOptions);
    if (base) await rm(base, { recursive: true, force: true });
  });

  it("pushes a tree and serves the same tree as a zip", async () => {
    const banner = serve.lines.find((line) => line.trim().startsWith("pogo_"));
    expect(banner).toBeDefined();
    token = banner!.trim();
    expect(serve.lines.some((line) => line.includes('"level"') && line.includes(token))).toBe(
      false,
    );

    const init = cli([
      "init",
      "--server",
      serve.url,
      "--token",
      token,
      "--create",
      "--private",
      "e2e",
    ]);
    expect(init).toContain("created private repository e2e");
    expect(cli(["whoami"])).toContain("admin (admin)");
    const pushed = cli(["push", "-m", "the project's own source"]);
    const revision = /pushed revision ([0-9a-f]{40})/.exec(pushed)?.[1];
    expect(revision).toBeDefined();
    expect(cli(["bookmark", "set", "main"])).toContain(`bookmark main created at ${revision}`);
    expect(cli(["bookmark", "list"])).toContain(`main\t${revision}`);

    const response = await fetch(`${serve.url}/repository/e2e/archive/main`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    const zipPath = join(base, "main.zip");
    await writeFile(zipPath, Buffer.from(await response.arrayBuffer()));
    const unpacked = join(base, "unpacked");
    execFileSync("unzip", ["-q", zipPath, "-d", unpacked]);

    const expected = await snapshotDirectory(work, (path) => path === ".pogo");
    const actual = await snapshotDirectory(unpacked);
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [path, entry] of expected) expect(actual.get(path), path).toEqual(entry);
    expect(actual.get("entry")).toEqual({
      kind: "symlink",
      mode: 0o777,
      content: "src/cli/pogo.ts",
    });
    expect(actual.get("tool.sh")?.mode).toBe(0o755);
  });

  // The CLI talks HTTP only, so one database engine is enough here.
  it.runIf(backend.name === "sqlite")("moves bookmarks and manages tokens from the CLI", () => {
    const pushed = cli(["push", "-m", "again", "-b", "scratch"]);
    expect(pushed).toMatch(/bookmark scratch -> [0-9a-f]{40}/);
    expect(cli(["bookmark", "remove", "scratch"])).toMatch(
      /bookmark scratch removed \(it pointed at [0-9a-f]{40}\)/,
    );

    const created = cli(["token", "create", "-d", "laptop", "--expires-in-days", "7"]).trim();
    expect(created).toMatch(/^pogo_\S+$/);
    const listed = cli(["token", "list"]);
    expect(listed).toContain("laptop");
    expect(listed).not.toContain(created);
    const id = /^(\d+)\t.*\tlaptop$/m.exec(listed)?.[1];
    expect(id).toBeDefined();
    expect(cli(["whoami", "--token", created])).toContain("admin (admin)");
    expect(cli(["token", "revoke", id!])).toContain(`token ${id} revoked`);
  });

  it("keeps its data across a graceful restart", async () => {
    serve.child.kill("SIGTERM");
    expect(await serve.exit).toBe(0);
    expect(serve.lines.some((line) => line.includes('"pogo server stopped"'))).toBe(true);

    serve = await startServeChild(serveArgs, env);
    expect(serve.lines.some((line) => line.includes("First start"))).toBe(false);
    // The link and the saved token name the old port; the flags point at the new one.
    const listed = cli(["bookmark", "list", "--server", serve.url, "--token", token]);
    expect(listed).toMatch(/^main\t[0-9a-f]{40}\t/);
    serve.child.kill("SIGTERM");
    expect(await serve.exit).toBe(0);
  });
});
