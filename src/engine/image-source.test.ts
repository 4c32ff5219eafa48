import { describe, expect, it } from "vitest";
import type { ProgressUpdate } from "../tasks/task.js";
import { oneLine } from "./errors.js";
import { pullFailureMessage, resolveImage } from "./image-source.js";
import type { Engine, PullProgress } from "./types.js";

/**
 * Builds an engine whose only working part is an image client that replays
 * pull progress. Real pulls need a registry, which tests cannot reach.
 */
function pullingEngine(present: boolean, events: PullProgress[]): Engine & { pulls: string[] } {
  const pulls: string[] = [];
  const images = {
    exists: async () => present,
    pull: async (reference: string, onProgress: (progress: PullProgress) => void) => {
      pulls.push(reference);
      for (const event of events) onProgress(event);
    },
  };
  return { images, pulls } as unknown as Engine & { pulls: string[] };
}

const events: PullProgress[] = [
  { status: "Pulling from library/node" },
  { layer: "a1b2c3d4e5f6", status: "Downloading", current: 10, total: 100 },
  { layer: "a1b2c3d4e5f6", status: "Downloading", current: 50, total: 100 },
  { layer: "a1b2c3d4e5f6", status: "Pull complete" },
];

function input(
  engine: Engine,
  log: { write(): void; info(line: string): void; progress?(update: ProgressUpdate): void },
) {
  return {
    engine,
    image: "node:20",
    repositoryDir: undefined,
    runId: "r",
    log,
    signal: new AbortController().signal,
  };
}

describe("resolveImage", () => {
  it("skips the pull of a present image", async () => {
    const engine = pullingEngine(true, events);
    expect(await resolveImage(input(engine, { write() {}, info() {} }))).toBe("node:20");
    expect(engine.pulls).toEqual([]);
  });

  it("logs one line per layer status", async () => {
    const lines: string[] = [];
    const engine = pullingEngine(false, events);
    await resolveImage(input(engine, { write() {}, info: (line) => lines.push(line) }));
    expect(engine.pulls).toEqual(["node:20"]);
    expect(lines.slice(0, -1)).toEqual([
      "pulling image node:20",
      "Pulling from library/node",
      "a1b2c3d4e5f6: Downloading",
      "a1b2c3d4e5f6: Pull complete",
    ]);
    expect(lines.at(-1)).toMatch(/^pulled image node:20 in \d+\.\d s$/);
  });

  it("hands every update to a progress sink", async () => {
    const updates: ProgressUpdate[] = [];
    const lines: string[] = [];
    const engine = pullingEngine(false, events);
    await resolveImage(
      input(engine, {
        write() {},
        info: (line) => lines.push(line),
        progress: (update) => updates.push(update),
      }),
    );
    expect(updates).toHaveLength(4);
    expect(updates[2]).toEqual({
      kind: "pull",
      image: "node:20",
      layer: "a1b2c3d4e5f6",
      status: "Downloading",
      current: 50,
      total: 100,
    });
    expect(lines).toHaveLength(2);
  });
});

describe("pullFailureMessage", () => {
  it("joins the engine's reason into one sentence", () => {
    const reason = oneLine(
      '(HTTP code 500) server error - Get "https://registry.invalid/v2/": dial tcp: no such host \n',
    );
    expect(reason).toBe('Get "https://registry.invalid/v2/": dial tcp: no such host');
    expect(pullFailureMessage("team/app:1", `${reason}.`)).toBe(
      'Image team/app:1 is not on this machine and could not be pulled: Get "https://registry.invalid/v2/": dial tcp: no such host. Build it locally (docker build -t team/app:1 .), check the image name, or check that the engine can reach its registry.',
    );
  });

  it("drops the CLI's daemon prefix", () => {
    expect(oneLine("Error response from daemon: manifest unknown\n")).toBe("manifest unknown");
  });
});
