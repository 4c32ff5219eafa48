import { execFile } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import Docker from "dockerode";
import { ApiEngine } from "./api/index.js";
import { CliEngine } from "./cli/index.js";
import { EngineUnavailableError } from "./errors.js";
import { engineLog } from "./log.js";
import type { Engine, EngineInfo, EngineKind } from "./types.js";

/** How long a detection probe waits for an engine's reply to `version`. */
const PROBE_TIMEOUT_MS = 5_000;

/**
 * DetectionStrategy is one place an engine may be found. `detect` returns
 * an engine that replied, or a reason it did not apply, and never throws.
 */
export interface DetectionStrategy {
  readonly name: string;
  detect(): Promise<Engine | string>;
}

interface VersionReply {
  Version?: string;
  ApiVersion?: string;
  Platform?: { Name?: string };
  Components?: Array<{ Name?: string }>;
}

/** Reads `DOCKER_HOST`: unix://, npipe:// and tcp:// (with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH, as the docker CLI reads them). */
export class DockerHostStrategy implements DetectionStrategy {
  readonly name = "DOCKER_HOST";

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  async detect(): Promise<Engine | string> {
    const host = this.env.DOCKER_HOST;
    if (!host) return "DOCKER_HOST is not set";
    let url: URL;
    try {
      url = new URL(host);
    } catch {
      return `DOCKER_HOST=${host} is not a URL`;
    }
    switch (url.protocol) {
      case "unix:":
        return probeSocket(this.name, url.pathname);
      case "npipe:":
        // npipe:////./pipe/docker_engine names the pipe \\.\pipe\docker_engine.
        return probeSocket(
          this.name,
          url.pathname.replace(/^\/+/, "//").replace(/\//g, "\\"),
          host,
        );
      case "tcp:":
      case "http:":
      case "https:":
        return this.probeTcp(url, host);
      default:
        return `DOCKER_HOST=${host} has an unsupported scheme ${url.protocol}`;
    }
  }

  /**
   * Connects to a tcp:// engine. As the docker CLI does, a non-empty
   * DOCKER_TLS_VERIFY turns on TLS with ca.pem, cert.pem and key.pem from
   * DOCKER_CERT_PATH (default ~/.docker), and the default port is 2376 with
   * TLS and 2375 without.
   */
  private async probeTcp(url: URL, host: string): Promise<Engine | string> {
    const tls = url.protocol === "https:" || (this.env.DOCKER_TLS_VERIFY ?? "") !== "";
    const options: Docker.DockerOptions = {
      host: url.hostname.replace(/^\[|\]$/g, ""),
      port: url.port || (tls ? "2376" : "2375"),
      protocol: tls ? "https" : "http",
    };
    if (tls) {
      const certDir = this.env.DOCKER_CERT_PATH || join(homedir(), ".docker");
      try {
        options.ca = readFileSync(join(certDir, "ca.pem"));
        options.cert = readFileSync(join(certDir, "cert.pem"));
        options.key = readFileSync(join(certDir, "key.pem"));
      } catch (error) {
        return `TLS certificates in ${certDir} could not be read: ${(error as Error).message}`;
      }
    }
    const connect = (timeout?: number) =>
      new Docker({ ...options, ...(timeout ? { timeout } : {}) });
    return probeApi(this.name, connect, host, isLoopback(url.hostname));
  }
}

/** Tries the platform's default Docker socket. */
export class DefaultSocketStrategy implements DetectionStrategy {
  readonly name = "the default socket";

  constructor(private readonly platform: NodeJS.Platform = process.platform) {}

  detect(): Promise<Engine | string> {
    const path = this.platform === "win32" ? "\\\\.\\pipe\\docker_engine" : "/var/run/docker.sock";
    return probeSocket(this.name, path);
  }
}

/** Tries Podman's rootful socket, then the rootless one under XDG_RUNTIME_DIR. */
export class PodmanSocketStrategy implements DetectionStrategy {
  readonly name: string;

  constructor(
    private readonly mode: "rootful" | "rootless",
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.name = `the ${mode} Podman socket`;
  }

  async detect(): Promise<Engine | string> {
    if (this.mode === "rootful") return probeSocket(this.name, "/run/podman/podman.sock");
    const runtimeDir = this.env.XDG_RUNTIME_DIR;
    if (!runtimeDir) return "XDG_RUNTIME_DIR is not set";
    return probeSocket(this.name, join(runtimeDir, "podman", "podman.sock"));
  }
}

/** Falls back to the `docker` command on PATH, which may itself be Podman's docker shim. */
export class DockerCliStrategy implements DetectionStrategy {
  readonly name = "the docker CLI";

  constructor(private readonly command = "docker") {}

  detect(): Promise<Engine | string> {
    return new Promise((resolve) => {
      execFile(
        this.command,
        ["version", "--format", "{{json .}}"],
        { timeout: PROBE_TIMEOUT_MS },
        (error, stdout) => {
          if (error) {
            const code = (error as NodeJS.ErrnoException).code;
            resolve(
              code === "ENOENT"
                ? `${this.command} is not on PATH`
                : `${this.command} version failed: ${firstLine(error.message)}`,
            );
            return;
          }
          try {
            const reply = JSON.parse(stdout) as { Server?: VersionReply | null };
            if (!reply.Server) return resolve(`${this.command} version reported no server`);
            const host = process.env.DOCKER_HOST;
            const local = !host || host.startsWith("unix:") || host.startsWith("npipe:");
            resolve(
              new CliEngine(
                this.command,
                engineInfo(reply.Server, this.name, "cli", this.command, local),
              ),
            );
          } catch (parseError) {
            resolve(`${this.command} version printed unreadable output: ${String(parseError)}`);
          }
        },
      );
    });
  }
}

/** Returns the detection strategies in the order Pogo tries them. */
export function defaultStrategies(env: NodeJS.ProcessEnv = process.env): DetectionStrategy[] {
  return [
    new DockerHostStrategy(env),
    new DefaultSocketStrategy(),
    new PodmanSocketStrategy("rootful", env),
    new PodmanSocketStrategy("rootless", env),
    new DockerCliStrategy(),
  ];
}

/**
 * Tries each strategy in order and returns the first engine that responds;
 * throws EngineUnavailableError listing why each one did not apply.
 */
export async function detectEngine(strategies = defaultStrategies()): Promise<Engine> {
  const attempts: string[] = [];
  for (const strategy of strategies) {
    const result = await strategy.detect();
    if (typeof result !== "string") {
      engineLog(`using ${result.describe()}`);
      return result;
    }
    engineLog(`${strategy.name} did not apply: ${result}`);
    attempts.push(`${strategy.name}: ${result}`);
  }
  throw new EngineUnavailableError(attempts);
}

let detected: Promise<Engine> | undefined;

/** Detects the engine once per process and returns the same one afterwards; a failed detection is retried on the next call. */
export function getEngine(): Promise<Engine> {
  detected ??= detectEngine().catch((error: unknown) => {
    detected = undefined;
    throw error;
  });
  return detected;
}

async function probeSocket(
  strategy: string,
  path: string,
  address = `unix://${path}`,
): Promise<Engine | string> {
  if (!path.startsWith("\\\\")) {
    try {
      if (!statSync(path).isSocket()) return `${path} is not a socket`;
    } catch {
      return `${path} does not exist`;
    }
  }
  return probeApi(
    strategy,
    (timeout) => new Docker({ socketPath: path, ...(timeout ? { timeout } : {}) }),
    address,
    true,
  );
}

async function probeApi(
  strategy: string,
  connect: (timeoutMs?: number) => Docker,
  address: string,
  local: boolean,
): Promise<Engine | string> {
  let reply: VersionReply;
  try {
    // A separate client with a timeout for the probe: the working client must not time out long waits.
    reply = (await connect(PROBE_TIMEOUT_MS).version()) as VersionReply;
  } catch (error) {
    return `${address} did not respond: ${firstLine(error instanceof Error ? error.message : String(error))}`;
  }
  return new ApiEngine(connect(), engineInfo(reply, strategy, "api", address, local));
}

function engineInfo(
  reply: VersionReply,
  foundBy: string,
  backend: "api" | "cli",
  address: string,
  local: boolean,
): EngineInfo {
  return {
    kind: engineKind(reply),
    backend,
    foundBy,
    address,
    version: reply.Version ?? "unknown",
    apiVersion: reply.ApiVersion ?? "unknown",
    local,
  };
}

/** Tells Podman from Docker by the version reply, which Podman fills with its own component names. */
export function engineKind(reply: VersionReply): EngineKind {
  const names = [
    reply.Platform?.Name ?? "",
    ...(reply.Components ?? []).map((part) => part.Name ?? ""),
  ];
  return names.some((name) => /podman/i.test(name)) ? "podman" : "docker";
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "[::1]" || host === "::1" || host.startsWith("127.");
}

function firstLine(text: string): string {
  return text.split("\n")[0]!.trim();
}
