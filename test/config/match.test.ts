import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  type CiEvent,
  discoverConfigFiles,
  findRepositoryRoot,
  loadConfig,
  loadRepositoryConfigs,
  matchEvent,
  templateData,
} from "../../src/config/index.js";
import { SecretMasker } from "../../src/runner/masker.js";
import { planEvent, templateEnv } from "../../src/runner/plan.js";
import { secretSource } from "../../src/runner/secrets.js";

function pipeline(on: string): string {
  return `version: 1\non:\n${on}\ndo:\n  - container:\n      image: alpine:3.20\n`;
}

function event(type: CiEvent["type"], bookmark: string): CiEvent {
  return { type, bookmark, data: templateData({ Rev: bookmark, EventType: type }) };
}

describe("matchEvent", () => {
  const configs = [
    loadConfig("a.yaml", pipeline("  push:\n    bookmarks: [main, 'v*']")),
    loadConfig(
      "b.yaml",
      pipeline("  push:\n    bookmarks: ['v*', 'v1.*']\n  remove:\n    bookmarks: ['temp-*']"),
    ),
    loadConfig("c.yaml", pipeline("  remove:\n    bookmarks: ['*']")),
  ];

  it("selects by event type and pattern", () => {
    const matches = matchEvent(configs, event("push", "v1.2"));
    expect(matches.map((m) => [m.file, m.pattern])).toEqual([
      ["a.yaml", "v*"],
      ["b.yaml", "v*"],
    ]);
  });

  it("fires a config once with its first matching pattern", () => {
    const matches = matchEvent([configs[1]!], event("push", "v1.0"));
    expect(matches).toHaveLength(1);
    expect(matches[0]!.pattern).toBe("v*");
  });

  it("matches remove events against `on.remove` only", () => {
    const matches = matchEvent(configs, event("remove", "temp-42"));
    expect(matches.map((m) => [m.file, m.pattern])).toEqual([
      ["b.yaml", "temp-*"],
      ["c.yaml", "*"],
    ]);
  });

  it("keeps `*` from crossing a slash", () => {
    expect(matchEvent(configs, event("remove", "users/temp"))).toEqual([]);
  });

  it("returns nothing when no pattern matches", () => {
    expect(matchEvent(configs, event("push", "dev"))).toEqual([]);
  });

  it("includes broken configs that match", () => {
    const broken = loadConfig(
      "broken.yaml",
      "version: 1\non:\n  push:\n    bookmarks: [main]\ndo: []\n",
    );
    const matches = matchEvent([broken], event("push", "main"));
    expect(matches).toHaveLength(1);
    expect(matches[0]!.config).toBeUndefined();
    expect(matches[0]!.pattern).toBe("main");
    expect(matches[0]!.diagnostics[0]!.message).toContain("`do` is empty");
    expect(matchEvent([broken], event("push", "dev"))).toEqual([]);
  });

  it("includes configs with broken triggers", () => {
    const broken = loadConfig("broken.yaml", pipeline("  push:\n    bookmarks: main"));
    const matches = matchEvent([broken], event("remove", "anything"));
    expect(matches).toHaveLength(1);
    expect(matches[0]!.pattern).toBeUndefined();
  });
});

describe("discovery", () => {
  const created: string[] = [];
  afterEach(() => {
    for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  function repository(files: Record<string, string>): string {
    const root = mkdtempSync(path.join(tmpdir(), "pogo-config-"));
    created.push(root);
    mkdirSync(path.join(root, ".pogo", "ci"), { recursive: true });
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
      writeFileSync(path.join(root, name), text);
    }
    return root;
  }

  it("finds the nearest folder holding .pogo", () => {
    const root = repository({ "src/deep/file.txt": "" });
    expect(findRepositoryRoot(path.join(root, "src", "deep"))).toBe(root);
    expect(findRepositoryRoot(root)).toBe(root);
  });

  it("lists top-level configs by name", () => {
    const root = repository({
      ".pogo/ci/b.yml": "",
      ".pogo/ci/a.yaml": "",
      ".pogo/ci/C.yaml": "",
      ".pogo/ci/notes.txt": "",
      ".pogo/ci/nested/d.yaml": "",
    });
    const names = discoverConfigFiles(root).map((file) => path.relative(root, file));
    expect(names).toEqual([".pogo/ci/C.yaml", ".pogo/ci/a.yaml", ".pogo/ci/b.yml"]);
  });

  it("returns no files when .pogo/ci is missing", () => {
    const root = mkdtempSync(path.join(tmpdir(), "pogo-config-"));
    created.push(root);
    expect(discoverConfigFiles(root)).toEqual([]);
  });

  it("loads every config with root-relative names", () => {
    const root = repository({
      ".pogo/ci/build.yaml": pipeline("  push:\n    bookmarks: [main]"),
      ".pogo/ci/broken.yml": "version: 2\n",
    });
    const loaded = loadRepositoryConfigs(root);
    expect(loaded.map((config) => [config.file, config.diagnostics.length > 0])).toEqual([
      [".pogo/ci/broken.yml", true],
      [".pogo/ci/build.yaml", false],
    ]);
    expect(loaded[0]!.diagnostics[0]!.file).toBe(".pogo/ci/broken.yml");
  });

  it("fails the pipeline of an unreadable entry", () => {
    const root = repository({ ".pogo/ci/build.yaml": pipeline("  push:\n    bookmarks: [main]") });
    symlinkSync("gone.yaml", path.join(root, ".pogo", "ci", "dangling.yaml"));
    const loaded = loadRepositoryConfigs(root);
    expect(loaded.map((config) => config.file)).toEqual([
      ".pogo/ci/build.yaml",
      ".pogo/ci/dangling.yaml",
    ]);
    expect(loaded[1]!.diagnostics[0]!.code).toBe("UNREADABLE_FILE");

    const env = templateEnv(secretSource({}), new SecretMasker());
    const plans = planEvent(loaded, event("push", "main"), env);
    expect(plans.map((plan) => [plan.file, "error" in plan ? plan.error : "runs"])).toEqual([
      [".pogo/ci/build.yaml", "runs"],
      [
        ".pogo/ci/dangling.yaml",
        ".pogo/ci/dangling.yaml:1:1: cannot read the config file: it is a symbolic link to a file that does not exist",
      ],
    ]);
  });
});
