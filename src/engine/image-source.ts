import type { LogSink } from "../tasks/task.js";
import { type DockerfileLocation, locateDockerfile, scanBuildContext } from "./build-context.js";
import { isDockerfileReference } from "./convert.js";
import { DockerfilePathError, engineReason, ImageError } from "./errors.js";
import { LABEL } from "./labels.js";
import type { Engine, PullProgress } from "./types.js";
import { tarStream } from "./workspace.js";

/** Repository part of the tags Pogo gives images built from Dockerfiles. */
export const BUILD_REPOSITORY = "pogo-build";

/** ImageSourceInput carries what resolving one `image:` value needs. */
export interface ImageSourceInput {
  engine: Engine;
  image: string;
  /** The repository tree; required for a Dockerfile path. */
  repositoryDir: string | undefined;
  runId: string;
  log: LogSink;
  signal: AbortSignal;
  /** Folder of the build context hash cache; default the user's cache folder, `null` for none. */
  hashCacheDir?: string | null;
}

/** Concurrent builds of the same content within this process share one build. */
const buildsInProgress = new Map<string, Promise<void>>();

/**
 * Returns a reference the engine can run for an `image:` value: a registry
 * image, pulled when missing, or a Dockerfile in the repository, built once
 * per content hash and tagged `pogo-build:<hash>`.
 */
export async function resolveImage(input: ImageSourceInput): Promise<string> {
  if (isDockerfileReference(input.image)) return buildDockerfile(input);
  if (!(await input.engine.images.exists(input.image))) await pullImage(input);
  return input.image;
}

async function pullImage(input: ImageSourceInput): Promise<void> {
  const started = Date.now();
  input.log.info(`pulling image ${input.image}`);
  try {
    await pullWithProgress(input);
  } catch (error) {
    if (input.signal.aborted) throw error;
    throw new ImageError(pullFailureMessage(input.image, engineReason(error)), { cause: error });
  }
  input.log.info(`pulled image ${input.image} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * Builds the one-line message for an image that is neither on this machine
 * nor pullable, with the engine's reason and what to do next.
 */
export function pullFailureMessage(image: string, reason: string): string {
  const trimmedReason = reason.replace(/[.\s]+$/, "");
  return (
    `Image ${image} is not on this machine and could not be pulled` +
    `${trimmedReason === "" ? "" : `: ${trimmedReason}`}. ` +
    `Build it locally (docker build -t ${image} .), check the image name, ` +
    "or check that the engine can reach its registry."
  );
}

async function pullWithProgress(input: ImageSourceInput): Promise<void> {
  const reported = new Map<string, string>();
  await input.engine.images.pull(
    input.image,
    (progress) => {
      if (input.log.progress) {
        input.log.progress({ kind: "pull", image: input.image, ...progress });
        return;
      }
      // Plain logs get one line per status change of a layer, not one per downloaded chunk.
      const key = progress.layer ?? "";
      if (reported.get(key) === progress.status) return;
      reported.set(key, progress.status);
      input.log.info(formatPullProgress(progress));
    },
    input.signal,
  );
}

/** Formats one pull status as a log line, such as `a1b2c3d4e5f6: Pull complete`. */
export function formatPullProgress(progress: PullProgress): string {
  return progress.layer ? `${progress.layer}: ${progress.status}` : progress.status;
}

async function buildDockerfile(input: ImageSourceInput): Promise<string> {
  if (!input.repositoryDir) {
    throw new DockerfilePathError(
      `Dockerfile image ${input.image} needs the repository tree, but this run has none.`,
    );
  }
  const location = await locateDockerfile(input.image, input.repositoryDir);
  const context = await scanBuildContext(
    location,
    input.hashCacheDir === undefined ? {} : { cacheDir: input.hashCacheDir },
  );
  const tag = `${BUILD_REPOSITORY}:${context.hash.slice(0, 24)}`;

  let build = buildsInProgress.get(tag);
  if (!build) {
    build = buildIfMissing(input, location, context.entries, context.hash, tag).finally(() =>
      buildsInProgress.delete(tag),
    );
    buildsInProgress.set(tag, build);
  } else {
    input.log.info(`waiting for the build of ${location.dockerfile} already running as ${tag}`);
  }
  await build;
  return tag;
}

async function buildIfMissing(
  input: ImageSourceInput,
  location: DockerfileLocation,
  entries: string[],
  hash: string,
  tag: string,
): Promise<void> {
  if (await input.engine.images.exists(tag)) {
    input.log.info(`using cached image ${tag} built from ${location.dockerfile}`);
    return;
  }
  input.log.info(`building ${location.dockerfile} as ${tag}`);
  const started = Date.now();
  try {
    await input.engine.images.build(
      {
        context: tarStream(location.contextDir, entries),
        dockerfile: location.dockerfile,
        tag,
        labels: {
          [LABEL.MANAGED]: "true",
          [LABEL.BUILD_CACHE]: hash,
          [LABEL.RUN]: input.runId,
        },
      },
      (line) => input.log.write(`${line}\n`),
      input.signal,
    );
  } catch (error) {
    if (error instanceof ImageError || input.signal.aborted) throw error;
    throw new ImageError(`Failed to build ${location.dockerfile}: ${String(error)}`, {
      cause: error,
    });
  }
  input.log.info(`built ${tag} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
