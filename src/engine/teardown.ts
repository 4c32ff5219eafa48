import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { PogoError } from "../util/errors.js";
import { isInUse } from "./errors.js";
import { LABEL } from "./labels.js";
import { engineLog } from "./log.js";
import type { ContainerSettings, Engine, Labels, VolumeRequest } from "./types.js";
import { abortableDelay } from "./wait.js";

/** How often a volume still held by a dying container is retried before teardown gives up on it. */
const VOLUME_REMOVE_ATTEMPTS = 6;

/** TeardownStartedError rejects a create requested after the teardown of its task began. */
export class TeardownStartedError extends PogoError {
  constructor(object: string) {
    super("TEARDOWN_STARTED", `Did not create ${object}: the task's cleanup has already started.`);
  }
}

/**
 * Teardown creates and removes the objects of one task execution. It runs
 * once: later calls return the first call's promise. It never uses the
 * task's abort signal, so a cancelled or timed-out task still gets cleaned
 * up, and it ignores objects that are already gone. Failures are collected
 * and reported together after every removal was tried.
 *
 * Objects are created through it, so a cancel that arrives while a create
 * request is in flight cannot leak the object. Teardown waits for every
 * create in flight before it removes anything, and it rejects a create
 * requested after it began without calling the engine.
 */
export class Teardown {
  private readonly containers: string[] = [];
  private readonly networks: string[] = [];
  private readonly volumes: string[] = [];
  private readonly directories: string[] = [];
  private readonly creating = new Set<Promise<void>>();
  private running: Promise<void> | undefined;

  constructor(
    private readonly engine: Engine,
    /** Value of the scope label on this execution's objects. */
    readonly scope: string,
  ) {}

  /** Creates a container and registers it for removal; returns its id. */
  createContainer(settings: ContainerSettings): Promise<string> {
    return this.track(`container ${settings.name}`, async () => {
      const id = await this.engine.containers.create(settings);
      this.containers.push(id);
      return id;
    });
  }

  /** Creates a bridge network and registers it for removal; returns its id. */
  createNetwork(name: string, labels: Labels): Promise<string> {
    return this.track(`network ${name}`, async () => {
      const id = await this.engine.networks.create(name, labels);
      this.networks.push(id);
      return id;
    });
  }

  /** Creates a volume and registers it for removal, by name before the request, because a failed request may still have made it. */
  createVolume(request: VolumeRequest): Promise<void> {
    return this.track(`volume ${request.name}`, async () => {
      this.volumes.push(request.name);
      await this.engine.volumes.create(request);
    });
  }

  /** Makes a local directory with `subdirectories` in it, and registers it for recursive removal. */
  makeDirectory(path: string, subdirectories: string[] = []): Promise<void> {
    return this.track(`directory ${path}`, async () => {
      this.directories.push(path);
      await mkdir(path, { recursive: true });
      for (const name of subdirectories) await mkdir(join(path, name), { recursive: true });
    });
  }

  /**
   * Removes containers, then networks and volumes, then local directories,
   * after every create still in flight has settled. With `thorough`, it
   * also removes anything else carrying this scope's label, which catches
   * an object whose create request succeeded although its response was lost.
   */
  run(options: { thorough?: boolean } = {}): Promise<void> {
    this.running ??= this.removeAll(options.thorough ?? false);
    return this.running;
  }

  /** Runs one create unless teardown has begun, and keeps it visible to `removeAll` until it settles. */
  private async track<T>(object: string, create: () => Promise<T>): Promise<T> {
    if (this.running) throw new TeardownStartedError(object);
    let settle = () => {};
    const settled = new Promise<void>((resolve) => {
      settle = resolve;
    });
    this.creating.add(settled);
    try {
      return await create();
    } finally {
      this.creating.delete(settled);
      settle();
    }
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

    // A create that was in flight when teardown began registers its object when it returns.
    while (this.creating.size > 0) await Promise.all(this.creating);

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
