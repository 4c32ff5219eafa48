import type { Readable } from "node:stream";

/**
 * The engine contract. Pogo talks to Docker or Podman through one of two
 * backends, the Engine API (dockerode) or the `docker` CLI, and both
 * implement these per-resource clients.
 *
 * Call order for one container: `create`, optionally `upload`, `start`,
 * `wait`, then `remove`. `remove`, `stop` and `kill` are safe on a container
 * that never started or is already gone: they resolve without error when the
 * engine reports "not found" or "not running", so teardown may call them
 * twice. Calls on different objects may run concurrently.
 */

/** LabelFilter selects objects whose labels carry every given key; a string value must match too. */
export type LabelFilter = Record<string, string | true>;

/** Labels maps label keys to values, as stored on engine objects. */
export type Labels = Record<string, string>;

/** VolumeMount attaches a named volume inside a container. */
export interface VolumeMount {
  source: string;
  target: string;
  readOnly?: boolean;
}

/**
 * ContainerSettings describes a container to create, in engine terms. The
 * backends translate it to an API body or CLI flags and add nothing of their
 * own, so privileged mode, the host network and extra mounts stay impossible.
 */
export interface ContainerSettings {
  name: string;
  image: string;
  /** Replaces the image's entrypoint when set. */
  entrypoint?: string[];
  /** Replaces the image's command when set. */
  cmd?: string[];
  /** Environment in the order it is passed to the engine. */
  env: Array<[string, string]>;
  workingDir?: string;
  labels: Labels;
  /** A user-defined network to join, with the DNS aliases the container answers to there. */
  network?: { name: string; aliases: string[] };
  mounts: VolumeMount[];
  /** Memory limit in bytes; 0 or absent means no limit. */
  memoryBytes?: number;
  /** Maximum number of processes; 0 or absent means no limit. */
  pidsLimit?: number;
}

/** HealthStatus is the engine's verdict on a container with a healthcheck. */
export type HealthStatus = "starting" | "healthy" | "unhealthy";

/** ContainerState is the part of a container's inspection Pogo acts on. */
export interface ContainerState {
  status: string;
  running: boolean;
  exitCode: number;
  oomKilled: boolean;
  /** Absent when the image and the container declare no healthcheck. */
  health?: HealthStatus;
  /** The healthcheck's declared interval in milliseconds, when it declares one. */
  healthcheckIntervalMs?: number;
}

/** ContainerExit is how a container ended. */
export interface ContainerExit {
  exitCode: number;
  oomKilled: boolean;
}

/** OutputHandler receives a container's raw output as it arrives. */
export type OutputHandler = (chunk: string, stream: "stdout" | "stderr") => void;

/** AttachedOutput is a live output stream; `done` settles once the container's output has ended. */
export interface AttachedOutput {
  done: Promise<void>;
  /** Stops reading; used when the container is being torn down anyway. */
  close(): void;
}

/** ListedObject is one engine object found by a label query. */
export interface ListedObject {
  id: string;
  /** A name the engine accepts for removal, such as the network or volume name. */
  name: string;
  labels: Labels;
}

export interface ContainerClient {
  /** Creates the container and returns its id. */
  create(settings: ContainerSettings): Promise<string>;
  /** Extracts a tar stream into `path`, which must exist in the container. */
  upload(id: string, path: string, tar: Readable): Promise<void>;
  /**
   * Starts the container and streams its output to `onOutput` from its first
   * byte. A backend may attach before starting (API) or start attached (CLI).
   */
  start(id: string, onOutput: OutputHandler): Promise<AttachedOutput>;
  /** Resolves when the container stops. */
  wait(id: string): Promise<ContainerExit>;
  inspect(id: string): Promise<ContainerState>;
  /**
   * Runs the container's healthcheck once, where the engine does not run it
   * on its own: Podman schedules healthchecks with systemd timers, so
   * without systemd a container would stay "starting" forever. Absent for
   * Docker, whose daemon runs healthchecks itself.
   */
  runHealthcheck?(id: string): Promise<void>;
  /** Sends SIGKILL; resolves when the container is not running. */
  kill(id: string): Promise<void>;
  /** Removes the container with its anonymous volumes, stopping it first if needed. */
  remove(id: string): Promise<void>;
  list(filter: LabelFilter): Promise<ListedObject[]>;
}

/** PullProgress is one status message of a pull, per layer when `layer` is set. */
export interface PullProgress {
  status: string;
  layer?: string;
  current?: number;
  total?: number;
}

/** BuildRequest describes an image to build from a context sent as a tar stream. */
export interface BuildRequest {
  context: Readable;
  /** Dockerfile path inside the context, with `/` separators. */
  dockerfile: string;
  tag: string;
  labels: Labels;
}

export interface ImageClient {
  exists(reference: string): Promise<boolean>;
  pull(
    reference: string,
    onProgress: (progress: PullProgress) => void,
    signal?: AbortSignal,
  ): Promise<void>;
  build(
    request: BuildRequest,
    onOutput: (line: string) => void,
    signal?: AbortSignal,
  ): Promise<void>;
  remove(reference: string): Promise<void>;
  /** Lists images by label; `name` is the first tag, or the id for an untagged image. */
  list(filter: LabelFilter): Promise<ListedObject[]>;
}

export interface NetworkClient {
  /** Creates a bridge network and returns its id. */
  create(name: string, labels: Labels): Promise<string>;
  remove(nameOrId: string): Promise<void>;
  list(filter: LabelFilter): Promise<ListedObject[]>;
}

/** VolumeRequest describes a volume of the `local` driver. */
export interface VolumeRequest {
  name: string;
  labels: Labels;
  /** Options of the `local` driver (`type`, `device`, `o`); absent for a plain volume. */
  driverOptions?: Record<string, string>;
}

export interface VolumeClient {
  create(request: VolumeRequest): Promise<void>;
  remove(name: string): Promise<void>;
  list(filter: LabelFilter): Promise<ListedObject[]>;
}

/** EngineKind names the product behind the API. */
export type EngineKind = "docker" | "podman";

/** EngineInfo records which engine was found, how, and where. */
export interface EngineInfo {
  kind: EngineKind;
  /** `api` talks HTTP to the engine; `cli` runs the `docker` command. */
  backend: "api" | "cli";
  /** The detection strategy that found the engine, such as `DOCKER_HOST` or `default socket`. */
  foundBy: string;
  /** `unix:///var/run/docker.sock`, `tcp://host:2376`, or the CLI path. */
  address: string;
  version: string;
  apiVersion: string;
  /**
   * True when the engine runs on this host and can read its file system, so the
   * workspace can be an overlay of a local directory instead of an upload.
   */
  local: boolean;
}

/** Engine bundles the per-resource clients of one detected engine. */
export interface Engine {
  readonly info: EngineInfo;
  readonly containers: ContainerClient;
  readonly images: ImageClient;
  readonly networks: NetworkClient;
  readonly volumes: VolumeClient;
  /** One line for people: which engine, which version, and how it was found. */
  describe(): string;
}
