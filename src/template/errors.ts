import { PogoError } from "../util/errors.js";

/**
 * TemplateParseError is a template syntax error. The message reads as Go's
 * (`template: NAME:LINE: ...`). `line` is 1-based within the template source;
 * `column`, when known, is 1-based and counts UTF-16 code units like a
 * JavaScript string index, so callers can add it to a position in the file.
 */
export class TemplateParseError extends PogoError {
  readonly line: number;
  readonly column?: number;

  constructor(message: string, line: number, column?: number) {
    super("TEMPLATE_PARSE", message);
    this.line = line;
    if (column !== undefined) this.column = column;
  }
}

/**
 * TemplateExecError is a failure while executing a template. The message
 * reads as Go's (`template: NAME:LINE:COL: executing "NAME" at <node>: ...`),
 * where COL is Go's 0-based byte offset. `line` and `column` point at the
 * failing node, both 1-based, the column counted in UTF-16 code units.
 */
export class TemplateExecError extends PogoError {
  readonly line: number;
  readonly column: number;

  constructor(message: string, line: number, column: number, options?: { cause?: unknown }) {
    super("TEMPLATE_EXEC", message, options);
    this.line = line;
    this.column = column;
  }
}

/**
 * Runs `create` without capturing a stack trace. Template errors describe
 * the user's template, not engine code, and capturing a stack costs more
 * than the rest of a failed render.
 */
export function withoutStack<T>(create: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return create();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** Position of an offset in a source text: 1-based line and column plus Go's byte column. */
export interface SourcePosition {
  line: number;
  column: number;
  goColumn: number;
}

/** Converts a string offset into a line, a 1-based UTF-16 column and Go's 0-based byte column. */
export function positionOf(text: string, offset: number): SourcePosition {
  const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
  let line = 1;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) line++;
  const goColumn = Buffer.byteLength(text.slice(lineStart, offset), "utf8");
  return { line, column: offset - lineStart + 1, goColumn };
}
