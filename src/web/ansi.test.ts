import { describe, expect, it } from "vitest";
import { ansiToHtml, stripAnsi } from "./ansi.js";

const ESC = "\x1b";

describe("ansiToHtml", () => {
  const cases: Array<{ name: string; input: string; output: string }> = [
    { name: "plain text", input: "hello", output: "hello" },
    {
      name: "escapes markup",
      input: "<script>x</script>",
      output: "&lt;script&gt;x&lt;/script&gt;",
    },
    {
      name: "basic foreground and reset",
      input: `${ESC}[31mred${ESC}[0m plain`,
      output: `<span class="a-f1">red</span> plain`,
    },
    {
      name: "bright colours map to 8-15",
      input: `${ESC}[92mok${ESC}[104mbg`,
      output: `<span class="a-f10">ok</span><span class="a-f10 a-b12">bg</span>`,
    },
    {
      name: "bold with colour in one sequence",
      input: `${ESC}[1;33mwarn${ESC}[22m still yellow${ESC}[39m`,
      output: `<span class="a-f3 a-bold">warn</span><span class="a-f3"> still yellow</span>`,
    },
    {
      name: "empty parameter resets",
      input: `${ESC}[1mbold${ESC}[mplain`,
      output: `<span class="a-bold">bold</span>plain`,
    },
    {
      name: "256-colour palette index below 16 uses a class",
      input: `${ESC}[38;5;9mx`,
      output: `<span class="a-f9">x</span>`,
    },
    {
      name: "256-colour cube",
      input: `${ESC}[38;5;208mx`,
      output: `<span style="color:#ff8700">x</span>`,
    },
    {
      name: "256-colour grey ramp background",
      input: `${ESC}[48;5;232mx`,
      output: `<span style="background-color:#080808">x</span>`,
    },
    {
      name: "truecolor foreground",
      input: `${ESC}[38;2;18;52;86mx`,
      output: `<span style="color:#123456">x</span>`,
    },
    {
      name: "truecolor colon form with colour space id",
      input: `${ESC}[38:2::255:0:128mx`,
      output: `<span style="color:#ff0080">x</span>`,
    },
    {
      name: "truecolor out of range is ignored with its parameters",
      input: `${ESC}[38;2;300;0;0;1mx`,
      output: `<span class="a-bold">x</span>`,
    },
    {
      name: "cursor movement is dropped",
      input: `a${ESC}[2Kb${ESC}[1Ac`,
      output: "abc",
    },
    {
      name: "OSC hyperlink is dropped, text kept",
      input: `${ESC}]8;;https://example.com${ESC}\\link${ESC}]8;;\x07`,
      output: "link",
    },
    {
      name: "private SGR-like sequence is ignored",
      input: `${ESC}[>4;2mx`,
      output: "x",
    },
    {
      name: "unterminated sequence drops the rest",
      input: `ok${ESC}[31`,
      output: "ok",
    },
    {
      name: "control characters are dropped, tab kept",
      input: "a\x00b\x07c\td\x7f",
      output: "abc\td",
    },
    {
      name: "carriage return starts over",
      input: "10%\r50%\rdone",
      output: "done",
    },
    {
      name: "trailing carriage return is kept text",
      input: "line\r",
      output: "line",
    },
    {
      name: "colour survives a carriage return",
      input: `${ESC}[32m10%\r100%`,
      output: `<span class="a-f2">100%</span>`,
    },
    {
      name: "escaped text inside a colour span",
      input: `${ESC}[31m<b>&`,
      output: `<span class="a-f1">&lt;b&gt;&amp;</span>`,
    },
  ];

  for (const { name, input, output } of cases) {
    it(name, () => {
      expect(ansiToHtml(input)).toBe(output);
    });
  }

  it("cuts long lines", () => {
    const result = ansiToHtml("x".repeat(50), 10);
    expect(result).toBe(`${"x".repeat(10)}…`);
  });

  it("handles a line of escape sequences only", () => {
    expect(ansiToHtml(`${ESC}[31m${ESC}[0m`.repeat(1000))).toBe("");
  });

  it("keeps text after a huge parameter list", () => {
    const hostile = `${ESC}[${"1;".repeat(8000)}31mx`;
    expect(ansiToHtml(hostile)).toBe(`<span class="a-bold">x</span>`);
  });
});

describe("stripAnsi", () => {
  it("removes colours, cursor moves and OSC", () => {
    expect(
      stripAnsi(`${ESC}[1;32mok${ESC}[0m ${ESC}[2Kdone ${ESC}]8;;x${ESC}\\link${ESC}]8;;\x07`),
    ).toBe("ok done link");
  });

  it("keeps plain text and markup", () => {
    expect(stripAnsi("<b>plain</b>")).toBe("<b>plain</b>");
  });
});
