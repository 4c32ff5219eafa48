// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${NAME}` is the secret syntax under test.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LocalEventFlags } from "../src/cli/commands/ci-local.js";
import { renderCommand } from "../src/cli/commands/ci-render.js";
import type { CommandIo } from "../src/cli/commands/ci-test.js";

const CONFIG = `version: 1
on:
  push:
    bookmarks: ["v*"]
do:
  - type: webhook
    webhook:
      url: http://127.0.0.1:9/deploy/{{.Rev}}
      method: POST
      headers:
        X-Api-Key: '{{secret "API_KEY"}}'
        Authorization: Bearer \${DEPLOY_TOKEN}
      body: '{"at": {{now.Unix}}, "day": "{{now.Format "2006-01-02"}}"}'
`;

let repo: string;
let out: string;
let err: string;

function io(): CommandIo {
  return {
    cwd: repo,
    env: {},
    stdout: (text) => {
      out += text;
    },
    stderr: (text) => {
      err += text;
    },
    colour: false,
  };
}

function flags(extra: Partial<LocalEventFlags> = {}): LocalEventFlags {
  return {
    eventType: "push",
    rev: "v1.0.0",
    secret: ["API_KEY=api-key-secret-1"],
    now: "2026-05-06T07:08:09Z",
    ...extra,
  };
}

beforeEach(() => {
  repo = mkdtempSync(path.join(tmpdir(), "pogo-ci-render-"));
  mkdirSync(path.join(repo, ".pogo", "ci"), { recursive: true });
  writeFileSync(path.join(repo, ".pogo/ci/deploy.yaml"), CONFIG);
  out = "";
  err = "";
});

afterEach(() => {
  rmSync(repo, { recursive: true, force: true });
});

describe("pogo ci render", () => {
  it("prints the rendered config with secrets masked", async () => {
    const status = await renderCommand(undefined, flags(), io());

    expect(status).toBe(0);
    expect(err).toBe("");
    expect(out).toBe(`# .pogo/ci/deploy.yaml: push of bookmark "v1.0.0" fires on "v*"
version: 1
on:
  push:
    bookmarks:
      - v*
do:
  - type: webhook
    webhook:
      url: http://127.0.0.1:9/deploy/v1.0.0
      method: POST
      headers:
        X-Api-Key: "***"
        Authorization: Bearer \${DEPLOY_TOKEN}
      body: '{"at": 1778051289, "day": "2026-05-06"}'
`);
  });

  it("renders a named file the event does not fire", async () => {
    const status = await renderCommand(".pogo/ci/deploy.yaml", flags({ rev: "main" }), io());

    expect(status).toBe(0);
    expect(out).toContain(
      '# .pogo/ci/deploy.yaml: push of bookmark "main" does not fire on this event',
    );
  });

  it("says so when no config fires", async () => {
    const status = await renderCommand(undefined, flags({ rev: "main" }), io());

    expect(status).toBe(0);
    expect(out).toBe("");
    expect(err).toContain('no config fires for a push of bookmark "main"');
  });

  it("exits 1 with the position of a rendering error", async () => {
    const status = await renderCommand(undefined, flags({ secret: [] }), io());

    expect(status).toBe(1);
    expect(err).toMatch(/^\.pogo\/ci\/deploy\.yaml:11:\d+: .*API_KEY/);
  });

  it("rejects a --now that is not RFC 3339", async () => {
    await expect(renderCommand(undefined, flags({ now: "yesterday" }), io())).rejects.toThrow(
      'invalid --now "yesterday"',
    );
  });
});
