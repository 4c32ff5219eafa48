import type { Diagnostic } from "./diagnostic.js";
import type { TemplateData } from "./event.js";
import { checkFormat } from "./format.js";
import { analyzeConfig } from "./load.js";
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
  /** Errors: the file's own validation errors, then template execution errors. */
  diagnostics: Diagnostic[];
  warnings: Diagnostic[];
}

/**
 * Validates a config file and renders its templates with the event's data.
 * Templates render inside text values after YAML parsing, so their output
 * can never change the structure of the file. A file that is valid YAML only
 * once rendered as a whole (an unquoted `url: {{.ArchiveUrl}}`) is rendered
 * as a whole first, as the original Go implementation did, with a warning
 * naming the line to quote.
 *
 * NOTE: `${NAME}` secret references are replaced later by the runner, so a
 * template result that contains `${NAME}` (a description, say) would be
 * substituted too; the runner should substitute before rendering or escape.
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
    let rendered: string;
    try {
      rendered = parseTemplate(file, site.text).execute(data, env);
    } catch (error) {
      if (!(error instanceof TemplateExecError) && !(error instanceof TemplateParseError))
        throw error;
      const offset = valuePositionToOffset(
        text,
        site.node,
        site.text,
        error.line,
        error.column ?? 1,
      );
      const { line, col } = analysis.lineCounter.linePos(offset);
      diagnostics.push({
        file,
        line,
        column: col,
        code: error instanceof TemplateExecError ? "TEMPLATE_EXEC" : "TEMPLATE_SYNTAX",
        severity: "error",
        message: `rendering ${label(site.path)} failed: ${stripTemplatePrefix(error.message)}`,
      });
      continue;
    }
    const problem = recheck(site.schema.format, site.schema.pattern, rendered, label(site.path));
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
    setAt(config, site.path, rendered);
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
  let rendered: string;
  try {
    rendered = parseTemplate(file, text).execute(data, env);
  } catch (error) {
    if (!(error instanceof TemplateExecError) && !(error instanceof TemplateParseError))
      throw error;
    const diagnostic: Diagnostic = {
      file,
      line: error.line,
      column: error.column ?? 1,
      code: error instanceof TemplateExecError ? "TEMPLATE_EXEC" : "TEMPLATE_SYNTAX",
      severity: "error",
      message: `rendering the file failed: ${stripTemplatePrefix(error.message)}`,
    };
    return { diagnostics: [diagnostic], warnings };
  }
  const result = analyzeConfig(file, rendered, { probe: false });
  if (!result.config) {
    const diagnostics = result.diagnostics.map((diagnostic) => ({
      ...diagnostic,
      message: `after rendering the whole file: ${diagnostic.message}`,
    }));
    return { diagnostics, warnings };
  }
  return { config: result.config, diagnostics: [], warnings };
}

/** Checks a rendered value against the rules a template could have hidden at validation time. */
function recheck(
  format: Parameters<typeof checkFormat>[0] | undefined,
  pattern: string | undefined,
  value: string,
  name: string,
): string | undefined {
  if (pattern && !new RegExp(pattern, "u").test(value)) {
    return `${name} renders to \`${value}\`, which does not match ${pattern}`;
  }
  if (!format) return undefined;
  const problem = checkFormat(format, value, name);
  return problem ? `after rendering, ${problem.message}` : undefined;
}

function setAt(target: unknown, path: ValuePath, value: string): void {
  let current = target as Record<string | number, unknown>;
  for (const part of path.slice(0, -1)) current = current[part] as Record<string | number, unknown>;
  current[path.at(-1)!] = value;
}
