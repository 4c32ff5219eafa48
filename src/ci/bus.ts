import type { RunUpdate } from "../web/run-history.js";

type Listener = (update: RunUpdate | undefined) => void;

/**
 * RunBus delivers the updates of runs executing in this process to their
 * subscribers. The web UI's live pages get each RunUpdate. The API's event
 * streams get a wake-up (`undefined`) whenever records were written, so
 * they read the database at once instead of at their next poll.
 * Updates of runs executing on another server never pass through here.
 */
export class RunBus {
  private readonly listeners = new Map<string, Set<Listener>>();

  /** Calls `listener` for every update of `runId` until the returned function is called. */
  subscribe(runId: string, listener: Listener): () => void {
    let set = this.listeners.get(runId);
    if (!set) {
      set = new Set();
      this.listeners.set(runId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(runId);
    };
  }

  /** Sends an update, or a bare wake-up when `update` is undefined. */
  publish(runId: string, update?: RunUpdate): void {
    for (const listener of this.listeners.get(runId) ?? []) {
      try {
        listener(update);
      } catch {
        // A broken watcher must not stop the run or the other watchers.
      }
    }
  }
}
