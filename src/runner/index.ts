/**
 * The pipeline runner shared by the server and `pogo ci test`: it turns an
 * event and the configs of a revision into pipeline runs, executes them and
 * reports progress through a RunObserver.
 */
export { formatDuration } from "./duration.js";
export {
  DEFAULT_MAX_LINE_LENGTH,
  type LogLine,
  type LogStream,
  MaskingLogSink,
} from "./log-sink.js";
export { MASK, MIN_SECRET_LENGTH, SecretMasker } from "./masker.js";
export { planConfig, planEvent, templateEnv } from "./plan.js";
export {
  type ConfigRunRequest,
  DEFAULT_CONCURRENCY,
  DEFAULT_CONTAINER_TIMEOUT_MS,
  DEFAULT_MAX_LOG_LINES_PER_TASK,
  type EventRunRequest,
  Runner,
  type RunnerOptions,
  taskName,
} from "./runner.js";
export {
  MissingSecretError,
  resolveSecretReferences,
  resolveTaskSecrets,
  type SecretSource,
  secretReferences,
  secretSource,
} from "./secrets.js";
export type {
  BrokenPlan,
  EventRun,
  PipelinePlan,
  PipelineRun,
  PipelineStatus,
  ReadyPlan,
  RunObserver,
  TaskRun,
  TaskRunStatus,
} from "./types.js";
