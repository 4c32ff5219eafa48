/**
 * Go's `strconv` quoting rules: Quote, QuoteToASCII, QuoteRune, Unquote and
 * UnquoteChar, as template literals and the `%q` verb need them.
 *
 * Bytes that are not valid UTF-8 are kept as escapes (see gostring.ts).
 */

import { withoutStack } from "./errors.js";
import { escapedByte, goStringFromBytes } from "./gostring.js";

// NOTE: these classes come from Node's Unicode tables, which are newer than Go 1.19's
// Unicode 13.0; a character assigned since then quotes as printable here but not in Go.
const PRINTABLE = /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u;

/** Reports whether Go's strconv.IsPrint accepts the rune. */
export function isPrintRune(r: number): boolean {
  if (r < 0x80) return r >= 0x20 && r < 0x7f;
  if (r === 0xfffd) return true;
  if (r >= 0xd800 && r <= 0xdfff) return false;
  return PRINTABLE.test(String.fromCodePoint(r));
}

const HEX = "0123456789abcdef";

function appendEscapedRune(out: string[], r: number, quote: number, asciiOnly: boolean): void {
  if (r === quote || r === 0x5c) {
    out.push("\\", String.fromCharCode(r));
    return;
  }
  if (asciiOnly) {
    if (r < 0x80 && isPrintRune(r)) {
      out.push(String.fromCharCode(r));
      return;
    }
  } else if (isPrintRune(r)) {
    out.push(String.fromCodePoint(r));
    return;
  }
  switch (r) {
    case 7:
      out.push("\\a");
      return;
    case 8:
      out.push("\\b");
      return;
    case 12:
      out.push("\\f");
      return;
    case 10:
      out.push("\\n");
      return;
    case 13:
      out.push("\\r");
      return;
    case 9:
      out.push("\\t");
      return;
    case 11:
      out.push("\\v");
      return;
  }
  if (r < 0x20 || r === 0x7f) {
    out.push("\\x", HEX[r >> 4]!, HEX[r & 15]!);
  } else if (r < 0x10000) {
    out.push("\\u", r.toString(16).padStart(4, "0"));
  } else {
    out.push("\\U", r.toString(16).padStart(8, "0"));
  }
}

function quoteWith(s: string, quote: number, asciiOnly: boolean): string {
  const out: string[] = [String.fromCharCode(quote)];
  for (const ch of s) {
    let r = ch.codePointAt(0)!;
    const byte = escapedByte(r);
    if (byte >= 0) {
      out.push("\\x", HEX[byte >> 4]!, HEX[byte & 15]!);
      continue;
    }
    if (r >= 0xd800 && r <= 0xdfff) r = 0xfffd;
    appendEscapedRune(out, r, quote, asciiOnly);
  }
  out.push(String.fromCharCode(quote));
  return out.join("");
}

/** Returns s as a Go double-quoted string literal (strconv.Quote). */
export function goQuote(s: string): string {
  // Fast path: printable ASCII without quotes or backslashes.
  if (/^[\x20\x21\x23-\x5b\x5d-\x7e]*$/.test(s)) return `"${s}"`;
  return quoteWith(s, 0x22, false);
}

/** Returns s quoted with only ASCII characters (strconv.QuoteToASCII). */
export function goQuoteASCII(s: string): string {
  return quoteWith(s, 0x22, true);
}

/** Returns r as a Go rune literal (strconv.QuoteRune); invalid runes become U+FFFD. */
export function goQuoteRune(r: number, asciiOnly = false): string {
  if (r > 0x10ffff || r < 0 || (r >= 0xd800 && r <= 0xdfff)) r = 0xfffd;
  const out: string[] = ["'"];
  appendEscapedRune(out, r, 0x27, asciiOnly);
  out.push("'");
  return out.join("");
}

/** GoSyntaxError mirrors strconv.ErrSyntax, whose message is "invalid syntax". */
export class GoSyntaxError extends Error {
  constructor() {
    super("invalid syntax");
  }
}

// Like Go's ErrSyntax, one value serves every failure; it carries no stack.
const ERR_SYNTAX = withoutStack(() => new GoSyntaxError());

function unhex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/** Result of unquoteChar: the value, whether it is a byte rather than a rune, and the rest of s. */
export interface UnquotedChar {
  value: number;
  isByte: boolean;
  tail: string;
}

/** Decodes the first character or escape of a quoted literal's body (strconv.UnquoteChar). */
export function unquoteChar(s: string, quote: number): UnquotedChar {
  const c = s.codePointAt(0);
  if (c === undefined) throw ERR_SYNTAX;
  if (c === quote && (quote === 0x27 || quote === 0x22)) throw ERR_SYNTAX;
  if (c !== 0x5c) {
    const width = c > 0xffff ? 2 : 1;
    return { value: c, isByte: false, tail: s.slice(width) };
  }
  if (s.length <= 1) throw ERR_SYNTAX;
  const e = s.charCodeAt(1);
  let rest = s.slice(2);
  switch (e) {
    case 0x61:
      return { value: 7, isByte: false, tail: rest };
    case 0x62:
      return { value: 8, isByte: false, tail: rest };
    case 0x66:
      return { value: 12, isByte: false, tail: rest };
    case 0x6e:
      return { value: 10, isByte: false, tail: rest };
    case 0x72:
      return { value: 13, isByte: false, tail: rest };
    case 0x74:
      return { value: 9, isByte: false, tail: rest };
    case 0x76:
      return { value: 11, isByte: false, tail: rest };
    case 0x78: // \xhh
    case 0x75: // \uhhhh
    case 0x55: {
      // \Uhhhhhhhh
      let n = 8; // \U
      if (e === 0x78)
        n = 2; // \x
      else if (e === 0x75) n = 4; // \u
      if (rest.length < n) throw ERR_SYNTAX;
      let v = 0;
      for (let j = 0; j < n; j++) {
        const x = unhex(rest.charCodeAt(j));
        if (x < 0) throw ERR_SYNTAX;
        v = v * 16 + x;
      }
      rest = rest.slice(n);
      if (e === 0x78) return { value: v, isByte: true, tail: rest };
      if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) throw ERR_SYNTAX;
      return { value: v, isByte: false, tail: rest };
    }
    case 0x30:
    case 0x31:
    case 0x32:
    case 0x33:
    case 0x34:
    case 0x35:
    case 0x36:
    case 0x37: {
      let v = e - 0x30;
      if (rest.length < 2) throw ERR_SYNTAX;
      for (let j = 0; j < 2; j++) {
        const x = rest.charCodeAt(j) - 0x30;
        if (x < 0 || x > 7) throw ERR_SYNTAX;
        v = v * 8 + x;
      }
      if (v > 255) throw ERR_SYNTAX;
      return { value: v, isByte: true, tail: rest.slice(2) };
    }
    case 0x5c:
      return { value: 0x5c, isByte: false, tail: rest };
    case 0x27:
    case 0x22:
      if (e !== quote) throw ERR_SYNTAX;
      return { value: e, isByte: false, tail: rest };
    default:
      throw ERR_SYNTAX;
  }
}

/** Interprets a Go string literal in double quotes or backquotes (strconv.Unquote). */
export function goUnquote(s: string): string {
  const n = s.length;
  if (n < 2) throw ERR_SYNTAX;
  const quote = s.charCodeAt(0);
  if (quote !== s.charCodeAt(n - 1)) throw ERR_SYNTAX;
  let body = s.slice(1, n - 1);
  if (quote === 0x60) {
    if (body.includes("`")) throw ERR_SYNTAX;
    if (body.includes("\r")) body = body.replaceAll("\r", "");
    return body;
  }
  if (quote !== 0x22) throw ERR_SYNTAX;
  if (body.includes("\n")) throw ERR_SYNTAX;
  if (!body.includes("\\")) return body;
  // Escapes such as \xff yield raw bytes; runs of those are decoded together.
  let out = "";
  const bytes: number[] = [];
  while (body.length > 0) {
    const { value, isByte, tail } = unquoteChar(body, quote);
    body = tail;
    if (isByte && value >= 0x80) {
      bytes.push(value);
      continue;
    }
    if (bytes.length > 0) {
      out += goStringFromBytes(Uint8Array.from(bytes));
      bytes.length = 0;
    }
    out += String.fromCodePoint(value);
  }
  if (bytes.length > 0) out += goStringFromBytes(Uint8Array.from(bytes));
  return out;
}
