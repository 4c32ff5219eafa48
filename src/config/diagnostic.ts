/**
 * DiagnosticCode is the stable identifier of one kind of config problem;
 * tests and the runner match on it instead of the message text.
 */
export type DiagnosticCode =
  | "YAML_SYNTAX"
  | "UNCLOSED_QUOTE"
  | "DUPLICATE_KEY"
  | "MULTIPLE_DOCUMENTS"
  | "EMPTY_FILE"
  | "UNKNOWN_KEY"
  | "MISSING_KEY"
  | "WRONG_TYPE"
  | "INVALID_VALUE"
  | "TYPE_MISMATCH"
  | "MULTIPLE_BODIES"
  | "BAD_PATTERN"
  | "DUPLICATE_SERVICE"
  | "OUTSIDE_REPOSITORY"
  | "TEMPLATE_SYNTAX"
  | "TEMPLATE_EXEC"
  | "UNKNOWN_FIELD"
  | "UNQUOTED_TEMPLATE"
  | "UNREADABLE_FILE"
  | "INVALID_ENCODING"
  | "FILE_TOO_LARGE";

export type Severity = "error" | "warning";

/** Diagnostic is one problem found in a config file, at a 1-based line and column. */
export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  message: string;
  code: DiagnosticCode;
  severity: Severity;
}

/**
 * Formats a diagnostic as `file:line:col: message`, the form editors and
 * terminals turn into a link; warnings carry a `warning:` prefix as compilers do.
 */
export function formatDiagnostic(diagnostic: Diagnostic): string {
  const prefix = diagnostic.severity === "warning" ? "warning: " : "";
  return `${diagnostic.file}:${diagnostic.line}:${diagnostic.column}: ${prefix}${diagnostic.message}`;
}

/** Sorts diagnostics by position so output reads top to bottom. */
export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics.sort((a, b) => a.line - b.line || a.column - b.column);
}
