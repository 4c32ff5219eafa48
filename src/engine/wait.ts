import { PogoError } from "../util/errors.js";
import type { ContainerClient, ContainerState } from "./types.js";

/** ServiceNotReadyError means a service exited or turned unhealthy before the task could start. */
export class ServiceNotReadyError extends PogoError {
  constructor(message: string) {
    super("SERVICE_NOT_READY", message);
  }
}

/**
 * WaitStrategy decides when a started container is ready. `waitUntilReady`
 * polls the engine with growing intervals, never sleeps a fixed time, and
 * rejects with the signal's reason when `signal` aborts.
 */
export interface WaitStrategy {
  readonly description: string;
  waitUntilReady(containers: ContainerClient, id: string, signal: AbortSignal): Promise<void>;
}

const FIRST_POLL_MS = 25;
/** Docker's healthcheck interval when an image declares none. */
const DEFAULT_HEALTHCHECK_INTERVAL_MS = 30_000;
const MAX_POLL_MS = 500;

abstract class PollingWaitStrategy implements WaitStrategy {
  abstract readonly description: string;

  protected inspect(containers: ContainerClient, id: string): Promise<ContainerState> {
    return containers.inspect(id);
  }

  /** Returns true when ready, false to poll again; throws when readiness can no longer come. */
  protected abstract check(state: ContainerState): boolean;

  async waitUntilReady(
    containers: ContainerClient,
    id: string,
    signal: AbortSignal,
  ): Promise<void> {
    let delay = FIRST_POLL_MS;
    while (true) {
      signal.throwIfAborted();
      if (this.check(await this.inspect(containers, id))) return;
      await abortableDelay(delay, signal);
      delay = Math.min(delay * 2, MAX_POLL_MS);
    }
  }
}

/** Ready once the container runs; fails if it has already exited. */
export class RunningWaitStrategy extends PollingWaitStrategy {
  readonly description = "running";

  protected check(state: ContainerState): boolean {
    if (state.running) return true;
    if (state.status === "exited" || state.status === "dead") {
      throw new ServiceNotReadyError(`exited with code ${state.exitCode} before the task started`);
    }
    return false;
  }
}

/** Ready once the image's healthcheck reports healthy; fails on unhealthy or exit. */
export class HealthyWaitStrategy extends PollingWaitStrategy {
  readonly description = "healthy";
  private lastTriggered = 0;

  // Where the engine does not run the check itself, run it at the declared interval while polling.
  protected override async inspect(
    containers: ContainerClient,
    id: string,
  ): Promise<ContainerState> {
    const state = await containers.inspect(id);
    if (!containers.runHealthcheck || !state.running || state.health !== "starting") return state;
    const interval = state.healthcheckIntervalMs ?? DEFAULT_HEALTHCHECK_INTERVAL_MS;
    // As Docker does, the first check comes one interval after the wait begins.
    this.lastTriggered ||= Date.now();
    if (Date.now() - this.lastTriggered < interval) return state;
    this.lastTriggered = Date.now();
    await containers.runHealthcheck(id);
    return containers.inspect(id);
  }

  protected check(state: ContainerState): boolean {
    if (state.status === "exited" || state.status === "dead") {
      throw new ServiceNotReadyError(`exited with code ${state.exitCode} before it became healthy`);
    }
    if (state.health === "unhealthy")
      throw new ServiceNotReadyError("reported unhealthy by its healthcheck");
    return state.health === "healthy";
  }
}

/**
 * Waits for "running", then for "healthy" when the container turns out to
 * have a healthcheck, which the engine shows as a health status in its state.
 */
export class ServiceReadyWaitStrategy implements WaitStrategy {
  description = "running";

  async waitUntilReady(
    containers: ContainerClient,
    id: string,
    signal: AbortSignal,
  ): Promise<void> {
    await new RunningWaitStrategy().waitUntilReady(containers, id, signal);
    const state = await containers.inspect(id);
    if (state.health === undefined) return;
    this.description = "healthy";
    await new HealthyWaitStrategy().waitUntilReady(containers, id, signal);
  }
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** Waits for `promise` at most `ms`; used to let a stream drain without hanging on one that never ends. */
export async function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise.catch(() => {}),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}
