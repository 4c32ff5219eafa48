import {
  type CiEvent,
  formatDiagnostic,
  type LoadedConfig,
  matchEvent,
  renderConfig,
  type TemplateEnv,
} from "../config/index.js";
import { errorMessage } from "../util/errors.js";
import type { SecretMasker } from "./masker.js";
import { MissingSecretError, type SecretSource } from "./secrets.js";
import type { PipelinePlan } from "./types.js";

/** RunTemplateEnv is a TemplateEnv with the masker that planning registers derived secrets with. */
export interface RunTemplateEnv extends TemplateEnv {
  readonly masker?: SecretMasker;
}

/**
 * Builds the TemplateEnv a run renders with: `now` from `clock` (the real
 * time unless fixed), and `secret "KEY"` from `secrets`, registering each
 * value with `masker` so it is masked wherever it reappears.
 */
export function templateEnv(
  secrets: SecretSource,
  masker: SecretMasker,
  clock: () => Date = () => new Date(),
): RunTemplateEnv {
  return {
    masker,
    now: clock,
    secret(name: string): string {
      const value = secrets.get(name);
      if (value === undefined) throw new MissingSecretError(name);
      masker.add(value);
      return value;
    },
  };
}

/**
 * Selects the configs `event` fires and renders each one, in config order.
 * A config that failed validation or rendering becomes a broken plan that
 * carries its `file:line:col` diagnostics, so the runner records it as a
 * failed pipeline while the others run. A config with a broken `on` section
 * is included too, because its triggers cannot be checked.
 */
export function planEvent(
  configs: readonly LoadedConfig[],
  event: CiEvent,
  env: RunTemplateEnv,
): PipelinePlan[] {
  return matchEvent(configs, event).map((match) => {
    try {
      return planConfig(match.loaded, event, env, match.pattern);
    } catch (error) {
      // A bug in loading or rendering must cost one pipeline, not the event.
      const message = `${match.file}: internal error while rendering: ${errorMessage(error)}`;
      return { file: match.file, error: message, warnings: [] };
    }
  });
}

/**
 * Renders one loaded config for `event` whether or not the event matches
 * it; `pattern` is recorded as the matched one. `pogo ci render FILE` uses
 * it to show a config the event would not fire.
 */
export function planConfig(
  loaded: LoadedConfig,
  event: CiEvent,
  env: RunTemplateEnv,
  pattern?: string,
): PipelinePlan {
  const base = pattern === undefined ? {} : { pattern };
  if (!loaded.config) {
    return broken(loaded.file, base, loaded.diagnostics.map(formatDiagnostic), loaded);
  }
  // renderConfig escapes every `${` a template produced (from event data or
  // a `secret` result) in the fields where the runner resolves references,
  // so only the references written in the file are ever resolved.
  const rendered = renderConfig(loaded.file, loaded.text, event.data, env);
  const warnings = rendered.warnings.map(formatDiagnostic);
  if (!rendered.config || rendered.diagnostics.length > 0) {
    const errors = rendered.diagnostics.map(formatDiagnostic);
    return {
      file: loaded.file,
      ...base,
      error: errors[0] ?? `${loaded.file}: rendering failed`,
      details: errors,
      warnings,
    };
  }
  if (env.masker) registerEncodedSecrets(rendered.config, env.masker);
  return { file: loaded.file, pattern: pattern ?? "", config: rendered.config, warnings };
}

// A template can encode a secret together with other text, as in
// `Basic {{ btoa (printf "user:%s" (secret "PASS")) }}`. The masker has
// the secret and its own base64, but not that whole token, so every
// base64 token of the rendered config that decodes to text containing a
// secret is registered too.
function registerEncodedSecrets(value: unknown, masker: SecretMasker): void {
  if (masker.size === 0) return;
  if (typeof value === "string") {
    masker.addEncodedIn(value);
  } else if (Array.isArray(value)) {
    for (const item of value) registerEncodedSecrets(item, masker);
  } else if (value && typeof value === "object") {
    for (const item of Object.values(value)) registerEncodedSecrets(item, masker);
  }
}

function broken(
  file: string,
  base: { pattern?: string },
  errors: string[],
  loaded: LoadedConfig,
): PipelinePlan {
  return {
    file,
    ...base,
    error: errors[0] ?? `${file}: invalid config`,
    details: errors,
    warnings: loaded.warnings.map(formatDiagnostic),
  };
}
