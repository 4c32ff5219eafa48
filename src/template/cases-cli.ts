/**
 * Conformance runner speaking the reference runner's protocol: JSON-lines
 * cases on stdin, one JSON result line per case on stdout, in order.
 * `-repeat N` parses and executes every case N times, printing the first result.
 */

import { createInterface } from "node:readline";
import {
  type CaseResult,
  formatResult,
  normalizeCase,
  runCase,
  type TemplateCase,
} from "./cases.js";

const repeatIndex = process.argv.indexOf("-repeat");
const repeat = repeatIndex >= 0 ? Number(process.argv[repeatIndex + 1]) : 1;
if (!Number.isInteger(repeat) || repeat < 1) {
  process.stderr.write("template-cases: -repeat needs a positive integer\n");
  process.exit(2);
}

const lines = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
const out: string[] = [];
for await (const raw of lines) {
  const line = raw.trim();
  if (line === "") continue;
  let c: TemplateCase;
  try {
    c = normalizeCase(JSON.parse(line) as TemplateCase);
  } catch (error) {
    process.stderr.write(`template-cases: bad case line: ${(error as Error).message}\n`);
    process.exit(2);
  }
  let result: CaseResult;
  try {
    result = runCase(c);
  } catch (error) {
    // An engine bug must not hide the remaining cases.
    result = { name: c.name, error: `internal error: ${(error as Error).stack}`, stage: "exec" };
  }
  for (let i = 1; i < repeat; i++) runCase(c);
  out.push(formatResult(result));
  if (out.length >= 256) {
    process.stdout.write(`${out.join("\n")}\n`);
    out.length = 0;
  }
}
if (out.length > 0) process.stdout.write(`${out.join("\n")}\n`);
