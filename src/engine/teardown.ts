import { rm } from "node:fs/promises";
import { isInUse } from "./errors.js";
import { LABEL } from "./labels.js";
import { engineLog } from "./log.js";
import type { Engine } from "./types.js";
import { abortableDelay } from "./wait.js";

/** How often a volume still held by a dying container is retried before teardown gives up on it. */
const VOLUME_REMOVE_ATTEMPTS = 6;

/**
 * Teardown removes everything one task execution created. It runs once:
 * later calls return the first call's promise. It never uses the task's
 * abort signal, so a cancelled or timed-out task still gets cleaned up, and
 * it ignores objects that are already gone. Failures are collected and
 * reported together after every removal was tried.
 */
export class Teardown {
  private readonly containers: string[] = [];
  private readonly networks: string[] = [];
  private readonly volumes: string[] = [];
  private readonly directories: string[] = [];
  private running: Promise<void> | undefined;

  constructor(
    private readonly engine: Engine,
    /** Value of the scope label on this execution's objects. */
    readonly scope: string,
  ) {}

  addContainer(id: string): void {
    this.containers.push(id);
  }

  addNetwork(id: string): void {
    this.networks.push(id);
  }

  addVolume(name: string): void {
    this.volumes.push(name);
  }

  addDirectory(path: string): void {
    this.directories.push(path);
  }

  /**
   * Removes containers, then networks and volumes, then local directories.
   * With `thorough`, it also removes anything else carrying this scope's
   * label, which catches an object whose create request succeeded after
   * its caller gave up.
   */
  run(options: { thorough?: boolean } = {}): Promise<void> {
    this.running ??= this.removeAll(options.thorough ?? false);
    return this.running;
  }

  private async removeAll(thorough: boolean): Promise<void> {
    const failures: unknown[] = [];
    const attempt = async (work: () => Promise<void>) => {
      try {
        await work();
      } catch (error) {
        failures.push(error);
      }
    };
    const scopeFilter = { [LABEL.SCOPE]: this.scope };

    if (thorough) {
      await attempt(async () => {
        for (const found of await this.engine.containers.list(scopeFilter))
          this.containers.push(found.id);
      });
    }
    await Promise.all(
      unique(this.containers).map((id) => attempt(() => this.engine.containers.remove(id))),
    );

    if (thorough) {
      await attempt(async () => {
        for (const found of await this.engine.networks.list(scopeFilter))
          this.networks.push(found.id);
        for (const found of await this.engine.volumes.list(scopeFilter))
          this.volumes.push(found.name);
      });
    }
    await Promise.all([
      ...unique(this.networks).map((id) => attempt(() => this.engine.networks.remove(id))),
      ...unique(this.volumes).map((name) => attempt(() => removeVolume(this.engine, name))),
    ]);
    await Promise.all(
      unique(this.directories).map((path) =>
        attempt(() => rm(path, { recursive: true, force: true })),
      ),
    );

    if (failures.length > 0) {
      engineLog("teardown left objects behind", {
        scope: this.scope,
        errors: failures.map(String),
      });
      throw new AggregateError(failures, `Cleanup of task objects (scope ${this.scope}) failed`);
    }
  }
}

/** Removes a volume, retrying while the engine still counts a just-removed container as its user. */
export async function removeVolume(engine: Engine, name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await engine.volumes.remove(name);
      return;
    } catch (error) {
      if (!isInUse(error) || attempt >= VOLUME_REMOVE_ATTEMPTS) throw error;
      await abortableDelay(50 * 2 ** attempt, new AbortController().signal);
    }
  }
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
