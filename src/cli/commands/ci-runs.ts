import type { Command } from "commander";
import { PogoError } from "../../util/errors.js";

// Placeholder until the command is built; it keeps the command tree complete.
export function registerRunsCommands(parent: Command): void {
  parent
    .command("runs")
    .description("not available yet")
    .action(() => {
      throw new PogoError("NOT_IMPLEMENTED", "`runs` is not available yet");
    });
}
