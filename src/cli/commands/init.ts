import { basename, resolve } from "node:path";
import type { Command } from "commander";
import { type RepositoryInfo, ServerError } from "../../client/api.js";
import {
  type ConnectionFlags,
  checkServerUrl,
  normaliseServer,
  readUserConfig,
  writeLink,
  writeUserConfig,
} from "../../client/config.js";
import { PogoError, UsageError } from "../../util/errors.js";
import { connect, print, withConnectionOptions } from "./client-options.js";

interface InitFlags extends ConnectionFlags {
  create?: boolean;
  private?: boolean;
  directory: string;
}

/** Registers `pogo init`, which links a directory to a repository on a server. */
export function registerInitCommand(parent: Command): void {
  withConnectionOptions(
    parent
      .command("init")
      .description(
        "link a directory to a server repository (written to .pogo/repository.json; no token there)",
      )
      .argument("[repository]", "repository name (default: the directory's name)")
      .option("-C, --directory <dir>", "the directory to link", ".")
      .option("--create", "create the repository on the server")
      .option("--private", "with --create: only the owner, admins and CI tokens may read it"),
  ).action(async (name: string | undefined, flags: InitFlags) => {
    if (flags.private && !flags.create) throw new UsageError("--private needs --create");
    if (flags.server) checkServerUrl(flags.server);
    const root = resolve(flags.directory);
    const repositoryName = name ?? basename(root);
    // The link is written below; connecting first must not pick up an older link of a parent directory.
    const { client, connection } = await connect(flags, { needsToken: true });

    let repository: RepositoryInfo;
    if (flags.create) {
      repository = await client.createRepository(repositoryName, flags.private ?? false);
      print(`created ${repository.private ? "private" : "public"} repository ${repository.name}`);
    } else {
      try {
        repository = await client.getRepository(repositoryName);
      } catch (error) {
        if (error instanceof ServerError && error.code === "REPOSITORY_NOT_FOUND") {
          throw new PogoError(
            error.code,
            `${error.message}; pass --create to create it, or check the name and your token`,
          );
        }
        throw error;
      }
    }

    const server = normaliseServer(connection.server);
    const linkPath = await writeLink(root, { server, repository: repository.name });
    print(`linked ${root} to ${repository.name} on ${server} (${linkPath})`);

    if (flags.token) {
      const config = await readUserConfig();
      config.tokens = { ...config.tokens, [server]: flags.token };
      config.server ??= server;
      const configPath = await writeUserConfig(config);
      print(`saved the token for ${server} in ${configPath}`);
    }
  });
}
