import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryRunHistory, runDetail } from "../../src/web/memory-run-history.js";
import { seedRepository, startWebTestServer, type WebTestServer } from "../support/web.js";
import { type Browser, hasChromium, launchChromium } from "./chromium.js";

const XSS_DESCRIPTION = `Fix login <script>window.__pwned = "description"</script>`;
const XSS_LOG = `<script>window.__pwned = "log"</script><img src=x onerror="window.__pwned='img'">`;

describe.skipIf(!hasChromium)("web UI in Chromium", () => {
  let server: WebTestServer;
  let runs: MemoryRunHistory;
  let browser: Browser;
  let token: string;
  let ticker: NodeJS.Timeout | undefined;

  beforeAll(async () => {
    runs = new MemoryRunHistory();
    server = await startWebTestServer({ runs, control: runs });
    const alice = await server.store.createUser("alice");
    token = (await server.store.createUserToken(alice.id)).token;
    const { repository, revision } = await seedRepository(server.store, {
      name: "demo",
      owner: alice,
      description: XSS_DESCRIPTION,
    });
    const started = Date.now();
    runs.addRun(
      repository.id,
      runDetail({
        id: "run-live",
        bookmark: "main",
        revisionId: revision.id,
        status: "running",
        createdAt: started,
        startedAt: started,
        pipelines: [
          {
            index: 0,
            file: ".pogo/ci/build.yaml",
            pattern: "main",
            status: "running",
            reason: null,
            warnings: [],
            startedAt: started,
            finishedAt: null,
            log: [],
            tasks: [
              {
                index: 0,
                type: "container",
                name: "busybox:latest",
                status: "running",
                exitCode: null,
                httpStatus: null,
                reason: null,
                startedAt: started,
                finishedAt: null,
                log: [{ stream: "stdout", text: XSS_LOG, time: started }],
                droppedLogLines: 0,
              },
            ],
          },
        ],
      }),
      (pipeline) => {
        if (ticker) clearInterval(ticker);
        runs.appendLog("run-live", 0, 0, { stream: "info", text: "cancelled", time: Date.now() });
        runs.finishCancelled("run-live", pipeline);
      },
    );
    // The running task prints a line every 100 ms until it is cancelled.
    let count = 0;
    ticker = setInterval(() => {
      count++;
      runs.appendLog("run-live", 0, 0, {
        stream: "stdout",
        text: `\x1b[32mstep ${count}\x1b[0m done`,
        time: Date.now(),
      });
      if (count >= 600 && ticker) clearInterval(ticker);
    }, 100);
    browser = await launchChromium();
  });

  afterAll(async () => {
    if (ticker) clearInterval(ticker);
    await browser?.close();
    await server?.close();
  });

  it("signs in, follows a live log and cancels", async () => {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));

    await page.goto(`${server.url}/ui/sign-in`);
    await page.getByLabel("Access token").fill(token);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${server.url}/ui/`);
    expect(await page.getByText("Signed in as").textContent()).toContain("alice");

    await page.getByRole("link", { name: "demo" }).click();
    await page.waitForURL(`${server.url}/ui/repositories/demo`);
    // The description shows as text and runs nothing.
    await expect.poll(() => page.getByText("Fix login <script>").count()).toBe(1);
    expect(await page.evaluate("window.__pwned")).toBeUndefined();

    await page.getByRole("link", { name: "running" }).click();
    await page.waitForURL(/\/ui\/repositories\/demo\/runs\/run-live$/);
    const log = page.locator("#pipeline-0-task-0-log");
    await expect.poll(() => log.textContent()).toContain(`<script>window.__pwned = "log"</script>`);

    // The log grows while the page stays open.
    const lines = () => log.locator(".l").count();
    const before = await lines();
    await expect.poll(lines, { timeout: 10_000 }).toBeGreaterThan(before + 5);
    await expect.poll(() => log.locator(".a-f2").count()).toBeGreaterThan(3);

    await page.getByRole("button", { name: "Cancel pipeline" }).click();
    await expect
      .poll(() => page.locator("#run-status .st").textContent(), { timeout: 10_000 })
      .toBe("cancelled");
    expect(await page.locator("#pipeline-0 header .st").textContent()).toBe("cancelled");
    expect(await page.locator("#pipeline-0-task-0 summary .st").textContent()).toBe("cancelled");
    expect(await page.getByRole("button", { name: "Cancel pipeline" }).count()).toBe(0);
    await expect.poll(() => log.textContent()).toContain("cancelled");

    // A reload shows the same final state from the server.
    await page.reload();
    expect(await page.locator("#run-status .st").textContent()).toBe("cancelled");
    expect(await page.evaluate("window.__pwned")).toBeUndefined();
    expect(errors).toEqual([]);
    await page.close();
  });

  it("fits a phone screen without sideways scrolling", async () => {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${server.url}/ui/sign-in`);
    await page.getByLabel("Access token").fill(token);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${server.url}/ui/`);
    for (const path of [
      "/ui/repositories/demo",
      "/ui/repositories/demo/runs",
      "/ui/repositories/demo/runs/run-live",
    ]) {
      await page.goto(`${server.url}${path}`);
      const overflow = await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth",
      );
      expect(overflow, path).toBe(0);
    }
    await page.close();
  });

  it("works with the keyboard alone", async () => {
    const page = await browser.context.newPage();
    await page.goto(`${server.url}/ui/sign-in`);
    // The first Tab reaches the skip link, which leads to the main content.
    await page.keyboard.press("Tab");
    expect(await page.evaluate("document.activeElement.textContent")).toBe("Skip to content");
    await page.locator("#token").focus();
    await page.keyboard.type(token);
    await page.keyboard.press("Enter");
    await page.waitForURL(`${server.url}/ui/`);
    await page.getByRole("link", { name: "demo" }).focus();
    await page.keyboard.press("Enter");
    await page.waitForURL(`${server.url}/ui/repositories/demo`);
    await page.getByRole("link", { name: "All CI runs" }).focus();
    const outline = await page.evaluate("getComputedStyle(document.activeElement).outlineStyle");
    expect(outline).toBe("solid");
    await page.close();
  });
});
