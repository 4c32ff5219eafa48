/**
 * The engine layer: detection of Docker or Podman, the per-resource clients,
 * images, workspaces, services, cleanup and the crash sweep.
 */
export { ApiEngine, describeEngine } from "./api/index.js";
export { type BuildContext, locateDockerfile, scanBuildContext } from "./build-context.js";
export { CliEngine } from "./cli/index.js";
export {
  commandScript,
  DEFAULT_LIMITS,
  isDockerfileReference,
  type ResourceLimits,
  taskEnvironment,
  toMainContainerSettings,
  toServiceContainerSettings,
  WORKSPACE_PATH,
} from "./convert.js";
export {
  DefaultSocketStrategy,
  type DetectionStrategy,
  DockerCliStrategy,
  DockerHostStrategy,
  defaultStrategies,
  detectEngine,
  getEngine,
  PodmanSocketStrategy,
} from "./detect.js";
export {
  DockerfilePathError,
  ENGINE_TROUBLESHOOTING,
  EngineCallError,
  EngineUnavailableError,
  ImageError,
} from "./errors.js";
export { guardUntilDone, runPendingCleanups } from "./exit-guard.js";
export { BUILD_REPOSITORY, resolveImage } from "./image-source.js";
export {
  getCurrentOwner,
  isOwnerAlive,
  LABEL,
  type Owner,
  parseOwner,
  taskLabels,
} from "./labels.js";
export { LinePrefixer, StepMarkerFilter } from "./output.js";
export { type StartedService, startServices } from "./services.js";
export {
  pruneBuildCache,
  type SweepOptions,
  type SweepReport,
  sweepOrphans,
  workspaceRunRoot,
} from "./sweep.js";
export { Teardown } from "./teardown.js";
export type * from "./types.js";
export { ServiceNotReadyError, type WaitStrategy } from "./wait.js";
export {
  isOverlayMountFailure,
  markOverlayRefused,
  type PreparedWorkspace,
  prepareWorkspace,
  WorkspaceError,
} from "./workspace.js";
