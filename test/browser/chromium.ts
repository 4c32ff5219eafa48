import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";

/** CHROMIUM is Debian's Chromium, which `.ci/run` installs; browser tests drive it. */
export const CHROMIUM = process.env.POGO_CHROMIUM ?? "/usr/bin/chromium";

/** True when the browser tests can run here; under CI=true they must. */
export const hasChromium = existsSync(CHROMIUM);

if (!hasChromium && process.env.CI === "true") {
  throw new Error(`${CHROMIUM} is missing; install Debian's chromium package`);
}

/** Browser is a headless Chromium with a fresh profile, removed on close. */
export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Starts headless Chromium with a new profile. The flags keep it off the
 * network: without them it calls Google's services at start, which a
 * closed network refuses, many connections at a time.
 */
export async function launchChromium(viewport = { width: 1280, height: 800 }): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), "pogo-chromium-"));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    return {
      context,
      close: async () => {
        await context.close();
        await rm(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
}
