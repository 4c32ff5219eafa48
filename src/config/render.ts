import type { Diagnostic } from "./diagnostic.js";
import type { TemplateData } from "./event.js";
import { checkFormat } from "./format.js";
import { analyzeConfig } from "./load.js";
import { pipelineSchema } from "./schema.js";
import type { Schema, TextFormat, TextSchema } from "./schema-model.js";
import { SecretGuard, unescapeReferences } from "./secret-guard.js";
import { stripTemplatePrefix } from "./template-check.js";
import {
  parseTemplate,
  type TemplateEnv,
  TemplateExecError,
  TemplateParseError,
} from "./template-engine.js";
import { valuePositionToOffset } from "./template-position.js";
import type { PipelineConfig } from "./types.js";
import { label, type ValuePath } from "./validate.js";

/** RenderedConfig is a config with every template executed against one event's data. */
export interface RenderedConfig {
  config?: PipelineConfig;
  /** Errors: the file's own validation errors, or else template execution errors. */
  diagnostics: Diagnostic[];
  warnings: Diagnostic[];
}

type TemplateError = TemplateExecError | TemplateParseError;

/**
 * Validates a config file and renders its templates with the event's data.
 * Templates render inside text values after YAML parsing, so their output
 * can never change the structure of the file. A file that is valid YAML only
 * once rendered as a whole (an unquoted `url: {{.ArchiveUrl}}`) is rendered
 * as a whole first, as the original Go implementation did, with a warning
 * naming the line to quote.
 *
 * The runner resolves `${NAME}` secrets in the webhook `url`, header values,
 * `body` and `environment` values. In those fields a `${` produced by a
 * template is escaped as `$${`, so event data can never pull in a secret.
 * The references written in the file stay as they are.
 */
export function renderConfig(
  file: string,
  text: string,
  data: TemplateData,
  env?: TemplateEnv,
): RenderedConfig {
  const analysis = analyzeConfig(file, text);
  if (!analysis.config) return { diagnostics: analysis.diagnostics, warnings: analysis.warnings };
  if (analysis.renderWholeFile) return renderWholeFile(file, text, data, env, analysis.warnings);

  const config = structuredClone(analysis.config);
  const diagnostics: Diagnostic[] = [];
  for (const site of analysis.templates) {
    const result = execute(file, site.text, data, env, site.schema.secrets === true);
    if (result instanceof Error) {
      const offset = valuePositionToOffset(
        text,
        site.node,
        site.text,
        result.line,
        result.column ?? 1,
      );
      const { line, col } = analysis.lineCounter.linePos(offset);
      diagnostics.push(
        templateDiagnostic(file, line, col, result, `rendering ${label(site.path)} failed`),
      );
      continue;
    }
    const problem = recheck(site.schema, result, label(site.path));
    if (problem) {
      const { line, col } = analysis.lineCounter.linePos(site.node.range?.[0] ?? 0);
      diagnostics.push({
        file,
        line,
        column: col,
        code: "INVALID_VALUE",
        severity: "error",
        message: problem,
      });
      continue;
    }
    setAt(config, site.path, result);
  }
  if (diagnostics.length > 0) return { diagnostics, warnings: analysis.warnings };
  return { config, diagnostics, warnings: analysis.warnings };
}

function renderWholeFile(
  file: string,
  text: string,
  data: TemplateData,
  env: TemplateEnv | undefined,
  warnings: Diagnostic[],
): RenderedConfig {
  const rendered = execute(file, text, data, env, true);
  if (rendered instanceof Error) {
    const diagnostic = templateDiagnostic(
      file,
      rendered.line,
      rendered.column ?? 1,
      rendered,
      "rendering the file failed",
    );
    return { diagnostics: [diagnostic], warnings };
  }
  const result = analyzeConfig(file, rendered, { probe: false });
  if (!result.config) {
    const diagnostics = result.diagnostics.map((diagnostic) =>
      toSourcePosition(diagnostic, text, rendered),
    );
    return { diagnostics, warnings };
  }
  // Escaping `${` was only needed where the runner resolves secrets.
  // NOTE: this also turns a `$${` written in a command into `${`; whole-file
  // rendering cannot tell the file's text from the template's output there.
  const config = mapText(result.config, pipelineSchema, (value, schema) =>
    schema.secrets ? value : unescapeReferences(value),
  ) as PipelineConfig;
  return { config, diagnostics: [], warnings };
}

/**
 * Parses and executes one template, guarding secret references when asked.
 * Returns the error instead of throwing; its position is the one in `source`
 * as written, so an error is re-created without the guard's placeholders.
 */
function execute(
  file: string,
  source: string,
  data: TemplateData,
  env: TemplateEnv | undefined,
  guardSecrets: boolean,
): string | TemplateError {
  const guard = guardSecrets ? new SecretGuard() : undefined;
  try {
    const output = parseTemplate(file, guard ? guard.protect(source) : source).execute(data, env);
    return guard ? guard.restore(output) : output;
  } catch (error) {
    if (!(error instanceof TemplateExecError) && !(error instanceof TemplateParseError))
      throw error;
    if (!guard) return error;
    try {
      parseTemplate(file, source).execute(data, env);
    } catch (unguarded) {
      if (unguarded instanceof TemplateExecError || unguarded instanceof TemplateParseError)
        return unguarded;
    }
    return error;
  }
}

function templateDiagnostic(
  file: string,
  line: number,
  column: number,
  error: TemplateError,
  context: string,
): Diagnostic {
  return {
    file,
    line,
    column,
    code: error instanceof TemplateExecError ? "TEMPLATE_EXEC" : "TEMPLATE_SYNTAX",
    severity: "error",
    message: `${context}: ${stripTemplatePrefix(error.message)}`,
  };
}

/** Checks a rendered value against the rules a template could have hidden at validation time. */
function recheck(schema: TextSchema, value: string, name: string): string | undefined {
  if (schema.pattern && !new RegExp(schema.pattern, "u").test(value)) {
    return `${name} renders to \`${value}\`, which is invalid; expected ${schema.patternHint ?? `text matching ${schema.pattern}`}`;
  }
  const format: TextFormat | undefined = schema.format;
  if (!format) return undefined;
  const problem = checkFormat(format, value, name);
  return problem ? `after rendering, ${problem.message}` : undefined;
}

function setAt(target: unknown, path: ValuePath, value: string): void {
  let current = target as Record<string | number, unknown>;
  for (const part of path.slice(0, -1)) current = current[part] as Record<string | number, unknown>;
  current[path.at(-1)!] = value;
}

/** Applies `transform` to every text value of a validated config, guided by the schema. */
function mapText(
  value: unknown,
  schema: Schema,
  transform: (text: string, schema: TextSchema) => string,
): unknown {
  switch (schema.kind) {
    case "text":
      return typeof value === "string" ? transform(value, schema) : value;
    case "integer":
      return value;
    case "list":
      return (value as unknown[]).map((item) => mapText(item, schema.items, transform));
    case "map":
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([key, item]) => [
          key,
          mapText(item, schema.values, transform),
        ]),
      );
    case "object":
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([key, item]) => {
          const property = schema.properties[key];
          return [key, property ? mapText(item, property.schema, transform) : item];
        }),
      );
    case "task": {
      const task = value as Record<string, unknown>;
      const kind = task[schema.tag] as string;
      return { ...task, [kind]: mapText(task[kind], schema.variants[kind]!, transform) };
    }
  }
}

/**
 * Moves a diagnostic found in the rendered text to the source file. A
 * rendered line that appears exactly once, unchanged, among the source
 * lines maps there. Otherwise the diagnostic is placed at 1:1 and its
 * message names the line and column in the rendered text, because that
 * line has no single source line (a template wrote into it).
 */
function toSourcePosition(diagnostic: Diagnostic, source: string, rendered: string): Diagnostic {
  const renderedLine = rendered.split("\n")[diagnostic.line - 1];
  const sourceLines = source.split("\n");
  const matches: number[] = [];
  if (renderedLine !== undefined && renderedLine.trim() !== "") {
    sourceLines.forEach((line, index) => {
      if (line === renderedLine) matches.push(index + 1);
    });
  }
  if (matches.length === 1) {
    return {
      ...diagnostic,
      line: matches[0]!,
      message: `after rendering the whole file: ${diagnostic.message}`,
    };
  }
  return {
    ...diagnostic,
    line: 1,
    column: 1,
    message: `after rendering the whole file, at line ${diagnostic.line}, column ${diagnostic.column} of the rendered text: ${diagnostic.message}`,
  };
}
