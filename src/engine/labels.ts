import { readFileSync } from "node:fs";
import { hostname } from "node:os";

/**
 * Label keys on every engine object Pogo creates. The crash sweep selects
 * objects by `MANAGED` and removes only those whose `OWNER` process is gone,
 * so it never touches another live runner's objects.
 */
export const LABEL = {
  MANAGED: "dev.pogo.managed",
  RUN: "dev.pogo.run",
  /** One task execution; teardown uses it to find what a failed call may have created. */
  SCOPE: "dev.pogo.scope",
  OWNER: "dev.pogo.owner",
  PIPELINE: "dev.pogo.pipeline",
  TASK: "dev.pogo.task",
  ROLE: "dev.pogo.role",
  /** On a volume: the per-run directory holding its overlay upper and work dirs. */
  RUN_DIR: "dev.pogo.run-dir",
  /** On a built image: the content hash it was built from. Such images are the build cache. */
  BUILD_CACHE: "dev.pogo.build-cache",
} as const;

/** Owner identifies a process across PID reuse: host name, PID and the process's start time. */
export interface Owner {
  host: string;
  pid: number;
  start: string;
}

let currentOwner: Owner | undefined;

/** Returns the identity of this process, as written into `dev.pogo.owner`. */
export function getCurrentOwner(): Owner {
  currentOwner ??= {
    host: hostname(),
    pid: process.pid,
    start: processStartTime(process.pid) ?? "",
  };
  return currentOwner;
}

export function formatOwner(owner: Owner): string {
  return `${owner.host}:${owner.pid}:${owner.start}`;
}

/** Parses an owner label; returns undefined for a label Pogo did not write. */
export function parseOwner(label: string): Owner | undefined {
  const match = /^(.*):(\d+):([^:]*)$/.exec(label);
  if (!match) return undefined;
  return { host: match[1]!, pid: Number(match[2]), start: match[3]! };
}

/**
 * Reports whether the owner process may still be running. An owner on
 * another host cannot be checked from here, so it counts as alive: the
 * sweep errs towards leaving objects behind rather than breaking a live run.
 */
export function isOwnerAlive(owner: Owner): boolean {
  if (owner.host !== hostname()) return true;
  if (owner.pid === process.pid) return owner.start === getCurrentOwner().start;

  const start = processStartTime(owner.pid);
  if (start !== undefined) return owner.start === "" || start === owner.start;
  if (hasProcFs()) return false;

  // Without /proc the start time is unknown, so a reused PID cannot be distinguished from the owner.
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Builds the labels every object of one task execution carries. */
export function taskLabels(fields: {
  runId: string;
  scope: string;
  pipeline: string;
  taskIndex: number;
  role: string;
}): Record<string, string> {
  return {
    [LABEL.MANAGED]: "true",
    [LABEL.RUN]: fields.runId,
    [LABEL.SCOPE]: fields.scope,
    [LABEL.OWNER]: formatOwner(getCurrentOwner()),
    [LABEL.PIPELINE]: fields.pipeline,
    [LABEL.TASK]: String(fields.taskIndex),
    [LABEL.ROLE]: fields.role,
  };
}

function hasProcFs(): boolean {
  try {
    readFileSync("/proc/self/stat");
    return true;
  } catch {
    return false;
  }
}

/** Reads the start time of a process in clock ticks since boot (Linux `/proc/PID/stat` field 22). */
function processStartTime(pid: number): string | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // The command name (field 2) may contain spaces and parentheses, so count fields after its closing one.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return fields[19];
}

/**
 * Converts a label filter to the one `label` term sent to the engine, the
 * most selective one. Podman 4.3 returns nothing for several label terms
 * that all match, so the others are applied by `keepMatching` instead.
 */
export function engineFilterTerms(filter: Record<string, string | true>): string[] {
  const entries = Object.entries(filter);
  const chosen =
    entries.find(([key, value]) => value !== true && key !== LABEL.MANAGED) ??
    entries.find(([, value]) => value !== true) ??
    entries[0];
  if (!chosen) return [];
  const [key, value] = chosen;
  return [value === true ? key : `${key}=${value}`];
}

/** Keeps the objects whose labels satisfy every term of `filter`. */
export function keepMatching<T extends { labels: Record<string, string> }>(
  objects: T[],
  filter: Record<string, string | true>,
): T[] {
  return objects.filter((object) =>
    Object.entries(filter).every(([key, value]) =>
      value === true ? key in object.labels : object.labels[key] === value,
    ),
  );
}
