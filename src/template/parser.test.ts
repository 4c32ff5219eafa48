import { describe, expect, it } from "vitest";
import { FUNCTION_NAMES } from "./funcs.js";
import { parseTrees } from "./parser.js";

function reprint(text: string): Record<string, string> {
  const trees = parseTrees("t", text, FUNCTION_NAMES);
  return Object.fromEntries([...trees].map(([name, root]) => [name, String(root)]));
}

describe("parseTrees", () => {
  it.each([
    ['{{.Rev | printf "%s" | toUpper}}', '{{.Rev | printf "%s" | toUpper}}'],
    ["{{ $x := 1 }}{{ $x = 2 }}", "{{$x := 1}}{{$x := 2}}"],
    [
      "{{if .A}}a{{else if .B}}b{{else}}c{{end}}",
      "{{if .A}}a{{else}}{{if .B}}b{{else}}c{{end}}{{end}}",
    ],
    ["{{with $v := .A}}{{$v}}{{end}}", "{{with $v := .A}}{{$v}}{{end}}"],
    ["{{(now).Year}} {{(.A).B.C}}", "{{(now).Year}} {{(.A).B.C}}"],
    ['{{template "x" .}}', '{{template "x" .}}'],
    ["{{-  .A  -}}", "{{.A}}"],
  ])("prints %s back as source", (text, printed) => {
    expect(reprint(text).t).toBe(printed);
  });

  it("installs define and block trees", () => {
    const trees = reprint('{{define "d"}}D{{end}}{{block "b" .}}B{{end}}');
    expect(trees).toEqual({ t: '{{template "b" .}}', d: "D", b: "B" });
  });

  it("lets a definition replace an empty top-level template", () => {
    expect(reprint('  {{define "t"}}body{{end}}').t).toBe("body");
  });
});
