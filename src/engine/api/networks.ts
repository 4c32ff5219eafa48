import type Docker from "dockerode";
import { engineCall, engineRequest } from "../engine-call.js";
import { isNotFound } from "../errors.js";
import { engineFilterTerms, keepMatching } from "../labels.js";
import type { LabelFilter, Labels, ListedObject, NetworkClient } from "../types.js";

/** ApiNetworkClient manages per-task bridge networks through the Engine API. */
export class ApiNetworkClient implements NetworkClient {
  constructor(private readonly docker: Docker) {}

  async create(name: string, labels: Labels): Promise<string> {
    const network = await engineRequest("create network", { network: name }, () =>
      this.docker.createNetwork({
        Name: name,
        Driver: "bridge",
        CheckDuplicate: true,
        Labels: labels,
      }),
    );
    return network.id;
  }

  async remove(nameOrId: string): Promise<void> {
    await engineCall(
      "remove network",
      { network: nameOrId },
      () => this.docker.getNetwork(nameOrId).remove(),
      isNotFound,
    );
  }

  async list(filter: LabelFilter): Promise<ListedObject[]> {
    const networks = await engineRequest("list networks", { filter }, () =>
      this.docker.listNetworks({ filters: { label: engineFilterTerms(filter) } }),
    );
    return keepMatching(
      networks.map((network) => ({
        id: network.Id,
        name: network.Name,
        labels: network.Labels ?? {},
      })),
      filter,
    );
  }
}
