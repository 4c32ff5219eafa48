import type { LineCounter } from "yaml";
import type { Diagnostic } from "./diagnostic.js";
import { parseTemplate, TemplateParseError } from "./template-engine.js";
import { valuePositionToOffset } from "./template-position.js";
import { label, type TemplateSite } from "./validate.js";

/** Checks the template syntax of every text value that contains actions, at the file's own positions. */
export function checkTemplateSites(
  file: string,
  text: string,
  sites: readonly TemplateSite[],
  lineCounter: LineCounter,
): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const checked = new Set<unknown>();
  for (const site of sites) {
    // An alias puts one node at several paths; its errors are reported once.
    if (checked.has(site.node)) continue;
    checked.add(site.node);
    try {
      parseTemplate(file, site.text);
    } catch (error) {
      if (!(error instanceof TemplateParseError)) throw error;
      const offset = valuePositionToOffset(
        text,
        site.node,
        site.text,
        error.line,
        error.column ?? 1,
      );
      const { line, col } = lineCounter.linePos(offset);
      diagnostics.push({
        file,
        line,
        column: col,
        code: "TEMPLATE_SYNTAX",
        severity: "error",
        message: `invalid template in ${label(site.path)}: ${stripTemplatePrefix(error.message)}`,
      });
    }
  }
  return diagnostics;
}

/** Drops Go's `template: NAME:LINE:COL: ` prefix, since the diagnostic names the position itself. */
export function stripTemplatePrefix(message: string): string {
  return message.replace(/^template: .*?:\d+(:\d+)?: /, "");
}
