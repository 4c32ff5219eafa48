import type { Command } from "commander";
import { PogoClient } from "../../client/api.js";
import { type Connection, type ConnectionFlags, resolveConnection } from "../../client/config.js";
import { UsageError } from "../../util/errors.js";

/** Adds `--server` and `--token`, which every command that talks to a server accepts. */
export function withConnectionOptions(command: Command): Command {
  return command
    .option(
      "--server <url>",
      "server URL (default: POGO_SERVER, the repository link, or the user config)",
    )
    .option(
      "--token <token>",
      "access token (default: POGO_TOKEN, or the user config's token for the server)",
    );
}

/** Resolves the connection and returns a client for it; `needsLink` requires a working tree. */
export async function connect(
  flags: ConnectionFlags,
  options: { needsLink?: boolean; needsToken?: boolean } = {},
): Promise<{ client: PogoClient; connection: Connection }> {
  const connection = await resolveConnection(flags, { needsLink: options.needsLink });
  if (options.needsToken && !connection.token) {
    throw new UsageError(
      `no token for ${connection.server}: pass --token, set POGO_TOKEN, or save one with \`pogo init --token\``,
    );
  }
  return { client: new PogoClient(connection.server, connection.token), connection };
}

/** Returns the repository of the current working tree, or a UsageError. */
export function linkedRepository(connection: Connection): string {
  if (!connection.link)
    throw new UsageError("this directory is not linked to a repository; run `pogo init` first");
  return connection.link.repository;
}

export function print(line: string): void {
  process.stdout.write(`${line}\n`);
}
