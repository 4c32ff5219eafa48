/**
 * Number parsing with Go's `strconv` rules (base prefixes, underscores,
 * 64-bit range checks), as the template parser needs them for literals.
 */

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

/** Reports whether the underscores in s sit only between digits or after a base prefix. */
function underscoreOK(s: string): boolean {
  // saw is '^' at the start, '0' after a digit or prefix, '_' after an underscore, '!' otherwise.
  let saw = "^";
  let i = 0;
  if (s.length >= 1 && (s[0] === "-" || s[0] === "+")) s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === "0" && "bBoOxX".includes(s[1]!)) {
    i = 2;
    saw = "0";
    hex = s[1] === "x" || s[1] === "X";
  }
  for (; i < s.length; i++) {
    const c = s[i]!;
    if ((c >= "0" && c <= "9") || (hex && /[a-fA-F]/.test(c))) {
      saw = "0";
      continue;
    }
    if (c === "_") {
      if (saw !== "0") return false;
      saw = "_";
      continue;
    }
    if (saw === "_") return false;
    saw = "!";
  }
  return saw !== "_";
}

/** Parses an integer as strconv.ParseInt(s, 0, 64) or ParseUint(s, 0, 64) would; null on any error. */
export function parseGoInteger(s: string, unsigned: boolean): bigint | null {
  if (/^[1-9][0-9]{0,17}$|^0$/.test(s)) return BigInt(s); // Plain decimals, the usual case.

  let body = s;
  let negative = false;
  if (!unsigned && (body[0] === "+" || body[0] === "-")) {
    negative = body[0] === "-";
    body = body.slice(1);
  }
  if (body === "") return null;

  // Base 0: the prefix picks the base, and a bare leading 0 means octal.
  let base = 10;
  let digits = body;
  let prefixed = false;
  if (body[0] === "0") {
    if (body.length >= 2 && /[xX]/.test(body[1]!)) {
      base = 16;
      digits = body.slice(2);
      prefixed = true;
    } else if (body.length >= 2 && /[oO]/.test(body[1]!)) {
      base = 8;
      digits = body.slice(2);
      prefixed = true;
    } else if (body.length >= 2 && /[bB]/.test(body[1]!)) {
      base = 2;
      digits = body.slice(2);
      prefixed = true;
    } else {
      base = 8;
      digits = body.slice(1);
      prefixed = true;
    }
  }

  if (digits.includes("_")) {
    if (!underscoreOK(body)) return null;
    digits = digits.replaceAll("_", "");
  }
  if (digits === "") {
    // "0" alone is valid; "0x" is not.
    if (prefixed && body === "0") return 0n;
    return null;
  }
  let valid = /^[0-9]+$/;
  if (base === 16) valid = /^[0-9a-fA-F]+$/;
  else if (base === 8) valid = /^[0-7]+$/;
  else if (base === 2) valid = /^[01]+$/;
  if (!valid.test(digits)) return null;

  let value = 0n;
  const b = BigInt(base);
  for (const c of digits) value = value * b + BigInt(Number.parseInt(c, 16));
  if (negative) value = -value;
  if (unsigned) return value > UINT64_MAX ? null : value;
  return value < INT64_MIN || value > INT64_MAX ? null : value;
}

/** Parses a float as strconv.ParseFloat(s, 64) would; null on a syntax or range error. */
export function parseGoFloat(s: string): number | null {
  let body = s;
  let sign = 1;
  if (body[0] === "+" || body[0] === "-") {
    if (body[0] === "-") sign = -1;
    body = body.slice(1);
  }
  if (body.includes("_")) {
    if (!underscoreOK(body)) return null;
    body = body.replaceAll("_", "");
  }
  if (/^0[xX]/.test(body)) {
    const m = /^0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?[0-9]+)$/.exec(body);
    if (!m || (m[1] === "" && (m[2] ?? "") === "")) return null;
    const frac = m[2] ?? "";
    const mantissa = BigInt(`0x${(m[1] || "0") + frac}`);
    const exp = Number(m[3]) - 4 * frac.length;
    const value = Number(mantissa) * 2 ** exp;
    if (!Number.isFinite(value)) return null;
    return sign * value;
  }
  if (!/^([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(body)) {
    const lower = body.toLowerCase();
    if (lower === "inf" || lower === "infinity") return sign * Number.POSITIVE_INFINITY;
    if (lower === "nan") return Number.NaN;
    return null;
  }
  const value = Number(body);
  if (!Number.isFinite(value)) return null;
  return sign * value;
}

/** Returns the end of the float token fmt's scanner reads from s at i (ss.floatToken). */
function floatTokenEnd(s: string, i: number): number {
  const accept = (chars: string) => {
    if (i < s.length && chars.includes(s[i]!)) {
      i++;
      return true;
    }
    return false;
  };
  const start = i;
  if (accept("nN") && accept("aA") && accept("nN")) return i;
  i = start;
  accept("+-");
  const afterSign = i;
  if (accept("iI") && accept("nN") && accept("fF")) return i;
  i = afterSign;
  let digits = "0123456789_";
  let exponent = "eEpP";
  if (accept("0") && accept("xX")) {
    digits = "0123456789aAbBcCdDeEfF_";
    exponent = "pP";
  }
  while (accept(digits));
  if (accept(".")) while (accept(digits));
  if (accept(exponent)) {
    accept("+-");
    while (accept("0123456789_"));
  }
  return i;
}

/** Converts a float token as fmt's scanner does; a string is Go's error message. */
function convertFloat(token: string): number | string {
  const value = parseGoFloat(token);
  if (value !== null) return value;
  const reason =
    /^[+-]?(0[xX])?[0-9a-fA-F_.]+([eEpP][+-]?[0-9_]+)?$/.test(token) &&
    !/^[+-]?0[xX][^pP]*$/.test(token)
      ? "value out of range"
      : "invalid syntax";
  return `strconv.ParseFloat: parsing ${JSON.stringify(token)}: ${reason}`;
}

/**
 * Parses a complex literal such as "1+2i" as fmt.Sscan does for the parser;
 * a string result is the error message Go reports.
 */
export function parseGoComplex(s: string): { re: number; im: number } | string {
  const complexError = "syntax error scanning complex number";
  const realEnd = floatTokenEnd(s, 0);
  if (realEnd >= s.length || (s[realEnd] !== "+" && s[realEnd] !== "-")) return complexError;
  const imagEnd = floatTokenEnd(s, realEnd + 1);
  if (s[imagEnd] !== "i") return complexError;
  const re = convertFloat(s.slice(0, realEnd));
  if (typeof re === "string") return re;
  const im = convertFloat(s[realEnd] + s.slice(realEnd + 1, imagEnd));
  if (typeof im === "string") return im;
  return { re, im };
}

/** Converts a float to int64 the way Go's conversion does for in-range values; null when out of range. */
export function floatToInt64(f: number): bigint | null {
  if (!Number.isFinite(f) || f >= 2 ** 63 || f < -(2 ** 63)) return null;
  return BigInt(Math.trunc(f));
}
