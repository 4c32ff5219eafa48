import { describe, expect, it } from "vitest";
import { templateData } from "../config/event.js";
import {
  hasTemplateActions,
  parseTemplate,
  TemplateExecError,
  TemplateParseError,
} from "./index.js";

const data = templateData({ Rev: "main", RepositoryID: 42, Repository: "pogo" });

describe("parseTemplate", () => {
  it("renders fields and functions", () => {
    const t = parseTemplate("t", '{{.Rev | toUpper}}-{{.RepositoryID}}-{{printf "%03d" 7}}');
    expect(t.execute(data)).toBe("MAIN-42-007");
  });

  it("executes one template many times", () => {
    const t = parseTemplate("t", "{{$x := .Repository}}{{$x}}");
    expect(t.execute(data)).toBe("pogo");
    expect(t.execute(templateData({ Repository: "other" }))).toBe("other");
  });

  it("reports a parse error with its line", () => {
    const error = captureError(() => parseTemplate("cfg", "a\nb {{if}}"));
    expect(error).toBeInstanceOf(TemplateParseError);
    expect(error).toMatchObject({ line: 2, message: "template: cfg:2: missing value for if" });
  });

  it("reports an unclosed action with its column", () => {
    const error = captureError(() => parseTemplate("cfg", "x\n  {{.Rev"));
    expect(error).toMatchObject({ line: 2, code: "TEMPLATE_PARSE" });
    expect((error as TemplateParseError).message).toBe("template: cfg:2: unclosed action");
  });
});

describe("Template.execute", () => {
  it("reports an unknown field at its line and column", () => {
    const t = parseTemplate("cfg", "ok\n  {{.Nope}}");
    const error = captureError(() => t.execute(data));
    expect(error).toBeInstanceOf(TemplateExecError);
    expect(error).toMatchObject({ line: 2, column: 5 });
    expect((error as Error).message).toBe(
      'template: cfg:2:4: executing "cfg" at <.Nope>: can\'t evaluate field Nope in type main.Event',
    );
  });

  it("counts the column in characters, not bytes", () => {
    const t = parseTemplate("cfg", "é{{.Nope}}");
    const error = captureError(() => t.execute(data)) as TemplateExecError;
    expect(error.column).toBe(4);
    expect(error.message).toContain("cfg:1:4:");
  });

  it("looks up secrets through the environment", () => {
    const env = {
      now: () => new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
      secret: (name: string) => {
        if (name === "TOKEN") return "s3cret";
        throw new Error(`secret "${name}" is not set`);
      },
    };
    const t = parseTemplate("t", '{{secret "TOKEN"}} {{now.Format "2006-01-02"}} {{now.Unix}}');
    expect(t.execute(data, env)).toBe("s3cret 2026-01-02 1767323045");
    const missing = parseTemplate("t", '{{secret "NOPE"}}');
    expect(() => missing.execute(data, env)).toThrow(
      'template: t:1:2: executing "t" at <secret "NOPE">: error calling secret: secret "NOPE" is not set',
    );
  });
});

describe("nesting limits", () => {
  it("reports too deep nesting as a parse error", () => {
    const source = `{{${"(".repeat(20000)}1${")".repeat(20000)}}}`;
    const error = captureError(() => parseTemplate("deep", source));
    expect(error).toBeInstanceOf(TemplateParseError);
    expect((error as Error).message).toBe("template: deep:1: nesting is too deep to parse");
  });

  it("parses a hundred nested parentheses", () => {
    const source = `{{${"(".repeat(100)}1${")".repeat(100)}}}`;
    expect(parseTemplate("deep", source).execute(data)).toBe("1");
  });
});

describe("output limits", () => {
  it("stops output past 4 MiB", () => {
    const call = '{{template "mega"}}';
    const source = `{{define "mega"}}{{printf "%0999999d" 0}}{{end}}${call.repeat(5)}`;
    const error = captureError(() => parseTemplate("big", source).execute(data));
    expect(error).toBeInstanceOf(TemplateExecError);
    expect((error as Error).message).toBe(
      'template: big:1:19: executing "mega" at <{{printf "%0999999d" 0}}>: output is longer than 4194304 characters; rendering stopped',
    );
  });

  it("stops a function result past 4 MiB", () => {
    const source = '{{$x := printf "%0999999d" 0}}{{$x = printf "%s%s%s%s%s" $x $x $x $x $x}}';
    const error = captureError(() => parseTemplate("big", source).execute(data));
    expect(error).toBeInstanceOf(TemplateExecError);
    expect((error as Error).message).toContain(
      "printf returned more than 4194304 characters; rendering stopped",
    );
  });

  it("renders output under the limit", () => {
    const four = '{{printf "%0999999d" 0}}'.repeat(4);
    expect(parseTemplate("big", four).execute(data)).toHaveLength(3_999_996);
  });
});

describe("hasTemplateActions", () => {
  it("detects an opening delimiter", () => {
    expect(hasTemplateActions("a {{.Rev}}")).toBe(true);
    expect(hasTemplateActions("plain")).toBe(false);
  });
});

function captureError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}
