/**
 * SafeHtml is markup that is already escaped or written by Pogo itself.
 * Templates built with `html` insert it as is and escape every other value,
 * so text from a repository (names, descriptions, logs) cannot turn into
 * markup by mistake.
 */
export class SafeHtml {
  readonly value: string;

  constructor(value: string) {
    this.value = value;
  }

  toString(): string {
    return this.value;
  }
}

const MARKUP = /[&<>"']/;
const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for an HTML element body or a quoted attribute value. */
export function escapeHtml(text: string): string {
  if (!MARKUP.test(text)) return text;
  return text.replace(/[&<>"']/g, (character) => ESCAPES[character]!);
}

/** Marks `markup` as safe; only for strings Pogo wrote or escaped itself. */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/** HtmlValue is anything a template may interpolate; null, undefined and false render nothing. */
export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | HtmlValue[];

/** Renders one interpolated value: SafeHtml as is, arrays joined, everything else escaped. */
export function renderValue(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.value;
  if (value === null || value === undefined || value === false || value === true) return "";
  if (Array.isArray(value)) {
    let out = "";
    for (const item of value) out += renderValue(item);
    return out;
  }
  return escapeHtml(String(value));
}

/** Builds markup from a template literal, escaping every interpolated value that is not SafeHtml. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0]!;
  for (let index = 0; index < values.length; index++) {
    out += renderValue(values[index]!);
    out += strings[index + 1]!;
  }
  return new SafeHtml(out);
}

/**
 * Builds a same-origin path from literal segments and values, each value
 * percent-encoded as one path segment, so a bookmark named `a/b?c` stays
 * one segment and cannot add a query.
 */
export function path(strings: TemplateStringsArray, ...values: (string | number)[]): string {
  let out = strings[0]!;
  for (let index = 0; index < values.length; index++) {
    out += encodeURIComponent(String(values[index]!));
    out += strings[index + 1]!;
  }
  return out;
}

/** Returns `base` with the query parameters that are set, in the order given. */
export function withQuery(
  base: string,
  query: Record<string, string | number | undefined>,
): string {
  const parameters = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== "") parameters.set(key, String(value));
  }
  const text = parameters.toString();
  return text === "" ? base : `${base}?${text}`;
}
