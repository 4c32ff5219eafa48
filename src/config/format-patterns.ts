import type { TextFormat } from "./schema-model.js";

/**
 * Regular expressions that approximate each text format for editors, in
 * the JSON Schema (ECMAScript) and XSD dialects. The code checks more than
 * these can express, and `SCHEMA_LIMITS` lists the differences.
 */
export const FORMAT_PATTERNS: Record<TextFormat, { json?: string; xsd?: string }> = {
  "http-url": {
    json: "^(?:[hH][tT][tT][pP][sS]?://\\S|\\{\\{|\\$\\{)",
    xsd: "[hH][tT][tT][pP][sS]?://\\S.*|\\{\\{.*|$\\{.*",
  },
  "go-duration": {
    json: "^\\+?(?=[^1-9]*[1-9])(?:(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:ns|us|µs|μs|ms|s|m|h))+$|\\{\\{|\\$\\{",
    xsd: "\\+?(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+|.*\\{\\{.*|.*$\\{.*",
  },
  "absolute-path": {
    json: "^(?:/|\\{\\{|\\$\\{)",
    xsd: "(/|\\{\\{|$\\{).*",
  },
  "bookmark-pattern": {},
  image: {
    json: "^(?:\\.{0,2}/|\\S+$)|\\{\\{|\\$\\{",
    xsd: "(\\.\\.?/|/).*|\\S+|.*\\{\\{.*|.*$\\{.*",
  },
};

/**
 * Pattern alternatives that admit templates and secrets, since such a value
 * is only known at run time. XSD has no `\$` escape, because `$` is not special there.
 */
export const DYNAMIC_JSON_ALTERNATIVE = "|\\{\\{|\\$\\{";
export const DYNAMIC_XSD_ALTERNATIVE = "|.*\\{\\{.*|.*$\\{.*";

/**
 * Rules the code enforces that JSON Schema and XSD cannot express, so an
 * editor accepts these mistakes and `pogo ci validate` reports them.
 */
export const SCHEMA_LIMITS: readonly string[] = [
  "Duplicate keys, a second YAML document and aliases without anchors are YAML-level errors; a schema sees the data after parsing.",
  "Bookmark patterns are checked against Go `path.Match` syntax (unclosed `[`, a trailing `\\`, a range without an end).",
  "Service names must be unique within a task.",
  "A Dockerfile path must stay inside the repository and name a file, not a folder.",
  "Template actions are checked for Go `text/template` syntax.",
  "A URL is checked in full (host, syntax), not only its scheme.",
  "A number or boolean in place of a constrained text (`name: true`) is checked by its written form.",
  "XSD only: a task's `type` agreeing with its body, a timeout being longer than zero, and templates in bookmark patterns.",
];
