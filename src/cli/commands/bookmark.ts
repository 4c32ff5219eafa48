import type { Command } from "commander";
import type { ConnectionFlags } from "../../client/config.js";
import { UsageError } from "../../util/errors.js";
import { connect, linkedRepository, print, withConnectionOptions } from "./client-options.js";

/** Registers `pogo bookmark set|remove|list`. */
export function registerBookmarkCommands(parent: Command): void {
  const bookmark = parent
    .command("bookmark")
    .description("set, remove and list bookmarks of the linked repository");

  withConnectionOptions(
    bookmark
      .command("set")
      .description("create or move a bookmark (fires `push` pipelines)")
      .argument("<name>", "bookmark name, such as main or release/1.0")
      .argument("[revision]", "revision id or bookmark to point at (default: the newest revision)"),
  ).action(async (name: string, revision: string | undefined, flags: ConnectionFlags) => {
    const { client, connection } = await connect(flags, { needsLink: true, needsToken: true });
    const repository = linkedRepository(connection);
    let target: string;
    if (revision === undefined) {
      const newest = (await client.listRevisions(repository, 1))[0];
      if (!newest)
        throw new UsageError(`${repository} has no revisions yet; run \`pogo push\` first`);
      target = newest.id;
    } else {
      target = (await client.getRevision(repository, revision)).id;
    }
    const result = await client.setBookmark(repository, name, target);
    if (!result.changed) print(`bookmark ${name} already pointed at ${target}`);
    else if (result.previousRevision)
      print(`bookmark ${name} moved from ${result.previousRevision} to ${target}`);
    else print(`bookmark ${name} created at ${target}`);
  });

  withConnectionOptions(
    bookmark
      .command("remove")
      .description("delete a bookmark (fires `remove` pipelines)")
      .argument("<name>", "bookmark name"),
  ).action(async (name: string, flags: ConnectionFlags) => {
    const { client, connection } = await connect(flags, { needsLink: true, needsToken: true });
    const removed = await client.removeBookmark(linkedRepository(connection), name);
    print(`bookmark ${name} removed (it pointed at ${removed.revision})`);
  });

  withConnectionOptions(
    bookmark.command("list").description("list bookmarks and their revisions"),
  ).action(async (flags: ConnectionFlags) => {
    const { client, connection } = await connect(flags, { needsLink: true });
    const bookmarks = await client.listBookmarks(linkedRepository(connection));
    if (bookmarks.length === 0) print("no bookmarks");
    for (const entry of bookmarks) print(`${entry.name}\t${entry.revision}\t${entry.updatedAt}`);
  });
}
