import type { Command } from "commander";
import { PogoError } from "../../util/errors.js";

// Placeholder until the command is built; it keeps the command tree complete.
export function registerTokenCommands(parent: Command): void {
  parent
    .command("token")
    .description("not available yet")
    .action(() => {
      throw new PogoError("NOT_IMPLEMENTED", "`token` is not available yet");
    });
}
