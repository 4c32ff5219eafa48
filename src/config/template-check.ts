import type { LineCounter } from "yaml";
import type { Diagnostic } from "./diagnostic.js";
import { parseTemplate, TemplateParseError } from "./template-engine.js";
import { findUnknownFields } from "./template-fields.js";
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
      for (const field of findUnknownFields(file, site.text)) {
        const position = positionIn(site.text, field.offset);
        const offset = valuePositionToOffset(
          text,
          site.node,
          site.text,
          position.line,
          position.column,
        );
        const { line, col } = lineCounter.linePos(offset);
        diagnostics.push({
          file,
          line,
          column: col,
          code: "UNKNOWN_FIELD",
          severity: "error",
          message: `in ${label(site.path)}: ${field.message}`,
        });
      }
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

/** Returns the 1-based line and column (in UTF-16 code units) of an offset in text. */
export function positionIn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let at = text.indexOf("\n"); at >= 0 && at < offset; at = text.indexOf("\n", at + 1)) {
    line++;
    lineStart = at + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/** Reports unknown event-data fields in a file that renders as one template, at the file's positions. */
export function unknownFieldDiagnostics(file: string, text: string): Diagnostic[] {
  return findUnknownFields(file, text).map((field) => {
    const { line, column } = positionIn(text, field.offset);
    return {
      file,
      line,
      column,
      code: "UNKNOWN_FIELD",
      severity: "error",
      message: field.message,
    };
  });
}
