/**
 * A child process for crash tests: runs one container task and is meant to
 * be killed while it runs. Arguments: run id, image, repository dir, and
 * the shell command to run, and optionally a service image. It prints
 * "container output: …" lines as the task logs them, so the parent can tell
 * when the container is up. With POGO_TEST_OWN_HANDLER=1 it handles
 * SIGTERM itself by cancelling the task, as `pogo ci test` does for SIGINT.
 */
import { templateData } from "../../src/config/event.js";
import { ContainerExecutor } from "../../src/tasks/container.js";

const [runId, image, workspaceDir, command, withService] = process.argv.slice(2);
const executor = new ContainerExecutor({ sweepOnStart: false });
const controller = new AbortController();
if (process.env.POGO_TEST_OWN_HANDLER === "1") process.once("SIGTERM", () => controller.abort());
const result = await executor.run(
  {
    image: image!,
    commands: [command!],
    ...(withService ? { services: [{ name: "web", image: withService }] } : {}),
  },
  {
    runId: runId!,
    pipeline: "crash.yaml",
    taskIndex: 0,
    signal: controller.signal,
    timeoutMs: 120_000,
    workspaceDir: workspaceDir!,
    data: templateData({ Rev: "main" }),
    log: {
      write: (chunk) => process.stdout.write(`container output: ${chunk}`),
      info: (line) => process.stdout.write(`info: ${line}\n`),
    },
  },
);
process.stdout.write(`result: ${JSON.stringify(result)}\n`);
