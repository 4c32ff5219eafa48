import type { Command } from "commander";
import type { ConnectionFlags } from "../../client/config.js";
import { UsageError } from "../../util/errors.js";
import { connect, linkedRepository, print, withConnectionOptions } from "./client-options.js";

interface SecretFlags extends ConnectionFlags {
  repository?: string;
}

interface SetFlags extends SecretFlags {
  value?: string;
}

/** Registers `pogo secrets set|get|list|delete`. */
export function registerSecretsCommands(parent: Command): void {
  const secrets = parent.command("secrets").description(
    // biome-ignore lint/suspicious/noTemplateCurlyInString: `${NAME}` is the config syntax being described.
    "manage the secrets of a repository, which pipelines read as ${NAME}; values are encrypted on the server",
  );

  withSecretOptions(
    secrets
      .command("set")
      .description(
        "create or replace a secret; the value is read from standard input, or asked for on a terminal",
      )
      .argument("<name>", "secret name: letters, digits and _, not starting with a digit")
      .option(
        "--value <value>",
        "take the value from the command line instead (it then shows in shell history and process lists)",
      ),
  ).action(async (name: string, flags: SetFlags) => {
    const { client, repository } = await secretsClient(flags);
    let value: string;
    if (flags.value !== undefined) {
      process.stderr.write(
        "pogo: warning: --value leaves the secret in shell history and process lists; pipe it on standard input instead\n",
      );
      value = flags.value;
    } else {
      value = process.stdin.isTTY ? await promptHidden(`value of ${name}: `) : await readStdin();
    }
    if (value === "") throw new UsageError(`the value of ${name} is empty; nothing was set`);
    const { created } = await client.setSecret(repository, name, value);
    print(`secret ${name} ${created ? "created" : "updated"} in ${repository}`);
  });

  withSecretOptions(
    secrets
      .command("get")
      .description("print a secret's value (needs write access to the repository)")
      .argument("<name>", "secret name"),
  ).action(async (name: string, flags: SecretFlags) => {
    const { client, repository } = await secretsClient(flags);
    process.stdout.write(`${await client.getSecret(repository, name)}\n`);
  });

  withSecretOptions(
    secrets.command("list").description("list secret names and when they changed; never values"),
  ).action(async (flags: SecretFlags) => {
    const { client, repository } = await secretsClient(flags);
    const list = await client.listSecrets(repository);
    if (list.length === 0) print(`no secrets in ${repository}`);
    for (const secret of list) print(`${secret.name}\tupdated ${secret.updatedAt}`);
  });

  withSecretOptions(
    secrets.command("delete").description("delete a secret").argument("<name>", "secret name"),
  ).action(async (name: string, flags: SecretFlags) => {
    const { client, repository } = await secretsClient(flags);
    await client.deleteSecret(repository, name);
    print(`secret ${name} deleted from ${repository}`);
  });
}

function withSecretOptions(command: Command): Command {
  return withConnectionOptions(command).option(
    "--repository <name>",
    "repository on the server (default: the one this directory is linked to)",
  );
}

async function secretsClient(flags: SecretFlags) {
  const { client, connection } = await connect(flags, {
    needsLink: flags.repository === undefined,
    needsToken: true,
  });
  return { client, repository: flags.repository ?? linkedRepository(connection) };
}

// A value piped in usually ends with the newline of `echo`; one trailing
// newline is dropped, more are kept as part of the value.
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

/** Asks for a value on the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const input = process.stdin;
    process.stderr.write(question);
    input.setRawMode(true);
    input.resume();
    input.setEncoding("utf8");
    let value = "";
    const done = (error?: Error) => {
      input.setRawMode(false);
      input.pause();
      input.removeListener("data", onData);
      process.stderr.write("\n");
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (text: string) => {
      for (const character of text) {
        if (character === "\r" || character === "\n") return done();
        if (character === "\u0003") return done(new UsageError("interrupted; nothing was set"));
        if (character === "\u007f" || character === "\b") value = value.slice(0, -1);
        else value += character;
      }
    };
    input.on("data", onData);
  });
}
