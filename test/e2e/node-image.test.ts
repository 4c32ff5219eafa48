import { execFileSync, spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { buildNodeImage, containerTestsEnabled, NODE_IMAGE } from "./node-image.js";

function imageId(reference: string): string {
  return execFileSync("docker", ["image", "inspect", "--format", "{{.Id}}", reference], {
    encoding: "utf8",
  }).trim();
}

interface ScriptResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runScript(image: string): Promise<ScriptResult> {
  const script = new URL("../../scripts/build-node-image.sh", import.meta.url).pathname;
  return new Promise((resolve, reject) => {
    const child = spawn("bash", [script], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, POGO_NODE_IMAGE: image },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe.skipIf(!containerTestsEnabled())("build-node-image.sh", () => {
  it("builds an image with node, npm and sh", () => {
    expect(buildNodeImage()).toBe(NODE_IMAGE);
    const output = execFileSync(
      "docker",
      ["run", "--rm", NODE_IMAGE, "sh", "-c", "node --version && npm --version && echo ok"],
      { encoding: "utf8" },
    );
    const [nodeVersion, npmVersion, last] = output.trim().split("\n");
    expect(nodeVersion).toBe(process.version);
    expect(npmVersion).toMatch(/^\d+\.\d+\.\d+$/);
    expect(last).toBe("ok");
  });

  it("keeps the image when inputs are unchanged", () => {
    buildNodeImage();
    const before = imageId(NODE_IMAGE);
    buildNodeImage();
    expect(imageId(NODE_IMAGE)).toBe(before);
  });

  it("builds once for two concurrent callers", async () => {
    // A name of its own, so the build really runs and no other test's image is replaced.
    const image = `pogo-local/node-build-test-${process.pid}:20`;
    try {
      const results = await Promise.all([runScript(image), runScript(image)]);
      for (const result of results) {
        expect(result.code).toBe(0);
        expect(result.stdout.trim()).toBe(image);
      }
      const builds = results.filter((result) => result.stderr.includes("building "));
      expect(builds).toHaveLength(1);
    } finally {
      execFileSync("docker", ["rmi", "--force", image], { stdio: "ignore" });
    }
  });
});
