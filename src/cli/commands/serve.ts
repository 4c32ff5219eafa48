import type { Command } from "commander";
import { PogoError } from "../../util/errors.js";

// Placeholder until the command is built; it keeps the command tree complete.
export function registerServeCommand(parent: Command): void {
  parent
    .command("serve")
    .description("not available yet")
    .action(() => {
      throw new PogoError("NOT_IMPLEMENTED", "`serve` is not available yet");
    });
}
