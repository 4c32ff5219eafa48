import { PogoError } from "../util/errors.js";

/** Advice printed whenever no engine responds. It matches the user guide's troubleshooting steps. */
export const ENGINE_TROUBLESHOOTING =
  "Check that Docker is running with `docker version` and that its socket exists with `ls -la /var/run/docker.sock`, or set DOCKER_HOST.";

/** EngineUnavailableError means no container engine responded, so container tasks cannot run. */
export class EngineUnavailableError extends PogoError {
  /** Reasons each detection strategy did not apply, in the order they were tried. */
  readonly attempts: string[];

  constructor(attempts: string[]) {
    super(
      "ENGINE_UNAVAILABLE",
      `Docker is not available: no container engine responded (tried ${attempts.join("; ")}). ${ENGINE_TROUBLESHOOTING}`,
    );
    this.attempts = attempts;
  }
}

/** EngineCallError wraps a failed request to the engine with the action it was part of. */
export class EngineCallError extends PogoError {
  /** HTTP status from the Engine API, when the failure came with one. */
  readonly statusCode: number | undefined;
  /** The engine's own explanation, on one line. */
  readonly reason: string;

  constructor(action: string, cause: unknown) {
    const reason = describeCause(cause);
    super("ENGINE_CALL_FAILED", `Failed to ${action}: ${reason}`, { cause });
    this.statusCode = statusOf(cause);
    this.reason = reason;
  }
}

/** ImageError means an image could not be pulled, built or found. */
export class ImageError extends PogoError {
  /** The engine's own explanation on one line, when the error came from the engine. */
  readonly reason: string | undefined;

  constructor(message: string, options?: { cause?: unknown; reason?: string }) {
    super("IMAGE_FAILED", message, options?.cause === undefined ? {} : { cause: options.cause });
    this.reason = options?.reason;
  }
}

/** Returns the engine's explanation of a failure on one line, as `oneLine` cleans it. */
export function engineReason(error: unknown): string {
  if (error instanceof EngineCallError || (error instanceof ImageError && error.reason)) {
    return error.reason ?? "";
  }
  return oneLine(error instanceof Error ? error.message : String(error));
}

/**
 * Removes dockerode's `(HTTP code 500) server error - ` prefix and the
 * Docker CLI's `Error response from daemon: ` from `text`, joins its
 * lines, and trims it.
 */
export function oneLine(text: string): string {
  return text
    .replace(/^\(HTTP code \d+\)[^-]*- /, "")
    .replace(/Error response from daemon: /g, "")
    .replace(/\s+/g, " ")
    .trim();
}

/** DockerfilePathError rejects an `image:` path that is missing or leaves the repository. */
export class DockerfilePathError extends PogoError {
  constructor(message: string) {
    super("DOCKERFILE_PATH", message);
  }
}

function statusOf(cause: unknown): number | undefined {
  if (typeof cause === "object" && cause !== null && "statusCode" in cause) {
    const status = (cause as { statusCode: unknown }).statusCode;
    if (typeof status === "number") return status;
  }
  if (cause instanceof EngineCallError) return cause.statusCode;
  return undefined;
}

function describeCause(cause: unknown): string {
  if (typeof cause === "object" && cause !== null) {
    // dockerode puts the engine's own sentence in `json.message`; its `message` repeats the HTTP status.
    const json = (cause as { json?: { message?: unknown } }).json;
    if (json && typeof json.message === "string") return oneLine(json.message);
    if (cause instanceof Error) return oneLine(cause.message);
  }
  return oneLine(String(cause));
}

function messageOf(error: unknown): string {
  if (error instanceof EngineCallError && error.cause !== undefined) {
    return `${error.message} ${messageOf(error.cause)}`;
  }
  if (typeof error === "object" && error !== null) {
    const json = (error as { json?: { message?: unknown } }).json;
    const parts = [error instanceof Error ? error.message : ""];
    if (json && typeof json.message === "string") parts.push(json.message);
    return parts.join(" ");
  }
  return String(error);
}

/** Reports whether the engine's error means the object does not exist (Docker and Podman wordings). */
export function isNotFound(error: unknown): boolean {
  if (statusOf(error) === 404) return true;
  return /no such (container|network|volume|image|object)|not found|does not exist/i.test(
    messageOf(error),
  );
}

/** Reports whether the engine's error means the container is not running, as `kill` does for a stopped one. */
export function isNotRunning(error: unknown): boolean {
  return /is not running|not running|container state improper|already stopped/i.test(
    messageOf(error),
  );
}

/** Reports whether the engine refused because the object is still in use or being removed. */
export function isInUse(error: unknown): boolean {
  if (statusOf(error) === 409) return true;
  return /in use|has active endpoints|removal of container .* is already in progress/i.test(
    messageOf(error),
  );
}
