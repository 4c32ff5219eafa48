/** Semaphore lets at most `limit` holders run at once; the others wait in arrival order. */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

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
      const grant = () => {
        signal?.removeEventListener("abort", onAbort);
        this.active++;
        resolve(this.releaser());
      };
      const onAbort = () => {
        const position = this.waiting.indexOf(grant);
        if (position >= 0) this.waiting.splice(position, 1);
        resolve(false);
      };
      this.waiting.push(grant);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.waiting.shift()?.();
    };
  }
}
