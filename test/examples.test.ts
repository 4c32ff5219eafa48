import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runPogo } from "./e2e/pogo.js";

const examplesDir = fileURLToPath(new URL("../examples/", import.meta.url));
const files = readdirSync(examplesDir)
  .filter((name) => /\.ya?ml$/.test(name))
  .sort();

describe("examples", () => {
  it("has a config for each common stack", () => {
    expect(files).toEqual(
      expect.arrayContaining([
        "deploy-webhook.yaml",
        "go.yaml",
        "node.yaml",
        "python.yaml",
        "services.yaml",
      ]),
    );
  });

  it("passes pogo ci validate", async () => {
    const result = await runPogo(["ci", "validate", ...files], { cwd: examplesDir });

    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    for (const file of files) {
      expect(result.stdout).toContain(`${file}: valid\n`);
    }
  });
});
