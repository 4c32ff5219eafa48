import type { Command } from "commander";
import { PogoError } from "../../util/errors.js";

// Placeholder until the command is built; it keeps the command tree complete.
export function registerInitCommand(parent: Command): void {
  parent
    .command("init")
    .description("not available yet")
    .action(() => {
      throw new PogoError("NOT_IMPLEMENTED", "`init` is not available yet");
    });
}
