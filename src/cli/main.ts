import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { errorMessage, PogoError, UsageError } from "../util/errors.js";
import { registerCiCommands } from "./commands/ci.js";
import { registerServerCommands } from "./commands/server.js";

/** Exit statuses shared by every command. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

function packageVersion(): string {
  const url = new URL("../../package.json", import.meta.url);
  return (JSON.parse(readFileSync(url, "utf8")) as { version: string }).version;
}

/** Builds the `pogo` command tree; tests call it to run commands in-process. */
export function buildProgram(): Command {
  const program = new Command("pogo")
    .description("Pogo version control and CI/CD")
    .version(packageVersion(), "-V, --version", "print the version and exit")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();

  const ci = program.command("ci").description("validate, render, test and inspect CI pipelines");
  ci.exitOverride();
  registerCiCommands(ci);
  registerServerCommands(program);
  return program;
}

/** Runs the CLI and returns the exit status instead of exiting, so tests can call it. */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : EXIT_OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version output end with code 0; parse errors were already printed.
      return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`pogo: ${error.message}\n`);
      return EXIT_USAGE;
    }
    const prefix = error instanceof PogoError ? "" : "unexpected error: ";
    process.stderr.write(`pogo: ${prefix}${errorMessage(error)}\n`);
    return EXIT_FAILURE;
  }
}
