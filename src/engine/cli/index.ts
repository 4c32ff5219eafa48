import { describeEngine } from "../api/index.js";
import type { Engine, EngineInfo } from "../types.js";
import { CliContainerClient } from "./containers.js";
import { CliImageClient } from "./images.js";
import { CliNetworkClient } from "./networks.js";
import { CliVolumeClient } from "./volumes.js";

export { toCreateArgs } from "./containers.js";

/**
 * CliEngine runs the `docker` command for every request. It is the last
 * resort of detection: slower than the API (one process per request) but it
 * reaches whatever the CLI is configured for, contexts included.
 */
export class CliEngine implements Engine {
  readonly containers: CliContainerClient;
  readonly images: CliImageClient;
  readonly networks: CliNetworkClient;
  readonly volumes: CliVolumeClient;

  constructor(
    readonly command: string,
    readonly info: EngineInfo,
  ) {
    this.containers = new CliContainerClient(command);
    this.images = new CliImageClient(command);
    this.networks = new CliNetworkClient(command);
    this.volumes = new CliVolumeClient(command);
  }

  describe(): string {
    return describeEngine(this.info);
  }
}
