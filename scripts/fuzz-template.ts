/**
 * Differential fuzzing of the template engine against Go's text/template:
 * generates random templates, renders them here and through the reference
 * runner (gotemplate-oracle), and prints every case whose result differs.
 * Needs Go. Usage: npx tsx scripts/fuzz-template.ts [seed] [count]
 *
 * Four generators: random fragments (lexer and parser), random function
 * calls (argument conversion, comparisons, escapers), random printf formats
 * (flags, width, precision, argument indexes, bad verbs) and random time
 * layouts applied to random `now` values.
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

const LAYOUT_PARTS = [
  "2006",
  "06",
  "01",
  "1",
  "Jan",
  "January",
  "02",
  "2",
  "_2",
  "__2",
  "002",
  "15",
  "03",
  "3",
  "04",
  "4",
  "05",
  "5",
  "PM",
  "pm",
  "MST",
  "Z07:00",
  "Z0700",
  "Z07",
  "-07:00",
  "-0700",
  "-07",
  "-070000",
  "-07:00:00",
  ".000",
  ".999",
  ",000",
  ".9",
  "Mon",
  "Monday",
  " ",
  ":",
  "T",
  "x",
  "Janx",
  "Monx",
  "_",
  "7",
];

const NOWS = [
  "2026-01-02T03:04:05Z",
  "1999-12-31T23:59:59.999999999Z",
  "2000-02-29T12:00:00.5+05:30",
  "0001-01-01T00:00:00Z",
  "9999-12-31T23:59:59-11:59",
  "1970-01-01T00:00:00+00:00",
  "2021-03-14T15:09:26.535897932+14:00",
  "0099-06-15T08:07:06Z",
];

function timeTemplate(): string {
  let layout = "";
  const n = 1 + Math.floor(random() * 6);
  for (let i = 0; i < n; i++) layout += pick(LAYOUT_PARTS);
  const receiver = pick(["now", "now.UTC", "now.Local", "(now.AddDate 0 1 -1)"]);
  return `{{${receiver}.Format ${JSON.stringify(layout)}}} {{now}} {{now.YearDay}} {{now.UnixNano}}`;
}

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
  const generator = i % 4;
  let template: string;
  if (generator === 0) template = fragmentTemplate();
  else if (generator === 1) template = `{{${call(2)}}}`;
  else if (generator === 2) template = printfTemplate();
  else template = timeTemplate();
  cases.push({
    name: `fuzz-${i}`,
    template,
    event: { Rev: "main", RepositoryID: 3, Description: "a <b> & 'c'" },
    secrets: { K: "v" },
    now: pick(NOWS),
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
  // Go prints a non-UTC *time.Location inside a time.Time by its memory address.
  const printsAddress = /0xc[0-9a-f]{9}/.test(expected[i] ?? "");
  if (ours !== expected[i] && !printsAddress) {
    differences++;
    process.stdout.write(
      `template ${JSON.stringify(c.template)}\n  go:   ${expected[i]}\n  pogo: ${ours}\n`,
    );
  }
});
process.stdout.write(`${differences} of ${cases.length} cases differ\n`);
process.exitCode = differences === 0 ? 0 : 1;
