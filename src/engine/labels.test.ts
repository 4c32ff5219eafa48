import { spawnSync } from "node:child_process";
import { hostname } from "node:os";
import { describe, expect, it } from "vitest";
import {
  engineFilterTerms,
  formatOwner,
  getCurrentOwner,
  isOwnerAlive,
  keepMatching,
  LABEL,
  parseOwner,
} from "./labels.js";

describe("owner labels", () => {
  it("round-trips through text", () => {
    const owner = getCurrentOwner();
    expect(parseOwner(formatOwner(owner))).toEqual(owner);
  });

  it("parses a host name with colons", () => {
    expect(parseOwner("fe80::1:42:123")).toEqual({ host: "fe80::1", pid: 42, start: "123" });
  });

  it("rejects a foreign label", () => {
    expect(parseOwner("somebody")).toBeUndefined();
  });

  it("counts this process as alive", () => {
    expect(isOwnerAlive(getCurrentOwner())).toBe(true);
  });

  it("counts an exited process as gone", () => {
    const child = spawnSync(process.execPath, ["-e", "0"]);
    expect(isOwnerAlive({ host: hostname(), pid: child.pid!, start: "1" })).toBe(false);
  });

  it("counts a reused PID as gone", () => {
    expect(isOwnerAlive({ ...getCurrentOwner(), start: "not-my-start-time" })).toBe(false);
  });

  it("counts another host's owner as alive", () => {
    expect(isOwnerAlive({ host: `${hostname()}-elsewhere`, pid: 1, start: "1" })).toBe(true);
  });
});

describe("label filters", () => {
  const filter = { [LABEL.MANAGED]: "true", [LABEL.RUN]: "r1", [LABEL.BUILD_CACHE]: true } as const;

  it("sends the most selective term", () => {
    expect(engineFilterTerms(filter)).toEqual([`${LABEL.RUN}=r1`]);
    expect(engineFilterTerms({ [LABEL.MANAGED]: "true" })).toEqual([`${LABEL.MANAGED}=true`]);
    expect(engineFilterTerms({ [LABEL.BUILD_CACHE]: true })).toEqual([LABEL.BUILD_CACHE]);
    expect(engineFilterTerms({})).toEqual([]);
  });

  it("applies every term locally", () => {
    const objects: Array<{ name: string; labels: Record<string, string> }> = [
      {
        name: "all",
        labels: { [LABEL.MANAGED]: "true", [LABEL.RUN]: "r1", [LABEL.BUILD_CACHE]: "h" },
      },
      {
        name: "other run",
        labels: { [LABEL.MANAGED]: "true", [LABEL.RUN]: "r2", [LABEL.BUILD_CACHE]: "h" },
      },
      { name: "no cache", labels: { [LABEL.MANAGED]: "true", [LABEL.RUN]: "r1" } },
    ];
    expect(keepMatching(objects, filter).map((object) => object.name)).toEqual(["all"]);
  });
});
