import type { Command } from "commander";
import { registerRenderCommand } from "./ci-render.js";
import { registerRunsCommands } from "./ci-runs.js";
import { registerTestCommand } from "./ci-test.js";
import { registerValidateCommand } from "./ci-validate.js";

/** Adds the `pogo ci ...` subcommands; each lives in its own module. */
export function registerCiCommands(ci: Command): void {
  registerValidateCommand(ci);
  registerRenderCommand(ci);
  registerTestCommand(ci);
  registerRunsCommands(ci);
}
