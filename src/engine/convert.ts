import type { TemplateData } from "../config/event.js";
import type { ContainerSpec, ServiceSpec } from "../config/types.js";
import type { ContainerSettings, Labels, VolumeMount } from "./types.js";

/**
 * Pure mapping from a task's spec to engine settings. Nothing here talks to
 * the engine, so every rule (environment precedence, the command script,
 * limits) is tested without a daemon.
 */

/** The directory the repository appears at inside the main container. */
export const WORKSPACE_PATH = "/workspace";

/** ResourceLimits bounds every container of a task. */
export interface ResourceLimits {
  /** Memory limit per container in bytes; 0 disables it. Default 4 GiB. */
  memoryBytes: number;
  /** Maximum number of processes per container; 0 disables it. Default 4096. */
  pidsLimit: number;
}

export const DEFAULT_LIMITS: ResourceLimits = {
  memoryBytes: 4 * 1024 ** 3,
  pidsLimit: 4096,
};

/**
 * Builds the main container's environment: `CI=true` and the `POGO_*`
 * variables first, then the task's `environment`, whose keys override them.
 */
export function taskEnvironment(
  environment: Record<string, unknown> | undefined,
  data: TemplateData,
): Array<[string, string]> {
  const merged = new Map<string, string>([
    ["CI", "true"],
    ["POGO_REV", data.Rev],
    ["POGO_REPOSITORY", data.Repository],
    ["POGO_REVISION", data.RevisionId],
    ["POGO_EVENT", data.EventType],
  ]);
  for (const [key, value] of Object.entries(environment ?? {})) merged.set(key, String(value));
  return [...merged];
}

/** Returns the marker line the command script prints on stdout before command `index`. */
export function stepMarker(nonce: string, index: number): string {
  return `::pogo-step-${nonce}::${index}`;
}

/** Reads a marker line back; returns the command index, or undefined for any other line. */
export function parseStepMarker(line: string, nonce: string): number | undefined {
  const prefix = `::pogo-step-${nonce}::`;
  if (!line.startsWith(prefix)) return undefined;
  const index = Number(line.slice(prefix.length).trim());
  return Number.isInteger(index) ? index : undefined;
}

/**
 * Generates the script the main container runs with `sh -c`. Each command
 * runs in its own `sh -c`, announced by a marker line so the executor can
 * echo it and name it when it fails. Markers go to stdout, where most
 * output goes, because the engine does not keep the order of lines across
 * stdout and stderr. The script stops at the first non-zero exit and exits
 * with that code.
 */
export function commandScript(commands: string[], nonce: string): string {
  const lines = commands.flatMap((command, index) => [
    `printf '%s\\n' ${shellQuote(stepMarker(nonce, index))}`,
    `sh -c ${shellQuote(command)} || exit $?`,
  ]);
  return lines.join("\n");
}

/** Quotes a string as one shell word. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export interface MainContainerInput {
  spec: ContainerSpec;
  data: TemplateData;
  name: string;
  image: string;
  labels: Labels;
  limits: ResourceLimits;
  /** Marker nonce for the command script; unused when the spec has no commands. */
  nonce: string;
  network?: string;
  workspace?: VolumeMount;
}

/** Builds the main container: the command script, or the image's own entrypoint when there are no commands. */
export function toMainContainerSettings(input: MainContainerInput): ContainerSettings {
  const commands = input.spec.commands ?? [];
  const settings: ContainerSettings = {
    name: input.name,
    image: input.image,
    env: taskEnvironment(input.spec.environment, input.data),
    workingDir: input.spec.working_dir ?? WORKSPACE_PATH,
    labels: input.labels,
    mounts: input.workspace ? [input.workspace] : [],
    ...limitSettings(input.limits),
  };
  if (commands.length > 0) {
    settings.entrypoint = ["sh", "-c"];
    settings.cmd = [commandScript(commands, input.nonce)];
  }
  if (input.network) settings.network = { name: input.network, aliases: [] };
  return settings;
}

export interface ServiceContainerInput {
  service: ServiceSpec;
  name: string;
  image: string;
  labels: Labels;
  limits: ResourceLimits;
  network: string;
}

/** Builds a service container: the image's own entrypoint, reachable on the task network by its `name`. */
export function toServiceContainerSettings(input: ServiceContainerInput): ContainerSettings {
  return {
    name: input.name,
    image: input.image,
    env: Object.entries(input.service.environment ?? {}).map(([key, value]) => [
      key,
      String(value),
    ]),
    labels: input.labels,
    mounts: [],
    network: { name: input.network, aliases: [input.service.name] },
    ...limitSettings(input.limits),
  };
}

/** Reports whether `image` names a Dockerfile in the repository rather than a registry image. */
export function isDockerfileReference(image: string): boolean {
  return image.startsWith("./") || image.startsWith("../") || image.startsWith("/");
}

function limitSettings(
  limits: ResourceLimits,
): Pick<ContainerSettings, "memoryBytes" | "pidsLimit"> {
  return {
    ...(limits.memoryBytes > 0 ? { memoryBytes: limits.memoryBytes } : {}),
    ...(limits.pidsLimit > 0 ? { pidsLimit: limits.pidsLimit } : {}),
  };
}
