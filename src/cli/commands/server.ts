import type { Command } from "commander";
import { registerBookmarkCommands } from "./bookmark.js";
import { registerInitCommand } from "./init.js";
import { registerPushCommand } from "./push.js";
import { registerSecretsCommands } from "./secrets.js";
import { registerServeCommand } from "./serve.js";
import { registerTokenCommands } from "./token.js";
import { registerWhoamiCommand } from "./whoami.js";

/** Adds the commands that run or talk to a Pogo server. */
export function registerServerCommands(program: Command): void {
  registerServeCommand(program);
  registerInitCommand(program);
  registerPushCommand(program);
  registerBookmarkCommands(program);
  registerSecretsCommands(program);
  registerTokenCommands(program);
  registerWhoamiCommand(program);
}
