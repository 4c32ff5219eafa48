import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CiTestServer, commitFiles, startCiTestServer } from "../support/ci-server.js";
import { backends } from "../support/databases.js";
import { findTestEngine } from "../support/engine.js";
import { BUSYBOX_IMAGE, ensureTestImages } from "../support/images.js";
import { type Browser, hasChromium, launchChromium } from "./chromium.js";

// A container that prints a coloured line every 100 ms for a minute, after
// a line of markup that must show as text.
const CONFIG = `version: 1
on:
  push:
    bookmarks: ["main"]
do:
  - type: container
    container:
      image: ${BUSYBOX_IMAGE}
      commands:
        - echo '<script>window.__pwned = "log"</script>'
        - 'i=0; while [ $i -lt 600 ]; do i=$((i+1)); printf "\\033[32mstep %s\\033[0m done\\n" $i; sleep 0.1; done'
`;

const { engine, skipReason } = await findTestEngine();

describe.skipIf(!hasChromium || !engine)(`web UI over real CI runs ${skipReason}`, () => {
  let ci: CiTestServer;
  let browser: Browser;

  beforeAll(async () => {
    await ensureTestImages();
    ci = await startCiTestServer(backends[0]!);
    const repository = await ci.server.store.createRepository("demo", ci.admin, false);
    await commitFiles(
      ci.server.store,
      repository,
      { ".pogo/ci/build.yaml": CONFIG, "README.md": "# demo\n" },
      {
        pusher: ci.admin,
        description: `Fix login <script>window.__pwned = "description"</script>`,
        bookmark: "main",
      },
    );
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await ci?.close();
  });

  it("follows a running container's log and cancels it", async () => {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));

    await page.goto(`${ci.url}/ui/sign-in`);
    await page.getByLabel("Access token").fill(ci.token);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${ci.url}/ui/`);

    await page.getByRole("link", { name: "demo" }).click();
    await page.waitForURL(`${ci.url}/ui/repositories/demo`);
    await expect.poll(() => page.getByText("Fix login <script>").count()).toBe(1);

    await page.locator('td[data-label="Latest run"] a[href*="/runs/"]').first().click();
    await page.waitForURL(/\/ui\/repositories\/demo\/runs\/[^/]+$/);
    const log = page.locator("#pipeline-0-task-0-log");
    await expect.poll(() => log.locator(".l").count(), { timeout: 30_000 }).toBeGreaterThan(3);
    expect(await log.textContent()).toContain(`<script>window.__pwned = "log"</script>`);

    // The log grows while the page stays open, without a reload.
    await page.evaluate("window.__sameDocument = true");
    const before = await log.locator(".l").count();
    await expect
      .poll(() => log.locator(".l").count(), { timeout: 15_000 })
      .toBeGreaterThan(before + 10);
    expect(await page.evaluate("window.__sameDocument")).toBe(true);
    expect(await log.locator(".a-f2").count()).toBeGreaterThan(5);

    await page.getByRole("button", { name: "Cancel pipeline" }).click();
    await expect
      .poll(() => page.locator("#run-status .st").textContent(), { timeout: 30_000 })
      .toBe("cancelled");
    expect(await page.locator("#pipeline-0 header .st").textContent()).toBe("cancelled");
    expect(await page.getByRole("button", { name: "Cancel pipeline" }).count()).toBe(0);

    await page.reload();
    expect(await page.locator("#run-status .st").textContent()).toBe("cancelled");
    expect(await page.locator("#pipeline-0-task-0 summary .st").textContent()).toBe("cancelled");
    expect(await page.evaluate("window.__pwned")).toBeUndefined();
    expect(errors).toEqual([]);
    await page.close();
  });
});
