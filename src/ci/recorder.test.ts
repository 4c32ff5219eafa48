import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { commitFiles } from "../../test/support/ci-server.js";
import { backends, openTestStore, type TestStore } from "../../test/support/databases.js";
import { RunBus } from "./bus.js";
import { MAX_STORED_LINES, RunRecorder } from "./recorder.js";
import { RunStore } from "./run-store.js";

const sqlite = backends.find((backend) => backend.name === "sqlite")!;

describe("RunRecorder", () => {
  let opened: TestStore;
  let runs: RunStore;

  beforeEach(async () => {
    opened = await openTestStore(sqlite);
    runs = new RunStore(opened.store.db);
    opened.store.onBookmarkChange((tx, event) => runs.enqueue(tx, event).then(() => {}));
  });
  afterEach(async () => {
    await opened.close();
  });

  it("stores at most the first lines of a log", async () => {
    const user = await opened.store.createUser("ada");
    const repository = await opened.store.createRepository("app", user, false);
    const revision = await commitFiles(opened.store, repository, { "README.md": "hi\n" });
    await opened.store.setBookmark(repository, "main", revision.id, user);
    const runId = (await runs.claim("worker", 30_000))!.id;

    const recorder = new RunRecorder(
      runs,
      new RunBus(),
      runId,
      "worker",
      pino({ level: "silent" }),
    );
    const observer = recorder.observer(0);
    const task = { index: 0 } as never;
    for (let number = 1; number <= MAX_STORED_LINES + 50; number++) {
      observer.logLine?.({} as never, task, { stream: "stdout", text: `line ${number}`, time: 1 });
    }
    await recorder.drain();

    const { lines } = await runs.readLog({ runId, pipeline: 0, task: 0 }, 0);
    expect(lines).toHaveLength(MAX_STORED_LINES);
    expect(lines.at(-1)?.text).toBe(`line ${MAX_STORED_LINES}`);
  });
});
