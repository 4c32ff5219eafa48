import type { Command } from "commander";
import { stringify } from "yaml";
import { SecretMasker } from "../../runner/masker.js";
import { planEvent, templateEnv } from "../../runner/plan.js";
import { Runner } from "../../runner/runner.js";
import { resolveTaskSecrets, type SecretSource } from "../../runner/secrets.js";
import type { PipelinePlan } from "../../runner/types.js";
import { closeExecutors, createExecutors, type TaskExecutors } from "../../tasks/index.js";
import { errorMessage } from "../../util/errors.js";
import {
  type LocalEventFlags,
  loadLocalConfigs,
  localClock,
  localEvent,
  localSecrets,
  useColour,
  withLocalEventOptions,
} from "./ci-local.js";
import { liveReporter, type Painter, painter, pipelineLabel, summaryTable } from "./ci-report.js";

export interface TestFlags extends LocalEventFlags {
  dryRun?: boolean;
}

/** CommandIo is what a local CI command reads and writes; tests pass their own. */
export interface CommandIo {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  colour: boolean;
  /** Whether stdout is a terminal, where image pulls draw one updating line. */
  tty?: boolean;
  /** Terminal width, to keep the pull line from wrapping; default 80. */
  columns?: number;
  /** Aborting it cancels the run (Ctrl-C in the terminal). */
  signal?: AbortSignal;
  /** Task executors; default `createExecutors()`, closed when the command ends. */
  executors?: TaskExecutors;
}

/** Adds `pogo ci test [FILE]`. */
export function registerTestCommand(parent: Command): void {
  const command = parent
    .command("test [file]")
    .description(
      "run the pipelines a bookmark event fires, locally, with the repository root at /workspace; without FILE, every config in .pogo/ci. Exits 0 only when every fired pipeline succeeds, 130 when interrupted (SIGINT, SIGTERM or SIGHUP)",
    );
  withLocalEventOptions(command)
    .option(
      "--dry-run",
      "print the pipelines and tasks that would run, with rendered values, and run nothing",
    )
    .action(async (file: string | undefined, flags: TestFlags) => {
      const controller = new AbortController();
      const onInterrupt = interruptHandler(
        controller,
        (text) => process.stderr.write(text),
        (code) => process.exit(code),
      );
      for (const signal of STOP_SIGNALS) process.on(signal, onInterrupt);
      // When the reader of stdout exits (`pogo ci test | head -1`), the run
      // is cancelled as on Ctrl-C, so its containers are still removed.
      let stdoutClosed = false;
      const onStdoutError = (error: NodeJS.ErrnoException) => {
        if ((error.code !== "EPIPE" && error.code !== "EIO") || stdoutClosed) return;
        stdoutClosed = true;
        controller.abort();
      };
      process.stdout.on("error", onStdoutError);
      try {
        process.exitCode = await testCommand(file, flags, {
          cwd: process.cwd(),
          env: process.env,
          stdout: (text) => {
            if (!stdoutClosed) process.stdout.write(text);
          },
          stderr: (text) => process.stderr.write(text),
          colour: useColour(process.stdout),
          tty: process.stdout.isTTY === true,
          ...(process.stdout.columns ? { columns: process.stdout.columns } : {}),
          signal: controller.signal,
        });
      } finally {
        process.stdout.removeListener("error", onStdoutError);
        for (const signal of STOP_SIGNALS) process.removeListener(signal, onInterrupt);
      }
    });
}

/**
 * STOP_SIGNALS cancel a local run: Ctrl-C, `kill` or a CI job's timeout,
 * and a closed terminal or SSH session (SIGHUP).
 */
const STOP_SIGNALS: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

const SIGNAL_WORDS: Partial<Record<NodeJS.Signals, string>> = {
  SIGTERM: "terminated",
  SIGHUP: "hung up",
};

/** INTERRUPTED_EXIT_STATUS is what a run ended by a signal exits with, as shells report Ctrl-C. */
export const INTERRUPTED_EXIT_STATUS = 130;

/**
 * Returns the handler for STOP_SIGNALS. The first signal cancels the
 * run, which then removes its containers, networks, volumes and temporary
 * folders and prints the summary. A second one only prints that cleanup is
 * in progress, because exiting then would leave those behind. A third
 * exits at once, and the next run's sweep removes the leftovers.
 */
export function interruptHandler(
  controller: AbortController,
  write: (text: string) => void,
  exit: (code: number) => void,
): (signal: NodeJS.Signals) => void {
  let count = 0;
  return (signal) => {
    count++;
    if (count === 1) {
      write(`pogo: ${SIGNAL_WORDS[signal] ?? "interrupted"}, cancelling running tasks\n`);
      controller.abort();
    } else if (count === 2) {
      write("pogo: cleanup in progress; interrupt once more to exit without it\n");
    } else {
      write("pogo: exiting before cleanup finished; the next run removes what is left\n");
      exit(INTERRUPTED_EXIT_STATUS);
    }
  };
}

/**
 * Runs `pogo ci test` and returns the exit status: 0 when every fired
 * pipeline succeeded (or none fired), 130 when `io.signal` cancelled the
 * run, 1 otherwise.
 */
export async function testCommand(
  file: string | undefined,
  flags: TestFlags,
  io: CommandIo,
): Promise<number> {
  const { root, configs } = loadLocalConfigs(file, io.cwd);
  const event = await localEvent(flags, root);
  const secrets = localSecrets(flags, io.env);
  const masker = new SecretMasker();
  const env = templateEnv(secrets, masker, localClock(flags.now));
  const plans = planEvent(configs, event, env);
  const paint = painter(io.colour);

  if (configs.length === 0) {
    io.stdout("no config files in .pogo/ci; nothing to test\n");
    return 0;
  }
  if (plans.length === 0) {
    const checked = configs.length === 1 ? configs[0]!.file : `${configs.length} configs`;
    io.stdout(
      `no pipeline fires for a ${event.type} of bookmark ${JSON.stringify(event.bookmark)} (checked ${checked})\n`,
    );
    return 0;
  }
  if (flags.dryRun) return printDryRun(plans, secrets, masker, io, paint);

  const executors = io.executors ?? createExecutors();
  try {
    await reportEngine(plans, executors, io);
    const runner = new Runner({ executors });
    const result = await runner.runEvent({
      event,
      plans,
      secrets,
      masker,
      signal: io.signal,
      observer: liveReporter(io.stdout, paint, {
        tty: io.tty === true,
        ...(io.columns === undefined ? {} : { columns: io.columns }),
      }),
      ...(root === undefined ? {} : { workspaceDir: root }),
    });
    io.stdout(`\n${summaryTable(result, paint)}`);
    if (io.signal?.aborted) return INTERRUPTED_EXIT_STATUS;
    return result.status === "success" ? 0 : 1;
  } finally {
    if (!io.executors) await closeExecutors(executors);
  }
}

// Prints the container engine before the first container task runs, or
// the reason none was found, so a failing container task is easy to place.
async function reportEngine(plans: PipelinePlan[], executors: TaskExecutors, io: CommandIo) {
  const usesContainers = plans.some(
    (plan) => "config" in plan && plan.config.do.some((task) => task.type === "container"),
  );
  const container = executors.container as { describeEngine?: () => Promise<string> };
  if (usesContainers && container.describeEngine) {
    io.stdout(`engine: ${await container.describeEngine()}\n`);
  }
}

// Prints what would run. Secrets are resolved so that a missing one shows
// up now, and their values are masked. A task that would fail before
// starting makes the exit status 1, as the real run would.
function printDryRun(
  plans: PipelinePlan[],
  secrets: SecretSource,
  masker: SecretMasker,
  io: CommandIo,
  paint: Painter,
): number {
  let failing = false;
  for (const plan of plans) {
    const label = paint("bold", pipelineLabel(plan.file));
    for (const warning of plan.warnings) io.stderr(`${masker.mask(warning)}\n`);
    if ("error" in plan) {
      failing = true;
      io.stdout(`${label} would fail:\n`);
      for (const line of plan.details ?? [plan.error]) io.stdout(`  ${masker.mask(line)}\n`);
      continue;
    }
    const count = plan.config.do.length;
    io.stdout(
      `${label} (matched ${JSON.stringify(plan.pattern)}) would run ${count} task${count === 1 ? "" : "s"}:\n`,
    );
    for (const [index, task] of plan.config.do.entries()) {
      let shown: unknown;
      try {
        shown = maskStrings(
          resolveTaskSecrets(task, secrets, (value) => masker.add(value)),
          masker,
        );
      } catch (error) {
        failing = true;
        io.stdout(
          `  task ${index + 1} (${task.type}) would fail: ${masker.mask(errorMessage(error))}\n`,
        );
        continue;
      }
      io.stdout(`  task ${index + 1}:\n${indent(stringify(shown, { lineWidth: 0 }), "    ")}`);
    }
  }
  return failing ? 1 : 0;
}

/** Returns a copy of a plain value with every string masked. */
export function maskStrings(value: unknown, masker: SecretMasker): unknown {
  if (typeof value === "string") return masker.mask(value);
  if (Array.isArray(value)) return value.map((item) => maskStrings(item, masker));
  if (value && typeof value === "object") {
    const masked: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value))
      masked[masker.mask(key)] = maskStrings(item, masker);
    return masked;
  }
  return value;
}

function indent(text: string, prefix: string): string {
  return text
    .split("\n")
    .map((line) => (line.length > 0 ? `${prefix}${line}` : line))
    .join("\n");
}
