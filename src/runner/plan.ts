import {
  type CiEvent,
  formatDiagnostic,
  type LoadedConfig,
  matchEvent,
  type PipelineConfig,
  renderConfig,
  type TaskConfig,
  type TemplateData,
  type TemplateEnv,
} from "../config/index.js";
import { errorMessage } from "../util/errors.js";
import type { SecretMasker } from "./masker.js";
import { MissingSecretError, type SecretSource } from "./secrets.js";
import type { PipelinePlan } from "./types.js";

/**
 * Marks a `$` that came out of template data or a `secret` result while the
 * config renders. Text from an event (a change description, a bookmark name)
 * must never be read as a `${NAME}` reference, or a description could pull a
 * secret into a webhook body. A private-use character stands for such a `$`
 * until rendering is done: the first one that occurs neither in the config's
 * text nor in the event's data, so a description holding private-use
 * characters (Nerd Font icons, say) keeps them.
 *
 * Rendering is synchronous, so the marker of the render in progress can live
 * here for `secret` to read. A secret value, or a string a template builds
 * with an escape, that holds the chosen character would still have it turned
 * into `$`; avoiding that needs an escape for the marker itself.
 */
const FIRST_MARKER = 0xe000;
const LAST_MARKER = 0xf8ff;
let dataDollar = String.fromCharCode(FIRST_MARKER);

// Returns the first private-use character absent from `texts`.
function chooseMarker(texts: readonly string[]): string {
  for (let code = FIRST_MARKER; code <= LAST_MARKER; code++) {
    const marker = String.fromCharCode(code);
    if (!texts.some((text) => text.includes(marker))) return marker;
  }
  // 6,400 distinct characters in one config and event: the last one is used.
  return String.fromCharCode(LAST_MARKER);
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
): TemplateEnv {
  return {
    now: clock,
    secret(name: string): string {
      const value = secrets.get(name);
      if (value === undefined) throw new MissingSecretError(name);
      masker.add(value);
      return value.replaceAll("$", dataDollar);
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
  env: TemplateEnv,
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
  env: TemplateEnv,
  pattern?: string,
): PipelinePlan {
  const base = pattern === undefined ? {} : { pattern };
  if (!loaded.config) {
    return broken(loaded.file, base, loaded.diagnostics.map(formatDiagnostic), loaded);
  }
  const strings = Object.values(event.data).filter((value) => typeof value === "string");
  dataDollar = chooseMarker([loaded.text, ...strings]);
  try {
    const rendered = renderConfig(loaded.file, loaded.text, protectData(event.data), env);
    const warnings = rendered.warnings.map((warning) => restoreDollars(formatDiagnostic(warning)));
    if (!rendered.config || rendered.diagnostics.length > 0) {
      const errors = rendered.diagnostics.map((diagnostic) =>
        restoreDollars(formatDiagnostic(diagnostic)),
      );
      return {
        file: loaded.file,
        ...base,
        error: errors[0] ?? `${loaded.file}: rendering failed`,
        details: errors,
        warnings,
      };
    }
    return {
      file: loaded.file,
      pattern: pattern ?? "",
      config: settleDollars(rendered.config),
      warnings,
    };
  } finally {
    dataDollar = String.fromCharCode(FIRST_MARKER);
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

function protectData(data: TemplateData): TemplateData {
  const protectedData = { ...data };
  for (const [key, value] of Object.entries(data)) {
    if (typeof value === "string") {
      (protectedData as unknown as Record<string, unknown>)[key] = value.replaceAll(
        "$",
        dataDollar,
      );
    }
  }
  return protectedData;
}

function restoreDollars(text: string): string {
  return text.replaceAll(dataDollar, "$");
}

// In fields where `${NAME}` is resolved, a data `$` that starts `{NAME}` is
// written as the `$${NAME}` escape, which resolves to the literal text. In
// every other field it is a plain `$` again.
const REFERENCE_AFTER = /^\{[A-Za-z_][A-Za-z0-9_]*\}/;

function escapeDollars(text: string): string {
  if (!text.includes(dataDollar)) return text;
  const parts = text.split(dataDollar);
  let escaped = parts[0]!;
  for (let index = 1; index < parts.length; index++) {
    const part = parts[index]!;
    escaped += (REFERENCE_AFTER.test(part) ? "$$" : "$") + part;
  }
  return escaped;
}

function settleDollars(config: PipelineConfig): PipelineConfig {
  const settled = restoreAll(config) as PipelineConfig;
  settled.do = config.do.map((task, index) => settleTask(task, settled.do[index]!));
  return settled;
}

// `original` still carries the markers; `plain` has them restored everywhere.
function settleTask(original: TaskConfig, plain: TaskConfig): TaskConfig {
  if (original.type === "webhook" && plain.type === "webhook") {
    const webhook = { ...plain.webhook, url: escapeDollars(original.webhook.url) };
    if (original.webhook.headers) webhook.headers = escapeValues(original.webhook.headers);
    if (original.webhook.body !== undefined) webhook.body = escapeDollars(original.webhook.body);
    return { ...plain, webhook };
  }
  if (original.type === "container" && plain.type === "container") {
    const container = { ...plain.container };
    if (original.container.environment) {
      container.environment = escapeValues(original.container.environment);
    }
    if (original.container.services && container.services) {
      container.services = container.services.map((service, index) => {
        const environment = original.container.services![index]!.environment;
        return environment ? { ...service, environment: escapeValues(environment) } : service;
      });
    }
    return { ...plain, container };
  }
  return plain;
}

function escapeValues(values: Record<string, string>): Record<string, string> {
  const escaped: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    escaped[restoreDollars(key)] = typeof value === "string" ? escapeDollars(value) : value;
  }
  return escaped;
}

function restoreAll(value: unknown): unknown {
  if (typeof value === "string") return restoreDollars(value);
  if (Array.isArray(value)) return value.map(restoreAll);
  if (value && typeof value === "object") {
    const restored: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value))
      restored[restoreDollars(key)] = restoreAll(item);
    return restored;
  }
  return value;
}
