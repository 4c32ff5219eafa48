import type { Command } from "commander";
import { PogoError } from "../../util/errors.js";

// Placeholder until the command is built; it keeps the command tree complete.
export function registerValidateCommand(parent: Command): void {
  parent
    .command("validate [files...]")
    .description("not available yet")
    .action(() => {
      throw new PogoError("NOT_IMPLEMENTED", "`validate [files...]` is not available yet");
    });
}
