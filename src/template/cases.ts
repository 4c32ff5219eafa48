/**
 * The conformance case format shared with the Go reference runner
 * (gotemplate-oracle): one JSON object per line in, one result per line out.
 */

import { type TemplateData, templateData } from "../config/event.js";
import { TemplateExecError, TemplateParseError } from "./errors.js";
import type { CallEnv } from "./funcs.js";
import { toWellFormed } from "./gostring.js";
import { GoTime } from "./gotime.js";
import { Template } from "./index.js";
import { goQuote } from "./quote.js";
import { GoLocation } from "./values.js";

/** TemplateCase is one input line: a template, its event data, secrets and the time `now` returns. */
export interface TemplateCase {
  name: string;
  template: string;
  event?: Record<string, unknown>;
  secrets?: Record<string, string>;
  now?: string;
}

/** CaseResult is one output line: the rendered output, or an error and the stage that failed. */
export type CaseResult =
  | { name: string; output: string }
  | { name: string; error: string; stage: "parse" | "exec" };

const DEFAULT_NOW = new GoTime(1767323045n, 0, GoLocation.UTC); // 2026-01-02T03:04:05Z

const EVENT_KEYS = Object.keys(templateData());

/**
 * Returns the case as Go's JSON decoder reads it: a lone surrogate escape
 * in a string becomes U+FFFD.
 */
export function normalizeCase(c: TemplateCase): TemplateCase {
  const clean = (v: unknown) => (typeof v === "string" ? toWellFormed(v) : v);
  const cleanRecord = <T>(r: Record<string, T> | undefined) =>
    r === undefined
      ? undefined
      : (Object.fromEntries(
          Object.entries(r).map(([k, v]) => [toWellFormed(k), clean(v)]),
        ) as Record<string, T>);
  return {
    ...c,
    name: toWellFormed(c.name),
    template: toWellFormed(c.template),
    event: cleanRecord(c.event),
    secrets: cleanRecord(c.secrets),
  };
}

/** Builds the event data as Go's JSON decoding would: field names match case-insensitively. */
export function caseData(event: Record<string, unknown> | undefined): TemplateData {
  const data = templateData();
  const record = data as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(event ?? {})) {
    const field = EVENT_KEYS.find((k) => k.toLowerCase() === key.toLowerCase());
    if (field === undefined || value === null) continue;
    record[field] = field === "RepositoryID" ? Number(value) | 0 : String(value);
  }
  return data;
}

/** Returns the CallEnv a case describes. */
export function caseEnv(c: TemplateCase): CallEnv {
  const now = (c.now ? GoTime.parseRFC3339(c.now) : null) ?? DEFAULT_NOW;
  const secrets = c.secrets ?? {};
  return {
    now: () => now,
    secret(name) {
      if (Object.hasOwn(secrets, name)) return secrets[name]!;
      throw new Error(`secret ${goQuote(name)} is not set`);
    },
  };
}

/** Parses and executes one case, as the reference runner does. */
export function runCase(c: TemplateCase, data = caseData(c.event), env = caseEnv(c)): CaseResult {
  let template: Template;
  try {
    template = new Template(c.name, c.template);
  } catch (error) {
    if (error instanceof TemplateParseError)
      return { name: c.name, error: error.message, stage: "parse" };
    throw error;
  }
  try {
    return { name: c.name, output: template.executeWith(data, env) };
  } catch (error) {
    if (error instanceof TemplateExecError)
      return { name: c.name, error: error.message, stage: "exec" };
    throw error;
  }
}

/** Encodes a string as Go 1.19's encoding/json does with HTML escaping off. */
export function goJSONString(s: string): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let escaped: string | undefined;
    if (c === 0x22) escaped = '\\"';
    else if (c === 0x5c) escaped = "\\\\";
    else if (c === 0x0a) escaped = "\\n";
    else if (c === 0x0d) escaped = "\\r";
    else if (c === 0x09) escaped = "\\t";
    else if (c < 0x20) escaped = `\\u00${c.toString(16).padStart(2, "0")}`;
    else if (c === 0x2028 || c === 0x2029) escaped = `\\u${c.toString(16)}`;
    else if (c >= 0xd800 && c <= 0xdfff) {
      const pair =
        c <= 0xdbff &&
        i + 1 < s.length &&
        s.charCodeAt(i + 1) >= 0xdc00 &&
        s.charCodeAt(i + 1) <= 0xdfff;
      if (pair) {
        i++;
        continue;
      }
      escaped = "\\ufffd";
    }
    if (escaped !== undefined) {
      out += s.slice(start, i) + escaped;
      start = i + 1;
    }
  }
  return `${out + s.slice(start)}"`;
}

/** Formats a result line exactly as the reference runner prints it. */
export function formatResult(result: CaseResult): string {
  if ("output" in result) {
    return `{"name":${goJSONString(result.name)},"output":${goJSONString(result.output)}}`;
  }
  return `{"name":${goJSONString(result.name)},"error":${goJSONString(result.error)},"stage":"${result.stage}"}`;
}
