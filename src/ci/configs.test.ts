import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ObjectStore } from "../store/objects.js";
import type { Tree } from "../store/tree.js";
import { loadRevisionConfigs } from "./configs.js";

describe("loadRevisionConfigs", () => {
  let root: string;
  let objects: ObjectStore;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), "pogo-revision-configs-"));
    objects = new ObjectStore(root);
    await objects.open();
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function treeOf(files: Record<string, Buffer>): Promise<Tree> {
    const entries = [];
    for (const [path, bytes] of Object.entries(files)) {
      const hash = await objects.putBytes(bytes);
      entries.push({ path, type: "file" as const, mode: 0o644, hash, size: bytes.length });
    }
    return { entries };
  }

  it("reports invalid UTF-8 at its position", async () => {
    const bytes = Buffer.concat([
      Buffer.from('version: 1\non:\n  push:\n    bookmarks: ["m'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('in"]\n'),
    ]);
    const [config] = await loadRevisionConfigs(
      await treeOf({ ".pogo/ci/latin1.yaml": bytes }),
      objects,
    );
    expect(config?.config).toBeUndefined();
    expect(config?.diagnostics[0]).toMatchObject({ code: "INVALID_ENCODING", line: 4 });
  });

  it("loads a valid config", async () => {
    const text =
      "version: 1\non:\n  push:\n    bookmarks: [main]\ndo:\n" +
      "  - type: webhook\n    webhook: {url: 'http://127.0.0.1:9/', method: GET}\n";
    const [config] = await loadRevisionConfigs(
      await treeOf({ ".pogo/ci/hook.yaml": Buffer.from(text) }),
      objects,
    );
    expect(config?.diagnostics).toEqual([]);
    expect(config?.config?.do).toHaveLength(1);
  });
});
