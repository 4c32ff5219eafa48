/**
 * Go `text/template` for Pogo's CI configs: parse once with `parseTemplate`,
 * then `execute` as often as needed. Output and error messages follow Go
 * 1.19 with Pogo's functions (toUpper, toLower, trim, btoa, atob, now,
 * secret) and the event data as the struct `main.Event`.
 */

import type { TemplateData } from "../config/event.js";
import { TemplateExecError, TemplateParseError } from "./errors.js";
import { type ExecSource, isStackOverflow, State } from "./exec.js";
import { type CallEnv, FUNCTION_NAMES } from "./funcs.js";
import { toWellFormed } from "./gostring.js";
import { GoTime } from "./gotime.js";
import { parseTrees } from "./parser.js";
import { goQuote } from "./quote.js";
import { eventStruct, GoLocation } from "./values.js";

export { TemplateExecError, TemplateParseError };

/** TemplateEnv supplies what `now` and `secret` return during one execution. */
export interface TemplateEnv {
  now(): Date;
  /** Returns the secret's value; throws an Error whose message Go would print when it is missing. */
  secret(name: string): string;
}

const defaultEnv: TemplateEnv = {
  now: () => new Date(),
  secret: (name) => {
    throw new Error(`secret ${goQuote(name)} is not set`);
  },
};

/** Template is a parsed template, safe to execute many times. */
export class Template {
  private readonly source: ExecSource;

  constructor(
    readonly name: string,
    text: string,
  ) {
    this.source = { parseName: name, text, trees: parseWithinStack(name, text) };
  }

  /**
   * Renders the template with `data` as dot. Throws TemplateExecError when
   * execution fails; partial output is discarded.
   */
  execute(data: TemplateData, env: TemplateEnv = defaultEnv): string {
    return toWellFormed(this.executeWith(data, callEnvFrom(env)));
  }

  /**
   * Renders with a Go time value for `now`, as the conformance runner needs.
   * Bytes that are not valid UTF-8 stay escaped in the result (see gostring.ts).
   */
  executeWith(data: TemplateData, env: CallEnv): string {
    const root = this.source.trees.get(this.name);
    const state = new State(this.source, this.name, env);
    if (root === undefined) {
      throw new TemplateExecError(
        `template: ${this.name}: ${goQuote(this.name)} is an incomplete or empty template`,
        1,
        1,
      );
    }
    try {
      return state.run(root, eventStruct(data));
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      // NOTE: Go has no nesting limit; JavaScript's stack ends after about a thousand levels.
      const message = isStackOverflow(error)
        ? `template: ${this.name}: nesting is too deep to execute`
        : `template: ${this.name}: a value is too large to build (${error.message})`;
      throw new TemplateExecError(message, 1, 1, { cause: error });
    }
  }
}

function parseWithinStack(name: string, text: string) {
  try {
    return parseTrees(name, text, FUNCTION_NAMES);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    // NOTE: Go has no nesting limit; JavaScript's stack ends after about a thousand levels.
    throw new TemplateParseError(`template: ${name}:1: nesting is too deep to parse`, 1);
  }
}

function callEnvFrom(env: TemplateEnv): CallEnv {
  let now: GoTime | undefined;
  return {
    now() {
      if (now === undefined) {
        const ms = BigInt(env.now().getTime());
        now = GoTime.fromUnixNano(ms * 1_000_000n, GoLocation.UTC);
      }
      return now;
    },
    secret: (name) => env.secret(name),
  };
}

/** Parses template source; throws TemplateParseError on a syntax error. */
export function parseTemplate(name: string, source: string): Template {
  return new Template(name, source);
}

/** Reports whether text contains a template action, so plain strings can skip parsing. */
export function hasTemplateActions(text: string): boolean {
  return text.includes("{{");
}
