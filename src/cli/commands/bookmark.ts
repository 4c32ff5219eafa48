import type { Command } from "commander";
import { PogoError } from "../../util/errors.js";

// Placeholder until the command is built; it keeps the command tree complete.
export function registerBookmarkCommands(parent: Command): void {
  parent
    .command("bookmark")
    .description("not available yet")
    .action(() => {
      throw new PogoError("NOT_IMPLEMENTED", "`bookmark` is not available yet");
    });
}
