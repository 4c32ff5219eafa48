import type { Readable } from "node:stream";
import { Writable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import type Docker from "dockerode";
import { engineCall, engineRequest } from "../engine-call.js";
import { isNotFound, isNotRunning } from "../errors.js";
import { engineFilterTerms, keepMatching } from "../labels.js";
import { shortId } from "../log.js";
import type {
  AttachedOutput,
  ContainerClient,
  ContainerExit,
  ContainerSettings,
  ContainerState,
  EngineKind,
  HealthStatus,
  LabelFilter,
  ListedObject,
  OutputHandler,
} from "../types.js";

/** Translates ContainerSettings to an Engine API create body; pure, so it is tested without a daemon. */
export function toCreateBody(settings: ContainerSettings): Docker.ContainerCreateOptions {
  const body: Docker.ContainerCreateOptions = {
    name: settings.name,
    Image: settings.image,
    Env: settings.env.map(([key, value]) => `${key}=${value}`),
    Labels: { ...settings.labels },
    AttachStdout: true,
    AttachStderr: true,
    HostConfig: {
      Privileged: false,
      NetworkMode: settings.network?.name ?? "bridge",
      Mounts: settings.mounts.map((mount) => ({
        Type: "volume" as const,
        Source: mount.source,
        Target: mount.target,
        ReadOnly: mount.readOnly ?? false,
      })),
      ...(settings.memoryBytes ? { Memory: settings.memoryBytes } : {}),
      ...(settings.pidsLimit ? { PidsLimit: settings.pidsLimit } : {}),
    },
  };
  if (settings.entrypoint) body.Entrypoint = settings.entrypoint;
  if (settings.cmd) body.Cmd = settings.cmd;
  if (settings.workingDir) body.WorkingDir = settings.workingDir;
  if (settings.network) {
    body.NetworkingConfig = {
      EndpointsConfig: { [settings.network.name]: { Aliases: settings.network.aliases } },
    };
  }
  return body;
}

/** ApiContainerClient drives containers through the Engine API. */
export class ApiContainerClient implements ContainerClient {
  readonly runHealthcheck?: (id: string) => Promise<void>;

  constructor(
    private readonly docker: Docker,
    kind: EngineKind = "docker",
  ) {
    if (kind === "podman") this.runHealthcheck = (id) => this.runPodmanHealthcheck(id);
  }

  async create(settings: ContainerSettings): Promise<string> {
    const container = await engineRequest(
      `create container ${settings.name}`,
      { image: settings.image },
      () => this.docker.createContainer(toCreateBody(settings)),
    );
    return container.id;
  }

  async upload(id: string, path: string, tar: Readable): Promise<void> {
    await engineRequest(`upload files to ${path}`, { container: shortId(id) }, () =>
      this.docker.getContainer(id).putArchive(tar, { path }),
    );
  }

  async start(id: string, onOutput: OutputHandler): Promise<AttachedOutput> {
    const container = this.docker.getContainer(id);
    // Attach before starting so not one byte of early output is lost.
    const stream = (await engineRequest("attach to container", { container: shortId(id) }, () =>
      container.attach({ stream: true, stdout: true, stderr: true }),
    )) as NodeJS.ReadWriteStream & Readable;
    const stdout = decodingWriter("stdout", onOutput);
    const stderr = decodingWriter("stderr", onOutput);
    const done = new Promise<void>((resolve) => {
      const finish = () => {
        stdout.end();
        stderr.end();
        resolve();
      };
      stream.once("end", finish);
      stream.once("close", finish);
      stream.once("error", finish);
    });
    this.docker.modem.demuxStream(stream, stdout, stderr);
    try {
      await engineRequest("start container", { container: shortId(id) }, () => container.start());
    } catch (error) {
      stream.destroy();
      throw error;
    }
    return { done, close: () => stream.destroy() };
  }

  async wait(id: string): Promise<ContainerExit> {
    const result = (await engineRequest("wait for container", { container: shortId(id) }, () =>
      this.docker.getContainer(id).wait({ condition: "not-running" }),
    )) as { StatusCode: number };
    const exitCode = result.StatusCode;
    // Only a SIGKILL exit can be the OOM killer's. A container already removed by teardown was not.
    const oomKilled =
      exitCode === 137
        ? await this.inspect(id).then(
            (state) => state.oomKilled,
            () => false,
          )
        : false;
    return { exitCode, oomKilled };
  }

  async inspect(id: string): Promise<ContainerState> {
    const info = await engineRequest("inspect container", { container: shortId(id) }, () =>
      this.docker.getContainer(id).inspect(),
    );
    const state = info.State;
    const health = (state as { Health?: { Status?: string } }).Health?.Status;
    const intervalNs = (info.Config as { Healthcheck?: { Interval?: number } }).Healthcheck
      ?.Interval;
    return {
      status: state.Status,
      running: state.Running,
      exitCode: state.ExitCode,
      oomKilled: state.OOMKilled,
      ...(isHealthStatus(health) ? { health } : {}),
      ...(intervalNs ? { healthcheckIntervalMs: intervalNs / 1e6 } : {}),
    };
  }

  /** Runs a healthcheck through Podman's own API, which the Docker-compatible one lacks. */
  private async runPodmanHealthcheck(id: string): Promise<void> {
    await engineCall(
      "run healthcheck",
      { container: shortId(id) },
      () =>
        new Promise((resolve, reject) => {
          this.docker.modem.dial(
            {
              path: `/v4.0.0/libpod/containers/${id}/healthcheck`,
              method: "GET",
              statusCodes: {
                200: true,
                404: "no such container",
                409: "container is not running",
                500: "server error",
              },
            },
            (error: unknown, data: unknown) => (error ? reject(error) : resolve(data)),
          );
        }),
      // A check that cannot run now (container stopped or gone) shows in the next inspection.
      (error) => isNotFound(error) || isNotRunning(error),
    );
  }

  async kill(id: string): Promise<void> {
    await engineCall(
      "kill container",
      { container: shortId(id) },
      () => this.docker.getContainer(id).kill(),
      (error) => isNotFound(error) || isNotRunning(error),
    );
  }

  async remove(id: string): Promise<void> {
    await engineCall(
      "remove container",
      { container: shortId(id) },
      () => this.docker.getContainer(id).remove({ force: true, v: true }),
      (error) => isNotFound(error) || /already in progress/i.test(String(error)),
    );
  }

  async list(filter: LabelFilter): Promise<ListedObject[]> {
    const containers = await engineRequest("list containers", { filter }, () =>
      this.docker.listContainers({ all: true, filters: { label: engineFilterTerms(filter) } }),
    );
    return keepMatching(
      containers.map((container) => ({
        id: container.Id,
        name: container.Names[0]?.replace(/^\//, "") ?? container.Id,
        labels: container.Labels ?? {},
      })),
      filter,
    );
  }
}

function isHealthStatus(value: unknown): value is HealthStatus {
  return value === "starting" || value === "healthy" || value === "unhealthy";
}

function decodingWriter(stream: "stdout" | "stderr", onOutput: OutputHandler): Writable {
  const decoder = new StringDecoder("utf8");
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      const text = decoder.write(chunk);
      if (text !== "") onOutput(text, stream);
      callback();
    },
    final(callback) {
      const rest = decoder.end();
      if (rest !== "") onOutput(rest, stream);
      callback();
    },
  });
}
