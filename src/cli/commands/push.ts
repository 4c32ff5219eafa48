import type { Command } from "commander";
import type { ConnectionFlags } from "../../client/config.js";
import { push } from "../../client/push.js";
import { bookmarkNameProblem } from "../../store/names.js";
import { UsageError } from "../../util/errors.js";
import { connect, linkedRepository, print, withConnectionOptions } from "./client-options.js";

interface PushFlags extends ConnectionFlags {
  description: string;
  bookmark?: string;
  author?: string;
}

/** Registers `pogo push`, which uploads the working tree as a new revision. */
export function registerPushCommand(parent: Command): void {
  withConnectionOptions(
    parent
      .command("push")
      .description("upload the working tree as a new revision (honouring .pogoignore)")
      .option("-m, --description <text>", "the revision's description", "")
      .option("-b, --bookmark <name>", "point this bookmark at the new revision")
      .option(
        "--author <text>",
        "the revision's author (default: POGO_AUTHOR, the user config, or your user name)",
      ),
  ).action(async (flags: PushFlags) => {
    if (flags.bookmark !== undefined) {
      const problem = bookmarkNameProblem(flags.bookmark);
      if (problem)
        throw new UsageError(`invalid --bookmark ${JSON.stringify(flags.bookmark)}: ${problem}`);
    }
    const { client, connection } = await connect(flags, { needsLink: true, needsToken: true });
    const repository = linkedRepository(connection);
    let author = flags.author || process.env.POGO_AUTHOR || connection.config.author;
    if (!author) author = (await client.whoami()).user?.name ?? "unknown";

    const result = await push({
      client,
      repository,
      root: connection.root!,
      author,
      description: flags.description,
      bookmark: flags.bookmark,
      progress: (line) => process.stderr.write(`${line}\n`),
    });
    for (const path of result.skipped)
      process.stderr.write(`skipped ${path}: not a file, directory or symlink\n`);
    print(
      `pushed revision ${result.revision.id} to ${repository}: ${result.files} entries, ` +
        `${result.uploaded} new blobs (${result.uploadedBytes} bytes)`,
    );
    if (result.bookmark) {
      print(
        result.bookmark.changed
          ? `bookmark ${result.bookmark.name} -> ${result.revision.id}`
          : `bookmark ${result.bookmark.name} already pointed at ${result.revision.id}`,
      );
    }
    print(`archive: ${result.revision.archiveUrl}`);
  });
}
