import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { isAbsolute, join, relative } from "node:path";
import { isInUse } from "./errors.js";
import { isOwnerAlive, LABEL, type Owner, parseOwner } from "./labels.js";
import { engineLog } from "./log.js";
import { removeVolume } from "./teardown.js";
import type { Engine, LabelFilter, ListedObject } from "./types.js";

/** Parent of the per-run overlay directories; the sweep deletes local directories only below it. */
export function workspaceRunRoot(): string {
  return join(tmpdir(), "pogo-workspaces");
}

/** SweepReport counts what a sweep removed, by kind. */
export interface SweepReport {
  containers: number;
  networks: number;
  volumes: number;
  images: number;
}

export interface SweepOptions {
  /** Decides whether an owner still runs; the default checks this host's process table. */
  isAlive?: (owner: Owner) => boolean;
  /** Restricts the sweep to one run id, for callers that know which run crashed. */
  runId?: string;
}

/**
 * Removes engine objects left by a Pogo process that is gone: containers,
 * networks, volumes (with their overlay directories) and non-cache images
 * carrying Pogo's labels whose owner process no longer runs. Objects of live
 * processes, on this host or any other, are never touched, and neither are
 * build-cache images (see pruneBuildCache).
 */
export async function sweepOrphans(
  engine: Engine,
  options: SweepOptions = {},
): Promise<SweepReport> {
  const isAlive = options.isAlive ?? isOwnerAlive;
  const filter = {
    [LABEL.MANAGED]: "true" as const,
    ...(options.runId ? { [LABEL.RUN]: options.runId } : {}),
  };
  const orphaned = (object: ListedObject) => {
    const owner = parseOwner(object.labels[LABEL.OWNER] ?? "");
    return owner !== undefined && !isAlive(owner);
  };
  const report: SweepReport = { containers: 0, networks: 0, volumes: 0, images: 0 };

  const containers = (await engine.containers.list(filter)).filter(orphaned);
  await Promise.all(containers.map((container) => engine.containers.remove(container.id)));
  report.containers = containers.length;

  const networks = (await engine.networks.list(filter)).filter(orphaned);
  await Promise.all(networks.map((network) => engine.networks.remove(network.id)));
  report.networks = networks.length;

  const volumes = (await engine.volumes.list(filter)).filter(orphaned);
  await Promise.all(
    volumes.map(async (volume) => {
      await removeVolume(engine, volume.name);
      await removeRunDirectory(volume.labels[LABEL.RUN_DIR]);
    }),
  );
  report.volumes = volumes.length;

  const images = (await engine.images.list(filter)).filter(
    (image) => image.labels[LABEL.BUILD_CACHE] === undefined && orphaned(image),
  );
  await Promise.all(images.map((image) => engine.images.remove(image.id)));
  report.images = images.length;

  if (report.containers + report.networks + report.volumes + report.images > 0) {
    engineLog("removed objects of exited runners", { ...report });
  }
  return report;
}

/**
 * Removes Dockerfile build-cache images, except those a container still
 * uses; `filter` narrows the choice, for example to the images one run
 * built (`{ [LABEL.RUN]: runId }`). Returns the number removed.
 */
export async function pruneBuildCache(engine: Engine, filter: LabelFilter = {}): Promise<number> {
  const images = await engine.images.list({
    ...filter,
    [LABEL.MANAGED]: "true",
    [LABEL.BUILD_CACHE]: true,
  });
  let removed = 0;
  for (const image of images) {
    try {
      await engine.images.remove(image.name);
      removed++;
    } catch (error) {
      if (!isInUse(error)) throw error;
    }
  }
  return removed;
}

async function removeRunDirectory(path: string | undefined): Promise<void> {
  if (!path) return;
  const inside = relative(workspaceRunRoot(), path);
  if (inside === "" || inside.startsWith("..") || isAbsolute(inside)) return;
  await rm(path, { recursive: true, force: true });
}
