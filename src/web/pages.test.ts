import { describe, expect, it } from "vitest";
import type { PageContext, RunDetail } from "./model.js";
import { errorPage } from "./pages/error.js";
import { repositoriesPage } from "./pages/repositories.js";
import { repositoryPage } from "./pages/repository.js";
import { MAX_PAGE_LOG_LINES, runPage } from "./pages/run.js";
import { runsPage } from "./pages/runs.js";
import { signInPage } from "./pages/sign-in.js";

const EVIL = `<script>alert("x")</script>`;
const context: PageContext = {
  viewer: { name: "alice", csrfToken: "csrf-token" },
  assetVersion: "v1",
};
const repository = { name: "demo", isPrivate: false, owner: "alice", createdAt: 0 };
const NOW = Date.UTC(2026, 11, 4, 12, 0, 0);

function run(overrides: Partial<RunDetail> = {}): RunDetail {
  return {
    id: "run-1234567890abcdef",
    event: "push",
    bookmark: `feature/${EVIL}`,
    revisionId: "a".repeat(40),
    status: "running",
    createdAt: NOW - 60_000,
    startedAt: NOW - 59_000,
    finishedAt: null,
    pipelines: [
      {
        index: 0,
        file: `.pogo/ci/${EVIL}.yaml`,
        pattern: "feature/*",
        status: "running",
        reason: null,
        warnings: [`warning ${EVIL}`],
        startedAt: NOW - 59_000,
        finishedAt: null,
        log: [],
        tasks: [
          {
            index: 0,
            type: "container",
            name: `image-${EVIL}`,
            status: "running",
            exitCode: null,
            httpStatus: null,
            reason: null,
            startedAt: NOW - 58_000,
            finishedAt: null,
            log: [
              { stream: "stdout", text: `\x1b[32mok\x1b[0m ${EVIL}`, time: NOW },
              { stream: "stderr", text: "boom", time: NOW },
            ],
            droppedLogLines: 0,
          },
          {
            index: 1,
            type: "webhook",
            name: "POST http://127.0.0.1/hook",
            status: "pending",
            exitCode: null,
            httpStatus: null,
            reason: null,
            startedAt: null,
            finishedAt: null,
            log: [],
            droppedLogLines: 3,
          },
        ],
      },
      {
        index: 1,
        file: ".pogo/ci/done.yaml",
        pattern: "*",
        status: "failed",
        reason: `exit code 2 from ${EVIL}`,
        warnings: [],
        startedAt: NOW - 50_000,
        finishedAt: NOW - 40_000,
        log: [],
        tasks: [],
      },
    ],
    ...overrides,
  };
}

/** Asserts the page contains the hostile string escaped and never as markup. */
function expectEscaped(page: string) {
  expect(page).not.toContain("<script>alert");
  expect(page).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
}

describe("pages", () => {
  it("repositories page escapes names", () => {
    const page = repositoriesPage(context, [{ ...repository, name: EVIL, owner: EVIL }]);
    expectEscaped(page);
    expect(page).toContain('href="/ui/repositories/%3Cscript%3Ealert(%22x%22)%3C%2Fscript%3E"');
  });

  it("repository page escapes bookmarks and descriptions", () => {
    const page = repositoryPage(
      context,
      {
        repository,
        bookmarks: [
          {
            name: `main${EVIL}`,
            revisionId: "b".repeat(40),
            updatedAt: NOW,
            author: EVIL,
            description: `${EVIL}\nsecond line`,
            latestRun: { ...run(), pipelines: undefined } as never,
          },
        ],
        publicUrl: "https://pogo.example.com",
      },
      NOW,
    );
    expectEscaped(page);
    expect(page).toContain('data-status="running"');
    expect(page).toContain("/ui/repositories/demo/archive/main%3Cscript%3E");
    expect(page).not.toContain("second line");
  });

  it("repository page offers the badge markdown", () => {
    const row = {
      revisionId: "b".repeat(40),
      updatedAt: NOW,
      author: "ada",
      description: "",
      latestRun: null,
    };
    const page = repositoryPage(
      context,
      {
        repository,
        bookmarks: [
          { ...row, name: "dev" },
          { ...row, name: "main" },
        ],
        publicUrl: "https://pogo.example.com",
      },
      NOW,
    );
    expect(page).toContain('<img src="/repository/demo/badge.svg?bookmark=main"');
    expect(page).toContain(
      "[![CI](https://pogo.example.com/repository/demo/badge.svg?bookmark=main)](https://pogo.example.com/ui/repositories/demo/runs?bookmark=main)",
    );
  });

  it("repository page without bookmarks says how to push", () => {
    const page = repositoryPage(
      context,
      { repository, bookmarks: [], publicUrl: "https://pogo.example.com" },
      NOW,
    );
    expect(page).toContain("No bookmarks yet");
  });

  it("runs page lists pipelines with filters and pages", () => {
    const page = runsPage(
      context,
      {
        repository,
        filter: { status: "failed", bookmark: EVIL },
        pipelines: [
          {
            runId: "r1",
            index: 1,
            file: `.pogo/ci/${EVIL}.yaml`,
            event: "push",
            bookmark: EVIL,
            pattern: EVIL,
            status: "failed",
            createdAt: NOW - 2000,
            startedAt: NOW - 2000,
            finishedAt: NOW - 500,
          },
        ],
        page: 2,
        pageSize: 50,
        total: 120,
      },
      NOW,
    );
    expectEscaped(page);
    expect(page).toContain('<option value="failed" selected>');
    expect(page).toContain("51–100 of 120 (page 2 of 3)");
    expect(page).toContain('href="/ui/repositories/demo/runs/r1#pipeline-1"');
    expect(page).toContain("1.5\u00a0s");
    expect(page).toMatch(/rel="prev"/);
    expect(page).toMatch(/rel="next"/);
  });

  it("runs page without runs says so", () => {
    const page = runsPage(
      context,
      { repository, filter: {}, pipelines: [], page: 1, pageSize: 50, total: 0 },
      NOW,
    );
    expect(page).toContain("No CI runs yet");
  });

  it("run page renders pipelines, tasks and logs", () => {
    const page = runPage(context, { repository, run: run(), canCancel: true }, NOW);
    expectEscaped(page);
    expect(page).toContain('<span class="a-f2">ok</span>');
    expect(page).toContain('<span class="l err">boom</span>');
    expect(page).toContain('data-live-url="/ui/repositories/demo/runs/run-1234567890abcdef/live"');
    expect(page).toContain("3 more lines were not kept");
    expect(page).toContain("exit code 2 from &lt;script&gt;");
  });

  it("run page shows the tail of a long log", () => {
    const long = run();
    const task = long.pipelines[0]!.tasks[0]!;
    task.log = Array.from({ length: MAX_PAGE_LOG_LINES + 7 }, (_, index) => ({
      stream: "stdout" as const,
      text: `line ${index + 1}`,
      time: NOW,
    }));
    const page = runPage(context, { repository, run: long, canCancel: true }, NOW);
    expect(page).toContain('data-skipped="7" style="counter-reset:line 7"');
    expect(page).toContain("7 earlier lines are not shown");
    expect(page).toContain("/runs/run-1234567890abcdef/log.txt?pipeline=0&amp;task=0");
    expect(page).not.toContain(">line 7<");
    expect(page).toContain(">line 8<");
    expect(page).toContain(`>line ${MAX_PAGE_LOG_LINES + 7}<`);
  });

  it("run page offers cancel only for running pipelines", () => {
    const page = runPage(context, { repository, run: run(), canCancel: true }, NOW);
    expect(page.match(/Cancel pipeline/g)).toHaveLength(1);
    expect(page).toContain('name="csrf" value="csrf-token"');
    const readOnly = runPage(context, { repository, run: run(), canCancel: false }, NOW);
    expect(readOnly).not.toContain("Cancel pipeline");
  });

  it("finished run page is not live", () => {
    const page = runPage(
      context,
      { repository, run: run({ status: "success", finishedAt: NOW }), canCancel: true },
      NOW,
    );
    expect(page).not.toContain("data-live-url");
  });

  it("sign-in page shows the error", () => {
    const page = signInPage({ assetVersion: "v1" }, { error: "bad token", next: "/ui/x" });
    expect(page).toContain('role="alert"');
    expect(page).toContain('value="/ui/x"');
    expect(page).toContain('<label for="token">');
  });

  it("error page escapes its message", () => {
    expectEscaped(errorPage({ assetVersion: "v1" }, "Not found", EVIL));
  });

  it("layout loads no external resources", () => {
    const page = runPage(context, { repository, run: run(), canCancel: true }, NOW);
    expect(page).not.toMatch(/(src|href)="(https?:)?\/\//);
  });
});
