import { describe, expect, it } from "vitest";
import { Semaphore } from "./semaphore.js";

describe("Semaphore", () => {
  it("grants slots in arrival order", async () => {
    const semaphore = new Semaphore(1);
    const order: number[] = [];
    const first = await semaphore.acquire();
    const waiting = [1, 2, 3].map(async (n) => {
      const release = await semaphore.acquire();
      order.push(n);
      if (release) release();
    });
    if (first) first();
    await Promise.all(waiting);
    expect(order).toEqual([1, 2, 3]);
  });

  it("resolves false for waiters of an aborted signal", async () => {
    const semaphore = new Semaphore(1);
    const controller = new AbortController();
    const held = await semaphore.acquire();
    const waiters = [semaphore.acquire(controller.signal), semaphore.acquire(controller.signal)];
    const other = semaphore.acquire();
    controller.abort();
    expect(await Promise.all(waiters)).toEqual([false, false]);
    if (held) held();
    expect(typeof (await other)).toBe("function");
  });

  it("ignores a second release", async () => {
    const semaphore = new Semaphore(1);
    const release = await semaphore.acquire();
    if (release) {
      release();
      release();
    }
    const a = await semaphore.acquire();
    let second = false;
    void semaphore.acquire().then(() => {
      second = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(typeof a).toBe("function");
    expect(second).toBe(false);
  });

  it("rejects a limit below one", () => {
    expect(() => new Semaphore(0)).toThrow("positive integer");
  });
});
