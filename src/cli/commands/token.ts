import type { Command } from "commander";
import type { ConnectionFlags } from "../../client/config.js";
import { UsageError } from "../../util/errors.js";
import { connect, print, withConnectionOptions } from "./client-options.js";

/** Registers `pogo token create|list|revoke` for the caller's own tokens. */
export function registerTokenCommands(parent: Command): void {
  const token = parent.command("token").description("create, list and revoke your access tokens");

  withConnectionOptions(
    token
      .command("create")
      .description("create a token; it is printed once and cannot be shown again")
      .option("-d, --description <text>", "what the token is for", "")
      .option("--expires-in-days <days>", "make the token expire after this many days"),
  ).action(async (flags: ConnectionFlags & { description: string; expiresInDays?: string }) => {
    let days: number | undefined;
    if (flags.expiresInDays !== undefined) {
      days = Number(flags.expiresInDays);
      if (!Number.isFinite(days) || days <= 0)
        throw new UsageError("--expires-in-days must be a positive number");
    }
    const { client } = await connect(flags, { needsToken: true });
    const created = await client.createToken(flags.description, days);
    print(created.token);
    process.stderr.write(
      `token ${created.record.id} created${created.record.expiresAt ? `, expires ${created.record.expiresAt}` : ""}; it is shown only this once\n`,
    );
  });

  withConnectionOptions(
    token.command("list").description("list your tokens (never their secrets)"),
  ).action(async (flags: ConnectionFlags) => {
    const { client } = await connect(flags, { needsToken: true });
    const tokens = await client.listTokens();
    print("ID\tCREATED\tEXPIRES\tLAST USED\tDESCRIPTION");
    for (const entry of tokens) {
      print(
        `${entry.id}\t${entry.createdAt}\t${entry.expiresAt ?? "never"}\t${entry.lastUsedAt ?? "never"}\t${entry.description}`,
      );
    }
  });

  withConnectionOptions(
    token
      .command("revoke")
      .description("revoke one of your tokens")
      .argument("<id>", "token id from `pogo token list`"),
  ).action(async (id: string, flags: ConnectionFlags) => {
    const number = Number(id);
    if (!Number.isSafeInteger(number) || number <= 0)
      throw new UsageError(`invalid token id ${JSON.stringify(id)}`);
    const { client } = await connect(flags, { needsToken: true });
    await client.revokeToken(number);
    print(`token ${number} revoked`);
  });
}
