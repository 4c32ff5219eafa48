import { describe, expect, it } from "vitest";
import { exitResult } from "./container.js";

describe("exitResult", () => {
  it("reports success with a summary", () => {
    expect(exitResult(0, false, ["a", "b"], 1)).toEqual({
      status: "success",
      exitCode: 0,
      reason: "2 commands succeeded",
    });
    expect(exitResult(0, false, [], undefined).reason).toBe(
      "the image's entrypoint exited with code 0",
    );
  });

  it("names the failing command", () => {
    expect(exitResult(2, false, ["npm ci", "npm test", "npm run build"], 1)).toEqual({
      status: "failed",
      exitCode: 2,
      command: "npm test",
      reason: "Command 2 of 3 `npm test` failed with exit code 2.",
    });
  });

  it("shows the first line of a multi-line command", () => {
    expect(exitResult(1, false, ["set -e\nmake"], 0).reason).toBe(
      "Command 1 of 1 `set -e …` failed with exit code 1.",
    );
  });

  it("mentions the memory limit", () => {
    expect(exitResult(137, true, ["node build.js"], 0).reason).toBe(
      "Command 1 of 1 `node build.js` failed with exit code 137 after it ran out of memory.",
    );
  });

  it("reports an entrypoint failure", () => {
    expect(exitResult(3, false, [], undefined)).toEqual({
      status: "failed",
      exitCode: 3,
      reason: "The image's entrypoint exited with code 3.",
    });
  });

  it("reports an exit before the first command", () => {
    expect(exitResult(127, false, ["make"], undefined).reason).toBe(
      "The container exited with code 127 before its first command ran.",
    );
  });
});
