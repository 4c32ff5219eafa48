import type { LineCounter } from "yaml";
import { type Diagnostic, type DiagnosticCode, sortDiagnostics } from "./diagnostic.js";
import { templateData } from "./event.js";
import { parseSource } from "./parse.js";
import { pipelineSchema } from "./schema.js";
import {
  checkTemplateSites,
  stripTemplatePrefix,
  unknownFieldDiagnostics,
} from "./template-check.js";
import {
  hasTemplateActions,
  parseTemplate,
  type TemplateEnv,
  TemplateExecError,
  TemplateParseError,
} from "./template-engine.js";
import type { PipelineConfig } from "./types.js";
import { SchemaWalker, type TemplateSite } from "./validate.js";
import {
  ACTION_PLACEHOLDER,
  findTemplateActions,
  structuralActions,
  substituteActions,
  type TemplateAction,
} from "./whole-file.js";

/** LoadedConfig is one config file after parsing and validation. */
export interface LoadedConfig {
  /** The file name diagnostics use: relative to the repository root when loaded from one. */
  file: string;
  /** The file's text, kept so the runner renders exactly what was validated. */
  text: string;
  /**
   * The validated config with templates not yet rendered; set only when
   * `diagnostics` is empty. When `{{ if }}` or `{{ range }}` shape the file,
   * it is a preview rendered with sample data instead.
   */
  config?: PipelineConfig;
  /** Errors, sorted by position; empty when the file is valid. */
  diagnostics: Diagnostic[];
  warnings: Diagnostic[];
  /** The `on` section when it is valid by itself, so a broken file can still be matched to events. */
  triggers?: PipelineConfig["on"];
  /**
   * True when the file is valid YAML only once rendered as a whole, as with
   * an unquoted `url: {{.ArchiveUrl}}`. `renderConfig` then renders the text
   * before parsing it, and `warnings` names the lines to quote.
   */
  renderWholeFile: boolean;
}

/** Analysis is LoadedConfig plus what rendering needs: the template sites and positions. */
export interface Analysis extends LoadedConfig {
  templates: TemplateSite[];
  lineCounter: LineCounter;
}

/**
 * Largest config file accepted, in bytes. A pipeline is a few kilobytes;
 * the limit keeps a stray multi-megabyte file from costing seconds of CPU
 * and hundreds of megabytes of memory in the YAML parser.
 */
export const MAX_CONFIG_BYTES = 1024 * 1024;

const STRUCTURAL_CODES = new Set<DiagnosticCode>(["YAML_SYNTAX", "UNCLOSED_QUOTE", "WRONG_TYPE"]);

/** Parses and validates one config file's text, collecting every error rather than stopping at the first. */
export function loadConfig(file: string, text: string): LoadedConfig {
  // A UTF-16 code unit takes at most three UTF-8 bytes, so short text skips the count.
  if (text.length > MAX_CONFIG_BYTES / 3) {
    const size = Buffer.byteLength(text, "utf8");
    if (size > MAX_CONFIG_BYTES) return tooLargeConfig(file, size);
  }
  const { templates: _templates, lineCounter: _lineCounter, ...loaded } = analyzeConfig(file, text);
  return loaded;
}

/**
 * Validates text as written. A file with templates whose structure is
 * broken may be valid YAML only once rendered as a whole, because of an
 * unquoted `url: {{.ArchiveUrl}}` or an `{{ if }}` around tasks. Such a file
 * is checked with every action replaced by a placeholder, and when that
 * fails, rendered with sample data.
 */
export function analyzeConfig(
  file: string,
  text: string,
  options: { probe?: boolean } = {},
): Analysis {
  const direct = analyzeText(file, text);
  // Only a broken structure can be the work of unquoted templates.
  const structural = direct.diagnostics.some((d) => STRUCTURAL_CODES.has(d.code));
  if (!structural || options.probe === false || !hasTemplateActions(text)) return direct;

  const actions = findTemplateActions(text);
  if (actions === undefined) return direct;
  return (
    probeWithPlaceholders(file, text, actions, direct) ??
    probeWithSampleData(file, text, actions, direct) ??
    direct
  );
}

/** Sample event data for checking a file whose templates shape its structure. */
const SAMPLE_DATA = templateData({
  Rev: "main",
  ArchiveUrl: "https://pogo.invalid/repository/example/archive/0.zip",
  Author: "author",
  Description: "description",
  AccessToken: "token",
  ServerUrl: "https://pogo.invalid",
  RepositoryID: 1,
  Repository: "example",
  RevisionId: "0",
  EventType: "push",
});

const SAMPLE_ENV: TemplateEnv = {
  now: () => new Date(0),
  secret: () => "secret",
};

function probeWithPlaceholders(
  file: string,
  text: string,
  actions: TemplateAction[],
  direct: Analysis,
): Analysis | undefined {
  // A placeholder spans one line, so actions across lines would shift every position after them.
  if (actions.some((action) => action.text.includes("\n"))) return undefined;
  const probe = analyzeText(file, substituteActions(text, actions));
  if (probe.diagnostics.length > 0) return undefined;

  // The structure is sound once rendered; check the file as the one template it then is.
  const diagnostics: Diagnostic[] = [];
  try {
    parseTemplate(file, text);
  } catch (error) {
    if (!(error instanceof TemplateParseError)) throw error;
    diagnostics.push({
      file,
      line: error.line,
      column: error.column ?? 1,
      code: "TEMPLATE_SYNTAX",
      severity: "error",
      message: `invalid template: ${stripTemplatePrefix(error.message)}`,
    });
  }
  diagnostics.push(...unknownFieldDiagnostics(file, text));
  const restore = (value: unknown) =>
    restoreActions(
      value,
      actions.map((action) => action.text),
    );
  return {
    ...probe,
    text,
    config: diagnostics.length === 0 ? (restore(probe.config) as PipelineConfig) : undefined,
    triggers: probe.triggers ? (restore(probe.triggers) as PipelineConfig["on"]) : undefined,
    diagnostics,
    warnings: wholeFileWarnings(file, text, actions, direct),
    templates: [],
    renderWholeFile: true,
  };
}

/**
 * Renders the whole file with sample data. The resulting config contains
 * the sample values, and only the branches the sample data selects are checked.
 */
function probeWithSampleData(
  file: string,
  text: string,
  actions: TemplateAction[],
  direct: Analysis,
): Analysis | undefined {
  // Sample data would fail on these, hiding them behind the YAML errors of the unrendered text.
  const unknownFields = unknownFieldDiagnostics(file, text);
  if (unknownFields.length > 0) {
    return {
      ...direct,
      config: undefined,
      diagnostics: unknownFields,
      warnings: wholeFileWarnings(file, text, actions, direct),
      templates: [],
      renderWholeFile: true,
    };
  }
  let rendered: string;
  try {
    rendered = parseTemplate(file, text).execute(SAMPLE_DATA, SAMPLE_ENV);
  } catch (error) {
    if (error instanceof TemplateParseError || error instanceof TemplateExecError) return undefined;
    throw error;
  }
  const probe = analyzeText(file, rendered);
  if (probe.diagnostics.length > 0) return undefined;
  return {
    ...probe,
    text,
    warnings: wholeFileWarnings(file, text, actions, direct),
    templates: [],
    renderWholeFile: true,
  };
}

function wholeFileWarnings(
  file: string,
  text: string,
  actions: readonly TemplateAction[],
  direct: Analysis,
): Diagnostic[] {
  return structuralActions(text, actions, direct.diagnostics).map(
    (position): Diagnostic => ({
      file,
      line: position.line,
      column: position.column,
      code: "UNQUOTED_TEMPLATE",
      severity: "warning",
      message:
        position.kind === "control"
          ? `template \`${position.action}\` shapes the YAML structure, so the whole file is rendered before it is read as YAML and a value could change its structure; validation checked it with sample data only`
          : `unquoted template \`${position.action}\`: the whole file is rendered before it is read as YAML, so a value could change its structure; put this value in quotes`,
    }),
  );
}

function analyzeText(file: string, text: string): Analysis {
  const parsed = parseSource(file, text);
  const diagnostics = [...parsed.diagnostics];
  const base = {
    file,
    text,
    warnings: [],
    renderWholeFile: false,
    lineCounter: parsed.lineCounter,
  };
  if (!parsed.doc) return { ...base, diagnostics, templates: [] };

  const schemaDiagnostics: Diagnostic[] = [];
  const walker = new SchemaWalker(file, parsed.doc, parsed.lineCounter, schemaDiagnostics);
  const walked = walker.walkRoot(pipelineSchema);
  schemaDiagnostics.push(...checkTemplateSites(file, text, walked.templates, parsed.lineCounter));
  diagnostics.push(...afterSyntaxErrors(parsed.diagnostics, schemaDiagnostics));
  sortDiagnostics(diagnostics);
  const valid = diagnostics.length === 0;
  return {
    ...base,
    diagnostics,
    templates: walked.templates,
    config: valid ? (walked.value as PipelineConfig) : undefined,
    triggers: walked.triggers as PipelineConfig["on"] | undefined,
  };
}

/**
 * Drops the schema findings when the YAML itself is broken: the parser's
 * recovery guesses at the structure, so "missing key" or "no value" there
 * would send the user after problems that fixing the syntax removes.
 */
function afterSyntaxErrors(syntax: readonly Diagnostic[], schema: Diagnostic[]): Diagnostic[] {
  const broken = syntax.some((d) => d.code === "YAML_SYNTAX" || d.code === "UNCLOSED_QUOTE");
  return broken ? [] : schema;
}

function restoreActions(value: unknown, actions: readonly string[]): unknown {
  if (typeof value === "string") {
    return value.replace(ACTION_PLACEHOLDER, (_, index: string) => actions[Number(index)]!);
  }
  if (Array.isArray(value)) return value.map((item) => restoreActions(item, actions));
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, restoreActions(item, actions)]),
    );
  }
  return value;
}

/** Returns the error for a config over MAX_CONFIG_BYTES, before anything parses it. */
export function tooLargeConfig(file: string, size: number): LoadedConfig {
  return failedConfig(file, {
    line: 1,
    column: 1,
    code: "FILE_TOO_LARGE",
    message: `the config file is ${size} bytes, over the limit of ${MAX_CONFIG_BYTES} bytes (1 MiB); split it into several pipelines`,
  });
}

/** Returns a config that failed before parsing, with its one error. */
export function failedConfig(
  file: string,
  problem: Pick<Diagnostic, "line" | "column" | "code" | "message">,
): LoadedConfig {
  const diagnostic: Diagnostic = { file, severity: "error", ...problem };
  return { file, text: "", diagnostics: [diagnostic], warnings: [], renderWholeFile: false };
}
