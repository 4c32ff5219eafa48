import type { Command } from "commander";
import type { ConnectionFlags } from "../../client/config.js";
import { connect, print, withConnectionOptions } from "./client-options.js";

/** Registers `pogo whoami`, which shows who the configured token acts as. */
export function registerWhoamiCommand(parent: Command): void {
  withConnectionOptions(
    parent.command("whoami").description("show the user your token belongs to"),
  ).action(async (flags: ConnectionFlags) => {
    const { client, connection } = await connect(flags, { needsToken: true });
    const answer = await client.whoami();
    if (answer.user) {
      print(`${answer.user.name}${answer.user.admin ? " (admin)" : ""} on ${connection.server}`);
    } else {
      print(`a CI token for repository ${answer.repository ?? "?"} on ${connection.server}`);
    }
  });
}
