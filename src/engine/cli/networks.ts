import { engineCall, engineRequest } from "../engine-call.js";
import { isNotFound } from "../errors.js";
import { engineFilterTerms, keepMatching } from "../labels.js";
import type { LabelFilter, Labels, ListedObject, NetworkClient } from "../types.js";
import { inspectLabels, labelArgs, listIds } from "./listing.js";
import { runDocker } from "./run-docker.js";

/** CliNetworkClient manages per-task bridge networks by running the `docker` command. */
export class CliNetworkClient implements NetworkClient {
  constructor(private readonly command: string) {}

  async create(name: string, labels: Labels): Promise<string> {
    const stdout = await engineRequest("create network", { network: name }, () =>
      runDocker(this.command, [
        "network",
        "create",
        "--driver",
        "bridge",
        ...labelArgs(labels),
        name,
      ]),
    );
    return stdout.trim();
  }

  async remove(nameOrId: string): Promise<void> {
    await engineCall(
      "remove network",
      { network: nameOrId },
      () => runDocker(this.command, ["network", "rm", nameOrId]),
      isNotFound,
    );
  }

  async list(filter: LabelFilter): Promise<ListedObject[]> {
    const ids = await listIds(
      this.command,
      ["network", "ls", "--quiet", "--no-trunc"],
      engineFilterTerms(filter),
    );
    return keepMatching(await inspectLabels(this.command, "network", ids), filter);
  }
}
