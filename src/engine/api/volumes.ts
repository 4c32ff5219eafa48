import type Docker from "dockerode";
import { engineCall, engineRequest } from "../engine-call.js";
import { isNotFound } from "../errors.js";
import { engineFilterTerms, keepMatching } from "../labels.js";
import type { LabelFilter, ListedObject, VolumeClient, VolumeRequest } from "../types.js";

/** ApiVolumeClient manages workspace volumes through the Engine API. */
export class ApiVolumeClient implements VolumeClient {
  constructor(private readonly docker: Docker) {}

  async create(request: VolumeRequest): Promise<void> {
    await engineRequest("create volume", { volume: request.name }, () =>
      this.docker.createVolume({
        Name: request.name,
        Driver: "local",
        DriverOpts: request.driverOptions ?? {},
        Labels: request.labels,
      }),
    );
  }

  async remove(name: string): Promise<void> {
    await engineCall(
      "remove volume",
      { volume: name },
      () => this.docker.getVolume(name).remove(),
      isNotFound,
    );
  }

  async list(filter: LabelFilter): Promise<ListedObject[]> {
    const result = await engineRequest("list volumes", { filter }, () =>
      this.docker.listVolumes({ filters: { label: engineFilterTerms(filter) } }),
    );
    return keepMatching(
      (result.Volumes ?? []).map((volume) => ({
        id: volume.Name,
        name: volume.Name,
        labels: volume.Labels ?? {},
      })),
      filter,
    );
  }
}
