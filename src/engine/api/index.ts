import type Docker from "dockerode";
import type { Engine, EngineInfo } from "../types.js";
import { ApiContainerClient } from "./containers.js";
import { ApiImageClient } from "./images.js";
import { ApiNetworkClient } from "./networks.js";
import { ApiVolumeClient } from "./volumes.js";

export { toCreateBody } from "./containers.js";

/** ApiEngine talks to Docker or Podman over the Engine API through dockerode. */
export class ApiEngine implements Engine {
  readonly containers: ApiContainerClient;
  readonly images: ApiImageClient;
  readonly networks: ApiNetworkClient;
  readonly volumes: ApiVolumeClient;

  constructor(
    readonly docker: Docker,
    readonly info: EngineInfo,
  ) {
    this.containers = new ApiContainerClient(docker, info.kind);
    this.images = new ApiImageClient(docker);
    this.networks = new ApiNetworkClient(docker);
    this.volumes = new ApiVolumeClient(docker);
  }

  describe(): string {
    return describeEngine(this.info);
  }
}

/** Formats EngineInfo as one line, such as "Docker 20.10.24 (API 1.41) at unix:///var/run/docker.sock, found via the default socket". */
export function describeEngine(info: EngineInfo): string {
  const product = info.kind === "podman" ? "Podman" : "Docker";
  const via = info.backend === "cli" ? `through the CLI ${info.address}` : `at ${info.address}`;
  return `${product} ${info.version} (API ${info.apiVersion}) ${via}, found via ${info.foundBy}`;
}
