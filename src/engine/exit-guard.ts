import { engineLog } from "./log.js";

/** How long pending teardowns may take when the process is asked to stop. */
const SHUTDOWN_CLEANUP_MS = 15_000;

type Cleanup = () => Promise<void>;

const pending = new Set<Cleanup>();
const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
let installed = false;

/**
 * Registers a cleanup to run if the process receives SIGINT, SIGTERM or SIGHUP
 * while it is pending; returns the function that unregisters it. Handlers
 * are installed only while something is pending. A SIGKILL or a crash
 * skips them, and the next start's sweep removes what is left.
 */
export function guardUntilDone(cleanup: Cleanup): () => void {
  pending.add(cleanup);
  installHandlers();
  return () => {
    pending.delete(cleanup);
    if (pending.size === 0) removeHandlers();
  };
}

/**
 * Runs every pending cleanup, bounded in time. A command or server that
 * handles shutdown itself calls this before exiting.
 */
export async function runPendingCleanups(): Promise<void> {
  const cleanups = [...pending];
  pending.clear();
  if (cleanups.length === 0) return;
  engineLog("running pending cleanups before exit", { count: cleanups.length });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, SHUTDOWN_CLEANUP_MS);
  });
  await Promise.race([Promise.allSettled(cleanups.map((cleanup) => cleanup())), deadline]);
  clearTimeout(timer);
}

function onSignal(signal: NodeJS.Signals): void {
  // This handler runs first (it is prepended), so every other handler, `once` ones included, still counts here.
  const handledElsewhere = process.listenerCount(signal) > 1;
  void runPendingCleanups().finally(() => {
    removeHandlers();
    // Without another handler, re-raise the signal so its default action (exit) still happens.
    if (!handledElsewhere) process.kill(process.pid, signal);
  });
}

function installHandlers(): void {
  if (installed) return;
  installed = true;
  for (const signal of signals) process.prependListener(signal, onSignal);
}

function removeHandlers(): void {
  if (!installed) return;
  installed = false;
  for (const signal of signals) process.off(signal, onSignal);
}
