/** Semaphore lets at most `limit` holders run at once; the others wait in arrival order. */
export class Semaphore {
  private active = 0;
  private readonly waiting = new Set<Waiter>();
  // One abort listener per signal, however many waiters share it: a run of
  // thousands of pipelines would otherwise pay for listener removal on each.
  private readonly bySignal = new Map<AbortSignal, Set<Waiter>>();

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError(`semaphore limit must be a positive integer, got ${limit}`);
    }
  }

  /**
   * Waits for a free slot and returns the function that frees it. Resolves
   * false instead when `signal` aborts first, holding no slot.
   */
  acquire(signal?: AbortSignal): Promise<(() => void) | false> {
    if (signal?.aborted) return Promise.resolve(false);
    if (this.active < this.limit) {
      this.active++;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve) => {
      const waiter: Waiter = { resolve, signal };
      this.waiting.add(waiter);
      if (signal) this.watch(signal, waiter);
    });
  }

  private watch(signal: AbortSignal, waiter: Waiter): void {
    let group = this.bySignal.get(signal);
    if (!group) {
      const created = new Set<Waiter>();
      group = created;
      this.bySignal.set(signal, created);
      signal.addEventListener(
        "abort",
        () => {
          this.bySignal.delete(signal);
          for (const member of created) {
            this.waiting.delete(member);
            member.resolve(false);
          }
        },
        { once: true },
      );
    }
    group.add(waiter);
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.grantNext();
    };
  }

  private grantNext(): void {
    const next = this.waiting.values().next();
    if (next.done) return;
    const waiter = next.value;
    this.waiting.delete(waiter);
    if (waiter.signal) this.bySignal.get(waiter.signal)?.delete(waiter);
    this.active++;
    waiter.resolve(this.releaser());
  }
}

interface Waiter {
  resolve: (release: (() => void) | false) => void;
  signal: AbortSignal | undefined;
}
