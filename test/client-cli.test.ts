import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const projectRoot = new URL("..", import.meta.url).pathname;
const tsx = join(projectRoot, "node_modules/.bin/tsx");
const pogo = join(projectRoot, "src/cli/pogo.ts");

describe("client commands without a server", () => {
  let directory: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), "pogo-cli-"));
    env = { ...process.env, POGO_CONFIG: join(directory, "config.json") };
    delete env.POGO_SERVER;
    delete env.POGO_TOKEN;
  });

  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  const run = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) =>
    spawnSync(tsx, [pogo, ...args], {
      cwd: directory,
      env: { ...env, ...extraEnv },
      encoding: "utf8",
    });

  it("push outside a linked directory exits 2", () => {
    const result = run(["push"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("run `pogo init` first");
  });

  it("init without a server exits 2", () => {
    const result = run(["init", "--create", "app"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("no server given");
  });

  it("rejects a server URL that is not http", () => {
    const result = run(["whoami", "--server", "ftp://example.invalid"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("use http:// or https://");
  });

  it("reports an unreachable server in one line", () => {
    // Port 9 (discard) on loopback has no listener here, so the connection is refused.
    const result = run(["whoami", "--server", "http://127.0.0.1:9", "--token", "pogo_x"]);
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain("cannot reach the Pogo server at http://127.0.0.1:9");
    expect(result.stderr).not.toContain("pogo_x");
  });

  it("rejects an invalid --listen for serve", () => {
    const result = run(["serve", "--listen", "nonsense", "--data-dir", join(directory, "data")]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("invalid --listen");
  });
});
