import { randomBytes } from "node:crypto";
import {
  chmod,
  copyFile,
  mkdir,
  readdir,
  rename,
  rm,
  stat,
  symlink,
  utimes,
} from "node:fs/promises";
import { dirname, join } from "node:path";
import type { ObjectStore } from "../store/objects.js";
import type { Tree } from "../store/tree.js";

const REVISION_ID = /^[0-9a-f]{40}$/;
const COPY_CONCURRENCY = 16;

/**
 * CheckoutCache keeps the file tree of each revision CI runs use, under
 * `<root>/<revision id>`. A checkout is built once in a temporary folder
 * and renamed into place, so no reader finds a half-built tree. Runs of
 * the same revision share it, and containers get it read-only, as the
 * lower layer of their overlay or as the source of an upload. `prune`
 * removes checkouts unused for longer than the retention.
 */
export class CheckoutCache {
  private readonly building = new Map<string, Promise<string>>();

  constructor(
    readonly root: string,
    private readonly objects: ObjectStore,
  ) {}

  /** Returns the folder holding `revisionId`'s files, building it from `tree` when missing. */
  async checkout(revisionId: string, tree: () => Promise<Tree>): Promise<string> {
    if (!REVISION_ID.test(revisionId)) throw new Error(`invalid revision id ${revisionId}`);
    const target = join(this.root, revisionId);
    let pending = this.building.get(revisionId);
    if (!pending) {
      pending = this.ensure(target, tree).finally(() => this.building.delete(revisionId));
      this.building.set(revisionId, pending);
    }
    return pending;
  }

  /**
   * Deletes checkouts not used since `before` (by the time of their last
   * checkout), except those of `keep`. Returns how many went.
   */
  async prune(before: number, keep: ReadonlySet<string>): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.root);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return 0;
      throw error;
    }
    let removed = 0;
    for (const name of names) {
      const path = join(this.root, name);
      if (name.startsWith(".tmp-")) {
        // A temporary folder outlives its builder only when the process died mid-build.
        if (!this.building.size) await rm(path, { recursive: true, force: true });
        continue;
      }
      if (!REVISION_ID.test(name) || keep.has(name) || this.building.has(name)) continue;
      const info = await stat(path).catch(() => undefined);
      if (!info || info.mtimeMs >= before) continue;
      await rm(path, { recursive: true, force: true });
      removed++;
    }
    return removed;
  }

  private async ensure(target: string, tree: () => Promise<Tree>): Promise<string> {
    if (await exists(target)) {
      const now = new Date();
      await utimes(target, now, now).catch(() => {});
      return target;
    }
    await mkdir(this.root, { recursive: true });
    const temporary = join(this.root, `.tmp-${randomBytes(6).toString("hex")}`);
    try {
      await this.write(temporary, await tree());
      try {
        await rename(temporary, target);
      } catch (error) {
        // Another server on the same data dir finished the same checkout first.
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== "ENOTEMPTY" && code !== "EEXIST") throw error;
      }
    } finally {
      await rm(temporary, { recursive: true, force: true });
    }
    return target;
  }

  private async write(dir: string, tree: Tree): Promise<void> {
    await mkdir(dir, { recursive: true });
    const folders = new Set<string>();
    for (const entry of tree.entries) folders.add(dirname(join(dir, entry.path)));
    for (const folder of [...folders].sort()) await mkdir(folder, { recursive: true });

    let next = 0;
    const worker = async () => {
      while (next < tree.entries.length) {
        const entry = tree.entries[next++]!;
        const path = join(dir, entry.path);
        if (entry.type === "symlink") {
          await symlink(entry.target, path);
          continue;
        }
        await copyFile(this.objects.pathOf(entry.hash), path);
        await chmod(path, entry.mode);
      }
    };
    await Promise.all(Array.from({ length: COPY_CONCURRENCY }, worker));
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}
