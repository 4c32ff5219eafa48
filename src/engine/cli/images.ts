import { engineCall } from "../engine-call.js";
import { ImageError, isNotFound, oneLine } from "../errors.js";
import { engineFilterTerms, keepMatching } from "../labels.js";
import type {
  BuildRequest,
  ImageClient,
  LabelFilter,
  ListedObject,
  PullProgress,
} from "../types.js";
import { inspectLabels, labelArgs, listIds } from "./listing.js";
import { DockerCommandError, runDocker } from "./run-docker.js";

/** CliImageClient pulls, builds and removes images by running the `docker` command. */
export class CliImageClient implements ImageClient {
  constructor(private readonly command: string) {}

  async exists(reference: string): Promise<boolean> {
    const found = await engineCall(
      "inspect image",
      { image: reference },
      () => runDocker(this.command, ["image", "inspect", "--format", "{{.Id}}", reference]),
      isNotFound,
    );
    return found !== undefined;
  }

  async pull(
    reference: string,
    onProgress: (progress: PullProgress) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    try {
      await runDocker(this.command, ["pull", reference], {
        ...(signal ? { signal } : {}),
        onLine: (line) => {
          // Without a terminal the CLI prints one "layer: status" line per change.
          const match = /^([0-9a-f]{12}): (.*)$/.exec(line);
          if (match) onProgress({ layer: match[1]!, status: match[2]! });
          else if (line.trim() !== "") onProgress({ status: line.trim() });
        },
      });
    } catch (error) {
      const reason = commandMessage(error);
      throw new ImageError(`Failed to pull image ${reference}: ${reason}`, {
        cause: error,
        reason,
      });
    }
  }

  async build(
    request: BuildRequest,
    onOutput: (line: string) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    const args = [
      "build",
      "--file",
      request.dockerfile,
      "--tag",
      request.tag,
      ...labelArgs(request.labels),
      "-",
    ];
    try {
      await runDocker(this.command, args, {
        input: request.context,
        onLine: onOutput,
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      throw new ImageError(`Failed to build image ${request.tag}: ${commandMessage(error)}`, {
        cause: error,
      });
    }
  }

  async remove(reference: string): Promise<void> {
    await engineCall(
      "remove image",
      { image: reference },
      () => runDocker(this.command, ["image", "rm", reference]),
      isNotFound,
    );
  }

  async list(filter: LabelFilter): Promise<ListedObject[]> {
    const ids = await listIds(
      this.command,
      ["image", "ls", "--quiet", "--no-trunc"],
      engineFilterTerms(filter),
    );
    return keepMatching(await inspectLabels(this.command, "image", ids), filter);
  }
}

function commandMessage(error: unknown): string {
  if (error instanceof DockerCommandError)
    return oneLine(error.message.split("\n").slice(-3).join(" "));
  return oneLine(error instanceof Error ? error.message : String(error));
}
