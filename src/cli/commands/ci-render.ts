import type { Command } from "commander";
import { PogoError } from "../../util/errors.js";

// Placeholder until the command is built; it keeps the command tree complete.
export function registerRenderCommand(parent: Command): void {
  parent
    .command("render [file]")
    .description("not available yet")
    .action(() => {
      throw new PogoError("NOT_IMPLEMENTED", "`render [file]` is not available yet");
    });
}
