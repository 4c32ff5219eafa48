import { spawn } from "node:child_process";
import type { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
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
  LabelFilter,
  ListedObject,
  OutputHandler,
} from "../types.js";
import { inspectLabels, labelArgs, listIds } from "./listing.js";
import { runDocker } from "./run-docker.js";

/** Translates ContainerSettings to `docker create` arguments; pure, so it is tested without a daemon. */
export function toCreateArgs(settings: ContainerSettings): string[] {
  const args = ["create", "--name", settings.name, ...labelArgs(settings.labels)];
  for (const [key, value] of settings.env) args.push("--env", `${key}=${value}`);
  if (settings.workingDir) args.push("--workdir", settings.workingDir);
  args.push("--network", settings.network?.name ?? "bridge");
  for (const alias of settings.network?.aliases ?? []) args.push("--network-alias", alias);
  for (const mount of settings.mounts) {
    const readOnly = mount.readOnly ? ",readonly" : "";
    args.push("--mount", `type=volume,source=${mount.source},target=${mount.target}${readOnly}`);
  }
  if (settings.memoryBytes) args.push("--memory", `${settings.memoryBytes}b`);
  if (settings.pidsLimit) args.push("--pids-limit", String(settings.pidsLimit));

  // The CLI takes one entrypoint executable; its further words go before the command's.
  const [executable, ...entrypointArgs] = settings.entrypoint ?? [];
  if (executable !== undefined) args.push("--entrypoint", executable);
  args.push(settings.image, ...entrypointArgs, ...(settings.cmd ?? []));
  return args;
}

/**
 * CliContainerClient drives containers by running the `docker` command.
 * NOTE: it has no `runHealthcheck`, so through the CLI a Podman service with
 * a healthcheck stays "starting" where no systemd timer runs the check.
 */
export class CliContainerClient implements ContainerClient {
  constructor(private readonly command: string) {}

  async create(settings: ContainerSettings): Promise<string> {
    const stdout = await engineRequest(
      `create container ${settings.name}`,
      { image: settings.image },
      () => runDocker(this.command, toCreateArgs(settings)),
    );
    return stdout.trim();
  }

  async upload(id: string, path: string, tar: Readable): Promise<void> {
    await engineRequest(`upload files to ${path}`, { container: shortId(id) }, () =>
      runDocker(this.command, ["cp", "-", `${id}:${path}`], { input: tar }),
    );
  }

  async start(id: string, onOutput: OutputHandler): Promise<AttachedOutput> {
    // `docker start -a` starts and attaches in one step, so no early output is missed.
    const child = spawn(this.command, ["start", "--attach", id], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const stdoutDecoder = new StringDecoder("utf8");
    const stderrDecoder = new StringDecoder("utf8");
    child.stdout.on("data", (chunk: Buffer) => onOutput(stdoutDecoder.write(chunk), "stdout"));
    child.stderr.on("data", (chunk: Buffer) => onOutput(stderrDecoder.write(chunk), "stderr"));
    const done = new Promise<void>((resolve) => {
      child.once("close", () => resolve());
      child.once("error", () => resolve());
    });
    // The CLI gives no separate "started" signal: poll the state until the container has left `created`.
    while (true) {
      const state = await this.inspect(id);
      if (state.status !== "created") break;
      if (child.exitCode !== null) {
        throw new Error(`docker start --attach ${shortId(id)} exited with code ${child.exitCode}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return { done, close: () => child.kill("SIGKILL") };
  }

  async wait(id: string): Promise<ContainerExit> {
    const stdout = await engineRequest("wait for container", { container: shortId(id) }, () =>
      runDocker(this.command, ["wait", id]),
    );
    const exitCode = Number(stdout.trim());
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
    const stdout = await engineRequest("inspect container", { container: shortId(id) }, () =>
      runDocker(this.command, [
        "inspect",
        "--type",
        "container",
        "--format",
        "{{json .State}}",
        id,
      ]),
    );
    const state = JSON.parse(stdout) as {
      Status: string;
      Running: boolean;
      ExitCode: number;
      OOMKilled: boolean;
      Health?: { Status?: string };
    };
    const health = state.Health?.Status;
    return {
      status: state.Status,
      running: state.Running,
      exitCode: state.ExitCode,
      oomKilled: state.OOMKilled,
      ...(health === "starting" || health === "healthy" || health === "unhealthy"
        ? { health }
        : {}),
    };
  }

  async kill(id: string): Promise<void> {
    await engineCall(
      "kill container",
      { container: shortId(id) },
      () => runDocker(this.command, ["kill", id]),
      (error) => isNotFound(error) || isNotRunning(error),
    );
  }

  async remove(id: string): Promise<void> {
    await engineCall(
      "remove container",
      { container: shortId(id) },
      () => runDocker(this.command, ["rm", "--force", "--volumes", id]),
      (error) => isNotFound(error) || /already in progress/i.test(String(error)),
    );
  }

  async list(filter: LabelFilter): Promise<ListedObject[]> {
    const ids = await listIds(
      this.command,
      ["ps", "--all", "--quiet", "--no-trunc"],
      engineFilterTerms(filter),
    );
    return keepMatching(await inspectLabels(this.command, "container", ids), filter);
  }
}
