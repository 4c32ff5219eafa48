/**
 * The template engine as the config layer uses it. The Go `text/template`
 * engine is built in `src/template`; until it lands this module is a minimal
 * stand-in with the same interface.
 *
 * TODO: replace this body with a re-export of `../template/index.js` once it
 * exists; the stand-in only substitutes `{{.Field}}` and checks that every
 * action is closed.
 */

import { PogoError } from "../util/errors.js";
import type { TemplateData } from "./event.js";

/** TemplateEnv supplies the clock behind `now` and the values behind `secret "KEY"`. */
export interface TemplateEnv {
  now(): Date;
  secret(name: string): string;
}

/** Template is a parsed template, executable many times. */
export interface Template {
  execute(data: TemplateData, env?: TemplateEnv): string;
}

/** TemplateParseError is a syntax error; `line` and `column` are 1-based within the template source. */
export class TemplateParseError extends PogoError {
  readonly line: number;
  readonly column?: number;

  constructor(message: string, line: number, column?: number) {
    super("TEMPLATE_PARSE", message);
    this.line = line;
    if (column !== undefined) this.column = column;
  }
}

/** TemplateExecError is a failure while executing; `line` and `column` are 1-based. */
export class TemplateExecError extends PogoError {
  readonly line: number;
  readonly column: number;

  constructor(message: string, line: number, column: number) {
    super("TEMPLATE_EXEC", message);
    this.line = line;
    this.column = column;
  }
}

/** Reports whether text contains a template action, so plain values skip the engine. */
export function hasTemplateActions(text: string): boolean {
  return text.includes("{{");
}

interface Action {
  start: number;
  end: number;
  body: string;
}

/** Parses a template with the stand-in grammar: text and `{{ ... }}` actions. */
export function parseTemplate(name: string, source: string): Template {
  const actions: Action[] = [];
  let from = 0;
  for (;;) {
    const start = source.indexOf("{{", from);
    if (start < 0) break;
    const end = source.indexOf("}}", start + 2);
    if (end < 0) {
      const { line, column } = positionIn(source, start);
      throw new TemplateParseError(`template: ${name}:${line}: unclosed action`, line, column);
    }
    actions.push({ start, end: end + 2, body: source.slice(start + 2, end) });
    from = end + 2;
  }
  return {
    execute(data: TemplateData): string {
      let output = "";
      let cursor = 0;
      for (const action of actions) {
        output += source.slice(cursor, action.start);
        output += executeAction(name, source, action, data);
        cursor = action.end;
      }
      return output + source.slice(cursor);
    },
  };
}

function executeAction(name: string, source: string, action: Action, data: TemplateData): string {
  const body = action.body.replace(/^-\s/, "").replace(/\s-$/, "").trim();
  if (body.startsWith("/*") && body.endsWith("*/")) return "";
  const field = /^\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(body);
  const { line, column } = positionIn(source, action.start);
  if (!field) {
    throw new TemplateExecError(
      `template: ${name}:${line}:${column - 1}: the stand-in engine cannot run {{${action.body}}}`,
      line,
      column,
    );
  }
  const key = field[1] as keyof TemplateData;
  if (!(key in data)) {
    throw new TemplateExecError(
      `template: ${name}:${line}:${column - 1}: can't evaluate field ${key}`,
      line,
      column,
    );
  }
  return String(data[key]);
}

function positionIn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return { line, column: offset - (before.lastIndexOf("\n") + 1) + 1 };
}
