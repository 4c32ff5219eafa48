import { execFileSync } from "node:child_process";

const script = new URL("../../scripts/build-node-image.sh", import.meta.url).pathname;

/** Image reference scripts/build-node-image.sh builds by default. */
export const NODE_IMAGE = "pogo-local/node:20";

/**
 * Builds the local Node.js image through the shared script (a no-op when its
 * inputs are unchanged) and returns its reference.
 */
export function buildNodeImage(): string {
  return execFileSync("bash", [script], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })
    .trim()
    .split("\n")
    .pop()!;
}

/**
 * Reports whether container tests should run: when a Docker engine responds,
 * and always under CI=true, so a missing engine fails CI instead of skipping.
 */
export function containerTestsEnabled(): boolean {
  try {
    execFileSync("docker", ["version", "--format", "{{.Server.Version}}"], { stdio: "ignore" });
    return true;
  } catch {
    return process.env.CI === "true";
  }
}
