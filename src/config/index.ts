/**
 * The config layer: finds `.pogo/ci/*.{yaml,yml}`, validates it against the
 * one schema with `file:line:col` diagnostics, matches bookmark events and
 * renders templates.
 *
 * Typical use by a runner:
 *
 *     const root = findRepositoryRoot(process.cwd());
 *     const loaded = loadRepositoryConfigs(root);
 *     for (const match of matchEvent(loaded, event)) {
 *       if (!match.config) { fail(match.diagnostics.map(formatDiagnostic)); continue; }
 *       const { config, diagnostics, warnings } = renderConfig(match.file, match.loaded.text, event.data, env);
 *     }
 */
export type { Diagnostic, DiagnosticCode, Severity } from "./diagnostic.js";
export { formatDiagnostic } from "./diagnostic.js";
export {
  CONFIG_DIR,
  ConfigFolderError,
  discoverConfigFiles,
  findRepositoryRoot,
} from "./discover.js";
export { parseGoDuration } from "./duration.js";
export type { CiEvent, EventType, TemplateData } from "./event.js";
export { EVENT_TYPES, templateData } from "./event.js";
export { isDockerfilePath } from "./format.js";
export { SCHEMA_LIMITS } from "./format-patterns.js";
export { checkGlob, GlobPatternError, matchGlob } from "./glob.js";
export type { LoadedConfig } from "./load.js";
export { loadConfig, MAX_CONFIG_BYTES } from "./load.js";
export type { PipelineMatch } from "./match.js";
export { firstMatchingPattern, matchEvent } from "./match.js";
export {
  loadConfigBytes,
  loadRepositoryConfigs,
  readConfigFile,
} from "./read.js";
export type { RenderedConfig } from "./render.js";
export { renderConfig } from "./render.js";
export { pipelineSchema } from "./schema.js";
export { jsonSchemaText, xsdText } from "./schema-files.js";
export type { TemplateEnv } from "./template-engine.js";
export * from "./types.js";
