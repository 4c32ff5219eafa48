import { describe, expect, it } from "vitest";
import { type Item, ItemType, Lexer } from "./lexer.js";

function lex(input: string): Array<[ItemType, string]> {
  const lexer = new Lexer(input, true, true);
  const items: Array<[ItemType, string]> = [];
  for (;;) {
    const item: Item = lexer.nextItem();
    items.push([item.type, item.val]);
    if (item.type === ItemType.EOF || item.type === ItemType.Error) return items;
  }
}

const T = ItemType;

describe("Lexer", () => {
  it.each<[string, string, Array<[ItemType, string]>]>([
    ["empty input", "", [[T.EOF, ""]]],
    [
      "plain text",
      "abc",
      [
        [T.Text, "abc"],
        [T.EOF, ""],
      ],
    ],
    [
      "field chain",
      "{{.A.B}}",
      [
        [T.LeftDelim, "{{"],
        [T.Field, ".A"],
        [T.Field, ".B"],
        [T.RightDelim, "}}"],
        [T.EOF, ""],
      ],
    ],
    [
      "trim markers",
      "a {{- 3 -}} b",
      [
        [T.Text, "a"],
        [T.LeftDelim, "{{"],
        [T.Number, "3"],
        [T.RightDelim, "}}"],
        [T.Text, "b"],
        [T.EOF, ""],
      ],
    ],
    [
      "negative number, not a trim marker",
      "{{-3}}",
      [
        [T.LeftDelim, "{{"],
        [T.Number, "-3"],
        [T.RightDelim, "}}"],
        [T.EOF, ""],
      ],
    ],
    [
      "declaration",
      "{{$x := 1}}",
      [
        [T.LeftDelim, "{{"],
        [T.Variable, "$x"],
        [T.Space, " "],
        [T.Declare, ":="],
        [T.Space, " "],
        [T.Number, "1"],
        [T.RightDelim, "}}"],
        [T.EOF, ""],
      ],
    ],
    [
      "keywords and literals",
      "{{if true}}{{else}}{{end}}",
      [
        [T.LeftDelim, "{{"],
        [T.If, "if"],
        [T.Space, " "],
        [T.Bool, "true"],
        [T.RightDelim, "}}"],
        [T.LeftDelim, "{{"],
        [T.Else, "else"],
        [T.RightDelim, "}}"],
        [T.LeftDelim, "{{"],
        [T.End, "end"],
        [T.RightDelim, "}}"],
        [T.EOF, ""],
      ],
    ],
    [
      "comment is dropped",
      "a{{/* c */}}b",
      [
        [T.Text, "a"],
        [T.Text, "b"],
        [T.EOF, ""],
      ],
    ],
    [
      "right paren before its error",
      "{{)}}",
      [
        [T.LeftDelim, "{{"],
        [T.RightParen, ")"],
        [T.Error, "unexpected right paren U+0029 ')'"],
      ],
    ],
    [
      "unclosed action",
      "{{.A",
      [
        [T.LeftDelim, "{{"],
        [T.Field, ".A"],
        [T.Error, "unclosed action"],
      ],
    ],
    [
      "bad number",
      "{{3k}}",
      [
        [T.LeftDelim, "{{"],
        [T.Error, 'bad number syntax: "3k"'],
      ],
    ],
  ])("%s", (_name, input, expected) => {
    expect(lex(input)).toEqual(expected);
  });

  it("records the line of each item", () => {
    const lexer = new Lexer("a\nb{{\n.X}}", true, true);
    const lines: number[] = [];
    for (let item = lexer.nextItem(); item.type !== ItemType.EOF; item = lexer.nextItem()) {
      lines.push(item.line);
    }
    expect(lines).toEqual([1, 2, 2, 3, 3]);
  });
});
