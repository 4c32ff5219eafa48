#!/bin/sh
# Regenerates src/template/testdata/cases.jsonl: every case from
# scripts/template-case-list.ts with the result Go's own text/template gives
# (through the gotemplate-oracle runner), stored as `expected`. Needs Go; the
# test suite reads the stored file and never runs Go.
set -e
root=$(cd "$(dirname "$0")/.." && pwd)
oracle=${GOTEMPLATE_ORACLE:-$root/../../shared/tools/gotemplate-oracle/run}
[ -x "$oracle" ] || oracle=/work/shared/tools/gotemplate-oracle/run
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$root"
npx tsx scripts/template-case-list.ts > "$tmp/cases.jsonl"
"$oracle" < "$tmp/cases.jsonl" > "$tmp/expected.jsonl"
node -e '
const fs = require("node:fs");
const read = (f) => fs.readFileSync(f, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
const cases = read(process.argv[1]);
const expected = read(process.argv[2]);
if (cases.length !== expected.length) throw new Error("the reference runner skipped cases");
const out = cases.map((c, i) => {
  const { name, ...result } = expected[i];
  if (name !== c.name) throw new Error(`result ${name} does not match case ${c.name}`);
  return JSON.stringify({ ...c, expected: result });
});
fs.writeFileSync(process.argv[3], out.join("\n") + "\n");
console.error(`wrote ${out.length} cases to ${process.argv[3]}`);
' "$tmp/cases.jsonl" "$tmp/expected.jsonl" "$root/src/template/testdata/cases.jsonl"
