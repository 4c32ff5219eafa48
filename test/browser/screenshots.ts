/**
 * Takes the screenshots in docs/screenshots/: the repository page, the runs
 * list and a running run's page, at desktop (1280×800) and phone (390×844)
 * widths. Run with `npx tsx test/browser/screenshots.ts`.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { MemoryRunHistory } from "../../src/web/memory-run-history.js";
import { seedRepository, startWebTestServer } from "../support/web.js";
import { buildPipeline, historicRuns, webhookTask } from "../support/web-fixtures.js";
import { launchChromium } from "./chromium.js";

const OUTPUT = join(import.meta.dirname, "../../docs/screenshots");
const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
};

const NOW = Date.now();
const runs = new MemoryRunHistory();
const server = await startWebTestServer({ runs, control: runs, now: () => NOW });
try {
  const alice = await server.store.createUser("alice");
  const token = (await server.store.createUserToken(alice.id)).token;
  const { repository, revision } = await seedRepository(server.store, {
    name: "pogo-demo",
    owner: alice,
    author: "Ada Lovelace <ada@example.com>",
    description: "Render run logs with colours\n\nLonger body of the change description.",
    bookmarks: ["main", "release/v1.2", "feature/login", "docs"],
  });
  for (const run of historicRuns(118, NOW - 120_000, revision.id)) {
    runs.addRun(repository.id, {
      ...run,
      bookmark: run.bookmark === "docs" ? "main" : run.bookmark,
    });
  }
  const started = NOW - 48_000;
  const live = buildPipeline(0, "running", started);
  live.tasks[0]!.log.push({
    stream: "stdout",
    text: `<script>alert("not run")</script> printed by a test`,
    time: started + 9500,
  });
  runs.addRun(repository.id, {
    id: "r00118-live",
    event: "push",
    bookmark: "feature/login",
    revisionId: revision.id,
    status: "running",
    createdAt: started - 400,
    startedAt: started,
    finishedAt: null,
    pipelines: [
      live,
      {
        index: 1,
        file: ".pogo/ci/notify.yaml",
        pattern: "feature/*",
        status: "success",
        reason: null,
        warnings: [],
        startedAt: started,
        finishedAt: started + 430,
        log: [],
        tasks: [webhookTask(0, "success", started)],
      },
      {
        index: 2,
        file: ".pogo/ci/broken.yml",
        pattern: null,
        status: "failed",
        reason: ".pogo/ci/broken.yml:7:9: unknown key `comand`; did you mean `commands`?",
        warnings: [],
        startedAt: started,
        finishedAt: started + 2,
        log: [],
        tasks: [],
      },
    ],
  });

  await mkdir(OUTPUT, { recursive: true });
  for (const [name, viewport] of Object.entries(VIEWPORTS)) {
    const browser = await launchChromium(viewport);
    try {
      const page = await browser.context.newPage();
      await page.goto(`${server.url}/ui/sign-in`);
      await page.getByLabel("Access token").fill(token);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(`${server.url}/ui/`);
      const shots: Array<[string, string]> = [
        ["repository", "/ui/repositories/pogo-demo"],
        ["runs", "/ui/repositories/pogo-demo/runs"],
        ["run", "/ui/repositories/pogo-demo/runs/r00118-live"],
      ];
      for (const [shot, path] of shots) {
        await page.goto(`${server.url}${path}`);
        const file = join(OUTPUT, `${shot}-${name}.png`);
        await page.screenshot({ path: file, fullPage: shot !== "runs" });
        process.stdout.write(`${file}\n`);
      }
    } finally {
      await browser.close();
    }
  }
} finally {
  await server.close();
}
