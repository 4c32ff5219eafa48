import { engineCall, engineRequest } from "../engine-call.js";
import { isNotFound } from "../errors.js";
import { engineFilterTerms, keepMatching } from "../labels.js";
import type { LabelFilter, ListedObject, VolumeClient, VolumeRequest } from "../types.js";
import { inspectLabels, labelArgs, listIds } from "./listing.js";
import { runDocker } from "./run-docker.js";

/** CliVolumeClient manages workspace volumes by running the `docker` command. */
export class CliVolumeClient implements VolumeClient {
  constructor(private readonly command: string) {}

  async create(request: VolumeRequest): Promise<void> {
    const options = Object.entries(request.driverOptions ?? {}).flatMap(([key, value]) => [
      "--opt",
      `${key}=${value}`,
    ]);
    await engineRequest("create volume", { volume: request.name }, () =>
      runDocker(this.command, [
        "volume",
        "create",
        "--driver",
        "local",
        ...options,
        ...labelArgs(request.labels),
        request.name,
      ]),
    );
  }

  async remove(name: string): Promise<void> {
    await engineCall(
      "remove volume",
      { volume: name },
      () => runDocker(this.command, ["volume", "rm", name]),
      isNotFound,
    );
  }

  async list(filter: LabelFilter): Promise<ListedObject[]> {
    const ids = await listIds(this.command, ["volume", "ls", "--quiet"], engineFilterTerms(filter));
    return keepMatching(await inspectLabels(this.command, "volume", ids), filter);
  }
}
