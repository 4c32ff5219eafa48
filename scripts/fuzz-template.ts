/**
 * Differential fuzzing of the template engine against Go's text/template:
 * generates random templates, renders them here and through the reference
 * runner (gotemplate-oracle), and prints every case whose result differs.
 * Needs Go. Usage: npx tsx scripts/fuzz-template.ts [seed] [count]
 *
 * Three generators: random fragments (lexer and parser), random function
 * calls (argument conversion, comparisons, escapers) and random printf
 * formats (flags, width, precision, argument indexes, bad verbs).
 */

import { spawnSync } from "node:child_process";
import { formatResult, runCase, type TemplateCase } from "../src/template/cases.js";

const ORACLE = process.env.GOTEMPLATE_ORACLE ?? "/work/shared/tools/gotemplate-oracle/run";

let seed = Number(process.argv[2] ?? 1);
const count = Number(process.argv[3] ?? 3000);

function random(): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

const FRAGMENTS = [
  "{{",
  "}}",
  "{{- ",
  " -}}",
  " ",
  "\n",
  "\t",
  ".",
  "$",
  "(",
  ")",
  "|",
  '"a"',
  "'b'",
  "`c`",
  "x",
  "1",
  "-1",
  "0x1F",
  ".5",
  "1e3",
  "1i",
  ":=",
  "=",
  ",",
  "end",
  "else",
  "if",
  "range",
  "with",
  'define "d"',
  'template "d"',
  'block "b" .',
  "break",
  "continue",
  "nil",
  "true",
  "printf",
  '"%d %s %v %q"',
  "index",
  "slice",
  "len",
  "eq",
  "lt",
  "and",
  "or",
  "not",
  "now",
  ".Rev",
  ".Nope",
  "$x",
  "$x := 1",
  "print",
  "html",
  "js",
  "toUpper",
  "atob",
  "{{end}}",
  "{{else}}",
  "{{if .Rev}}",
  "{{range .}}",
  "{{with .Rev}}",
  "{{/* c */}}",
  "é",
  "😀",
  "%",
  "'\\x41'",
  "0b101",
  "1_000",
  "9223372036854775808",
];

const FUNCTIONS = [
  "print",
  "println",
  "printf",
  "html",
  "js",
  "urlquery",
  "len",
  "index",
  "slice",
  "not",
  "and",
  "or",
  "eq",
  "ne",
  "lt",
  "le",
  "gt",
  "ge",
  "call",
  "toUpper",
  "toLower",
  "trim",
  "btoa",
  "atob",
  "secret",
  "now",
];

const OPERANDS = [
  ".",
  "$",
  ".Rev",
  ".RepositoryID",
  ".Description",
  "now",
  "now.Month",
  "now.Unix",
  "(now.Sub now)",
  "nil",
  "true",
  "0",
  "1",
  "-1",
  "255",
  "0x10",
  "1.5",
  "1e-7",
  "'a'",
  "1i",
  '""',
  '"x"',
  '"héllo"',
  '"%d"',
  '"%s|%v"',
  '"%5.2f"',
  '"%q"',
  '"%T"',
  '"%[2]v %[1]v"',
  '"%*d"',
  '(index "ab" 1)',
  "(len .Rev)",
  '"aGk="',
  '"K"',
  "18446744073709551615",
  "0.1",
];

const VERBS = "vdsqxXobOcUeEfFgGtTpwz%".split("");
const FLAGS = ["", "", "#", "0", "+", "-", " ", "#0", "-+"];
const WIDTHS = ["", "", "5", "12", "*", "[1]", "[2]*", "[3]"];
const PRECISIONS = ["", "", ".2", ".0", ".", ".*", ".[1]*"];

function fragmentTemplate(): string {
  let text = "";
  const n = 2 + Math.floor(random() * 14);
  for (let i = 0; i < n; i++) text += pick(FRAGMENTS) + (random() < 0.5 ? " " : "");
  return text;
}

function call(depth: number): string {
  const words = [pick(FUNCTIONS)];
  const n = Math.floor(random() * 4);
  for (let i = 0; i < n; i++) {
    words.push(depth > 0 && random() < 0.25 ? `(${call(depth - 1)})` : pick(OPERANDS));
  }
  return words.join(" ");
}

function printfTemplate(): string {
  let format = "";
  const verbs = 1 + Math.floor(random() * 3);
  for (let i = 0; i < verbs; i++) {
    format += `|%${pick(FLAGS)}${pick(WIDTHS)}${pick(PRECISIONS)}${pick(VERBS)}`;
  }
  const args: string[] = [];
  const n = Math.floor(random() * 4);
  for (let i = 0; i < n; i++) args.push(pick(OPERANDS));
  return `{{printf ${JSON.stringify(format)} ${args.join(" ")}}}`;
}

const cases: TemplateCase[] = [];
for (let i = 0; i < count; i++) {
  const generator = i % 3;
  let template: string;
  if (generator === 0) template = fragmentTemplate();
  else if (generator === 1) template = `{{${call(2)}}}`;
  else template = printfTemplate();
  cases.push({
    name: `fuzz-${i}`,
    template,
    event: { Rev: "main", RepositoryID: 3, Description: "a <b> & 'c'" },
    secrets: { K: "v" },
  });
}

const input = `${cases.map((c) => JSON.stringify(c)).join("\n")}\n`;
const oracle = spawnSync(ORACLE, [], { input, maxBuffer: 1 << 28, encoding: "utf8" });
if (oracle.status !== 0) {
  process.stderr.write(`fuzz-template: the reference runner failed: ${oracle.stderr}\n`);
  process.exit(2);
}
const expected = oracle.stdout.split("\n").filter((line) => line !== "");
let differences = 0;
cases.forEach((c, i) => {
  const ours = formatResult(runCase(c));
  if (ours !== expected[i]) {
    differences++;
    process.stdout.write(
      `template ${JSON.stringify(c.template)}\n  go:   ${expected[i]}\n  pogo: ${ours}\n`,
    );
  }
});
process.stdout.write(`${differences} of ${cases.length} cases differ\n`);
process.exitCode = differences === 0 ? 0 : 1;
