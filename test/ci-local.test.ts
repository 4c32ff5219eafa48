import { describe, expect, it } from "vitest";
import { localClock, localEvent, localSecrets, useColour } from "../src/cli/commands/ci-local.js";
import { UsageError } from "../src/util/errors.js";

describe("useColour", () => {
  const terminal = { isTTY: true } as NodeJS.WriteStream;
  const file = { isTTY: false } as NodeJS.WriteStream;

  it("colours a terminal", () => {
    expect(useColour(terminal, {})).toBe(true);
  });

  it("never colours with NO_COLOR", () => {
    expect(useColour(terminal, { NO_COLOR: "1" })).toBe(false);
    expect(useColour(terminal, { NO_COLOR: "" })).toBe(false);
  });

  it("never colours a file or pipe", () => {
    expect(useColour(file, {})).toBe(false);
  });
});

describe("localSecrets", () => {
  it("lets --secret win over the environment", () => {
    const secrets = localSecrets(
      { eventType: "push", rev: "main", secret: ["TOKEN=from-flag", "EMPTY="] },
      { TOKEN: "from-env", HOME: "/root" },
    );
    expect(secrets.get("TOKEN")).toBe("from-flag");
    expect(secrets.get("EMPTY")).toBe("");
    expect(secrets.get("HOME")).toBe("/root");
    expect(secrets.get("MISSING")).toBeUndefined();
  });

  it("keeps = signs inside the value", () => {
    const secrets = localSecrets({ eventType: "push", rev: "main", secret: ["K=a=b"] }, {});
    expect(secrets.get("K")).toBe("a=b");
  });
});

describe("localClock", () => {
  it("fixes the clock to an RFC 3339 time", () => {
    expect(localClock("2026-01-02T03:04:05+02:00")!().toISOString()).toBe(
      "2026-01-02T01:04:05.000Z",
    );
  });

  it("uses the real clock without --now", () => {
    expect(localClock(undefined)).toBeUndefined();
  });

  it.each(["2026-01-02", "tomorrow", "2026-13-02T00:00:00Z"])("rejects %s", (text) => {
    expect(() => localClock(text)).toThrow("invalid --now");
  });
});

describe("localEvent", () => {
  it.each(["*", "[a]", "a b", "../..", "a\nb", ""])(
    "rejects --rev %j as the server does",
    async (rev) => {
      const event = localEvent({ eventType: "push", rev, secret: [] }, undefined);
      await expect(event).rejects.toBeInstanceOf(UsageError);
      await expect(event).rejects.toThrow(`invalid --rev ${JSON.stringify(rev)}: it`);
    },
  );

  it("accepts a bookmark name with slashes", async () => {
    const event = await localEvent(
      { eventType: "push", rev: "release/v1.2", secret: [] },
      undefined,
    );
    expect(event.bookmark).toBe("release/v1.2");
  });
});
