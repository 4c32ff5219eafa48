import { type Document, isScalar, LineCounter, parseAllDocuments, type Scalar, visit } from "yaml";
import type { Diagnostic, DiagnosticCode } from "./diagnostic.js";

/** A config file parsed into one YAML document, with what it takes to map offsets to positions. */
export interface ParsedSource {
  doc?: Document.Parsed;
  lineCounter: LineCounter;
  diagnostics: Diagnostic[];
}

/**
 * Parses config text into one YAML document, keeping positions. Reports the
 * cases a pipeline file cannot be: empty, comments only, several documents,
 * and YAML syntax errors, each at the position the user needs to edit.
 */
export function parseSource(file: string, text: string): ParsedSource {
  const lineCounter = new LineCounter();
  const diagnostics: Diagnostic[] = [];
  const report = (offset: number, code: DiagnosticCode, message: string) => {
    const { line, col } = lineCounter.linePos(offset);
    diagnostics.push({ file, line, column: col, message, code, severity: "error" });
  };

  // Merge keys are a YAML 1.1 feature; the option turns them on for YAML 1.2 files.
  // Duplicate keys are left to the schema walker, which names the first occurrence.
  const docs = parseAllDocuments(text, {
    lineCounter,
    merge: true,
    uniqueKeys: false,
    prettyErrors: false,
  });
  if (!Array.isArray(docs) || docs.length === 0 || isBlank(docs[0]!)) {
    const summary = text.trim() === "" ? "the file is empty" : "the file contains only comments";
    report(0, "EMPTY_FILE", `${summary}; a pipeline needs \`version: 1\`, \`on\` and \`do\``);
    return { lineCounter, diagnostics };
  }

  const doc = docs[0]!;
  const quoteError = doc.errors.find(
    (error) => error.code === "MISSING_CHAR" && /quote/.test(error.message),
  );
  let cutoff = Number.POSITIVE_INFINITY;
  if (quoteError) {
    // The YAML library reports an unclosed quote where the file ends; the user needs where it opens.
    cutoff = findUnclosedQuote(doc, quoteError.pos[0]) ?? quoteError.pos[0];
    report(cutoff, "UNCLOSED_QUOTE", "this quoted value is never closed; add the closing quote");
  }
  const reportedLines = new Set<number>();
  let unexpectedSeen = false;
  for (const error of doc.errors) {
    // Everything after an unclosed quote was read as part of it, so errors there are noise.
    if (error === quoteError || error.pos[0] >= cutoff) continue;
    // After one unexpected token the parser rejects each following token; the first is the one to fix.
    if (error.code === "UNEXPECTED_TOKEN" && unexpectedSeen) continue;
    if (error.code === "UNEXPECTED_TOKEN") unexpectedSeen = true;
    const line = lineCounter.linePos(error.pos[0]).line;
    if (reportedLines.has(line)) continue;
    reportedLines.add(line);

    const bracket = /end with an? ([\]}])/.exec(error.message)?.[1];
    const opening = bracket ? findUnclosedFlow(doc, text, error.pos[0], bracket) : undefined;
    if (opening !== undefined) {
      const kind = bracket === "]" ? "list" : "mapping";
      report(
        opening,
        "YAML_SYNTAX",
        `invalid YAML: this \`${bracket === "]" ? "[" : "{"}\` ${kind} is never closed; add \`${bracket}\``,
      );
      continue;
    }
    // The YAML library turns a stack overflow on deep nesting into a syntax error.
    if (/maximum call stack size exceeded/i.test(error.message)) {
      report(
        error.pos[0],
        "YAML_SYNTAX",
        "invalid YAML: lists or mappings are nested too deeply to read; a pipeline needs only a few levels",
      );
      break;
    }
    report(error.pos[0], "YAML_SYNTAX", `invalid YAML: ${yamlMessage(error.message)}`);
  }
  if (docs.length > 1) {
    report(
      docs[1]!.range[0],
      "MULTIPLE_DOCUMENTS",
      "a second YAML document starts here; a config file holds one pipeline, so move it to a file of its own",
    );
  }
  return { doc, lineCounter, diagnostics };
}

function isBlank(doc: Document.Parsed): boolean {
  return (
    doc.errors.length === 0 &&
    (doc.contents === null ||
      (isScalar(doc.contents) && doc.contents.value === null && doc.contents.source === ""))
  );
}

/**
 * Finds the flow collection an unclosed `[` or `{` opened: the last one
 * starting before the error whose source does not end with its bracket.
 */
function findUnclosedFlow(
  doc: Document.Parsed,
  text: string,
  errorOffset: number,
  bracket: string,
): number | undefined {
  let found: number | undefined;
  const consider = (range: [number, number, number] | null | undefined) => {
    if (!range || range[0] >= errorOffset) return;
    if (text.slice(range[0], range[1]).trimEnd().endsWith(bracket)) return;
    if (found === undefined || range[0] > found) found = range[0];
  };
  visit(doc, {
    Seq(_, node) {
      if (bracket === "]" && node.flow) consider(node.range);
    },
    Map(_, node) {
      if (bracket === "}" && node.flow) consider(node.range);
    },
  });
  return found;
}

/** Finds the quoted scalar that runs to `end`: the one an unclosed quote opened. */
function findUnclosedQuote(doc: Document.Parsed, end: number): number | undefined {
  let found: Scalar | undefined;
  visit(doc, {
    Scalar(_, node) {
      if (node.type !== "QUOTE_DOUBLE" && node.type !== "QUOTE_SINGLE") return;
      const range = node.range;
      if (!range || range[1] < end) return;
      if (!found || range[0] > found.range![0]) found = node;
    },
  });
  return found?.range?.[0];
}

/** Makes the YAML library's first-line message read as a sentence fragment. */
function yamlMessage(message: string): string {
  const first = message.split("\n")[0] ?? message;
  const token = /^Unexpected .+ token in YAML stream: "(.*)"$/.exec(first);
  if (token)
    return `unexpected \`${token[1]}\`; check the brackets, quotes and indentation before it`;
  return first.charAt(0).toLowerCase() + first.slice(1);
}
