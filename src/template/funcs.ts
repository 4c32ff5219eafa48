/**
 * Template functions and methods with their Go signatures. The executor uses
 * the signature to check argument counts and to convert literal arguments the
 * way Go's reflection-based calls do, so errors read as Go's.
 */

import { withoutStack } from "./errors.js";
import { sprint, sprintf, sprintln } from "./fmt.js";
import { escapedByte, goByteLength, goBytes, goStringFromBytes, mayHoldBytes } from "./gostring.js";
import { durationString, GoTime, monthName, weekdayName } from "./gotime.js";
import {
  type GoComplex,
  GoLocation,
  GoNumber,
  GoStruct,
  type GoValue,
  intValue,
  isTrue,
  kindOf,
  typeName,
} from "./values.js";

/** GoType is a parameter type: its Go name and the kind that decides literal conversion. */
export interface GoType {
  readonly name: string;
  readonly kind:
    | "string"
    | "bool"
    | "int"
    | "uint"
    | "float"
    | "complex"
    | "iface"
    | "value"
    | "struct"
    | "ptr";
}

export const T_STRING: GoType = { name: "string", kind: "string" };
export const T_INT: GoType = { name: "int", kind: "int" };
export const T_ANY: GoType = { name: "interface {}", kind: "iface" };
export const T_VALUE: GoType = { name: "reflect.Value", kind: "value" };
export const T_DURATION: GoType = { name: "time.Duration", kind: "int" };
export const T_TIME: GoType = { name: "time.Time", kind: "struct" };
export const T_LOCATION: GoType = { name: "*time.Location", kind: "ptr" };

/** GoError is an error a function returns; the executor reports it as "error calling NAME: ...". */
export class GoError extends Error {
  /** Creates the error without a stack trace, which a Go error value never needs. */
  static of(message: string): GoError {
    return withoutStack(() => new GoError(message));
  }
}

/** Runtime services a call may need. */
export interface CallEnv {
  now(): GoTime;
  secret(name: string): string;
}

/** GoFunc is a callable with a Go signature. `numOut` counts results, a trailing error included. */
export interface GoFunc {
  readonly params: readonly GoType[];
  readonly variadic: boolean;
  readonly numOut: number;
  readonly returnsError: boolean;
  call(args: GoValue[], env: CallEnv): GoValue;
}

function fn(
  params: readonly GoType[],
  call: (args: GoValue[], env: CallEnv) => GoValue,
  options: { variadic?: boolean; returnsError?: boolean; numOut?: number } = {},
): GoFunc {
  const returnsError = options.returnsError ?? false;
  return {
    params,
    variadic: options.variadic ?? false,
    returnsError,
    numOut: options.numOut ?? (returnsError ? 2 : 1),
    call,
  };
}

/** Reports whether Go can call a function with this many results from a template. */
export function goodFunc(f: GoFunc): boolean {
  return f.numOut === 1 || (f.numOut === 2 && f.returnsError);
}

// Builtins.

const stringBytes = goBytes;
const bytesToString = goStringFromBytes;

function indexArg(index: GoValue, cap: number): number {
  const kind = kindOf(index);
  if (kind === "invalid") throw GoError.of("cannot index slice/array with nil");
  if (kind !== "int" && kind !== "uint") {
    throw GoError.of(`cannot index slice/array with type ${typeName(index)}`);
  }
  const x = intValue(index);
  if (x < 0n || x > BigInt(cap)) throw GoError.of(`index out of range: ${x}`);
  return Number(x);
}

function index(args: GoValue[]): GoValue {
  let item = args[0];
  if (item === undefined) throw GoError.of("index of untyped nil");
  for (let i = 1; i < args.length; i++) {
    const idx = args[i];
    if (typeof item === "string") {
      const bytes = stringBytes(item);
      const x = indexArg(idx, bytes.length);
      if (x === bytes.length) throw GoError.of("reflect: string index out of range");
      item = new GoNumber("uint8", BigInt(bytes[x]!));
    } else {
      throw GoError.of(`can't index item of type ${typeName(item)}`);
    }
  }
  return item;
}

function slice(args: GoValue[]): GoValue {
  const item = args[0];
  if (item === undefined) throw GoError.of("slice of untyped nil");
  const indexes = args.slice(1);
  if (indexes.length > 3) throw GoError.of(`too many slice indexes: ${indexes.length}`);
  if (typeof item !== "string") throw GoError.of(`can't slice item of type ${typeName(item)}`);
  if (indexes.length === 3) throw GoError.of("cannot 3-index slice a string");
  const bytes = stringBytes(item);
  const idx = [0, bytes.length];
  indexes.forEach((index, i) => {
    idx[i] = indexArg(index, bytes.length);
  });
  if (idx[0]! > idx[1]!) throw GoError.of(`invalid slice index: ${idx[0]} > ${idx[1]}`);
  if (idx[0] === 0 && idx[1] === bytes.length) return item;
  return bytesToString(bytes.subarray(idx[0], idx[1]));
}

function length(args: GoValue[]): GoValue {
  const item = args[0];
  if (typeof item === "string") {
    return goByteLength(item);
  }
  if (item === undefined) throw GoError.of("reflect: call of reflect.Value.Type on zero Value");
  if (item instanceof GoLocation) throw GoError.of("len of type time.Location");
  throw GoError.of(`len of type ${typeName(item)}`);
}

function call(args: GoValue[]): GoValue {
  const f = args[0];
  if (f === undefined) throw GoError.of("call of nil");
  throw GoError.of(`non-function of type ${typeName(f)}`);
}

// Comparisons, as Go's eq/lt: same basic kind, or signed against unsigned integers.

type BasicKind = "invalid" | "bool" | "complex" | "int" | "float" | "string" | "uint";

function basicKind(v: GoValue): BasicKind {
  const kind = kindOf(v);
  switch (kind) {
    case "bool":
    case "complex":
    case "int":
    case "float":
    case "string":
    case "uint":
      return kind;
    default:
      return "invalid";
  }
}

const ERR_BAD_COMPARISON_TYPE = "invalid type for comparison";
const ERR_BAD_COMPARISON = "incompatible types for comparison";

function floatOf(v: GoValue): number {
  return (v as GoNumber).value as number;
}

function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  // Go compares bytes; UTF-16 order differs only for characters above U+FFFF.
  return Buffer.compare(goBytes(a), goBytes(b));
}

function structEqual(a: GoValue, b: GoValue): boolean {
  if (a instanceof GoTime && b instanceof GoTime) {
    return a.sec === b.sec && a.nsec === b.nsec && a.loc === b.loc;
  }
  if (a instanceof GoStruct && b instanceof GoStruct) {
    return (
      a.type === b.type &&
      a.fields.every((f) => {
        const x = a.get(f);
        const y = b.get(f);
        return x instanceof GoNumber && y instanceof GoNumber ? x.value === y.value : x === y;
      })
    );
  }
  return a === b;
}

function eq(args: GoValue[]): GoValue {
  const arg1 = args[0];
  if (args.length < 2) throw GoError.of("missing argument for comparison");
  const k1 = basicKind(arg1);
  for (let i = 1; i < args.length; i++) {
    const arg = args[i];
    const k2 = basicKind(arg);
    let truth = false;
    if (k1 !== k2) {
      if (k1 === "int" && k2 === "uint") {
        truth = intValue(arg1) >= 0n && intValue(arg1) === intValue(arg);
      } else if (k1 === "uint" && k2 === "int") {
        truth = intValue(arg) >= 0n && intValue(arg1) === intValue(arg);
      } else if (arg1 !== undefined && arg !== undefined) {
        throw GoError.of(ERR_BAD_COMPARISON);
      }
    } else {
      switch (k1) {
        case "bool":
        case "string":
          truth = arg1 === arg;
          break;
        case "complex": {
          const a = arg1 as GoComplex;
          const b = arg as GoComplex;
          truth = a.re === b.re && a.im === b.im;
          break;
        }
        case "float":
          truth = floatOf(arg1) === floatOf(arg);
          break;
        case "int":
        case "uint":
          truth = intValue(arg1) === intValue(arg);
          break;
        default: {
          const kind1 = kindOf(arg1);
          const kind2 = kindOf(arg);
          if (kind1 !== kind2 && kind1 !== "invalid" && kind2 !== "invalid") {
            throw GoError.of(
              `non-comparable types ${sprint([arg1])}: ${typeName(arg1)}, ${typeName(arg)}: ${sprint([arg])}`,
            );
          }
          if (arg1 === undefined || arg === undefined) truth = arg1 === arg;
          else truth = structEqual(arg1, arg);
        }
      }
    }
    if (truth) return true;
  }
  return false;
}

function lt(arg1: GoValue, arg2: GoValue): boolean {
  const k1 = basicKind(arg1);
  if (k1 === "invalid") throw GoError.of(ERR_BAD_COMPARISON_TYPE);
  const k2 = basicKind(arg2);
  if (k2 === "invalid") throw GoError.of(ERR_BAD_COMPARISON_TYPE);
  if (k1 !== k2) {
    if (k1 === "int" && k2 === "uint")
      return intValue(arg1) < 0n || intValue(arg1) < intValue(arg2);
    if (k1 === "uint" && k2 === "int")
      return intValue(arg2) >= 0n && intValue(arg1) < intValue(arg2);
    throw GoError.of(ERR_BAD_COMPARISON);
  }
  switch (k1) {
    case "bool":
    case "complex":
      throw GoError.of(ERR_BAD_COMPARISON_TYPE);
    case "float":
      return floatOf(arg1) < floatOf(arg2);
    case "string":
      return compareStrings(arg1 as string, arg2 as string) < 0;
    default:
      return intValue(arg1) < intValue(arg2);
  }
}

function le(a: GoValue, b: GoValue): boolean {
  return lt(a, b) || (eq([a, b]) as boolean);
}

// Escapers.

/** Returns the single string argument, or the arguments printed as fmt.Sprint does. */
function evalArgs(args: GoValue[]): string {
  if (args.length === 1 && typeof args[0] === "string") return args[0];
  // A nil argument prints as "<no value>", as Go's printableValue makes it.
  return sprint(args.map((a) => (a === undefined ? "<no value>" : a)));
}

const HTML_ESCAPES: Record<string, string> = {
  "\0": "\uFFFD",
  '"': "&#34;",
  "'": "&#39;",
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
};

/** Escapes text as Go's template.HTMLEscapeString does. */
export function htmlEscape(s: string): string {
  return s.replace(/[\0"'&<>]/g, (c) => HTML_ESCAPES[c]!);
}

const JS_ESCAPES: Record<string, string> = {
  "\\": "\\\\",
  "'": "\\'",
  '"': '\\"',
  "<": "\\u003C",
  ">": "\\u003E",
  "&": "\\u0026",
  "=": "\\u003D",
};

const PRINTABLE = /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u;

/** Escapes text as Go's template.JSEscapeString does. */
export function jsEscape(s: string): string {
  if (!/[\\'"<>&=\x00-\x1f\u0080-\uffff]/.test(s)) return s;
  let out = "";
  for (const ch of s) {
    const r = ch.codePointAt(0)!;
    const escaped = JS_ESCAPES[ch];
    if (escaped !== undefined) {
      out += escaped;
    } else if (r < 0x20) {
      out += `\\u00${r.toString(16).toUpperCase().padStart(2, "0")}`;
    } else if (r < 0x80) {
      out += ch;
    } else if (escapedByte(r) >= 0) {
      out += ch; // Go copies an invalid byte unchanged.
    } else if (r >= 0xd800 && r <= 0xdfff) {
      out += "\\uFFFD";
    } else if (PRINTABLE.test(ch)) {
      out += ch;
    } else {
      out += `\\u${r.toString(16).toUpperCase().padStart(4, "0")}`;
    }
  }
  return out;
}

/** Escapes text as Go's url.QueryEscape does. */
export function urlQueryEscape(s: string): string {
  let out = "";
  for (const b of goBytes(s)) {
    if (
      (b >= 0x41 && b <= 0x5a) ||
      (b >= 0x61 && b <= 0x7a) ||
      (b >= 0x30 && b <= 0x39) ||
      b === 0x2d ||
      b === 0x5f ||
      b === 0x2e ||
      b === 0x7e
    ) {
      out += String.fromCharCode(b);
    } else if (b === 0x20) {
      out += "+";
    } else {
      out += `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
    }
  }
  return out;
}

// Pogo functions.

const UNICODE_SPACE =
  "[\\t\\n\\v\\f\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]";
const TRIM_SPACE = new RegExp(`^${UNICODE_SPACE}+|${UNICODE_SPACE}+$`, "g");

/**
 * Simple case mappings where JavaScript's full mapping yields several
 * characters but Unicode's one-character mapping, which Go uses, differs.
 */
const SIMPLE_UPPER: ReadonlyMap<number, number> = new Map([
  ...[0x1f80, 0x1f90, 0x1fa0].flatMap((base) =>
    Array.from({ length: 8 }, (_, i) => [base + i, base + i + 8] as [number, number]),
  ),
  [0x1fb3, 0x1fbc],
  [0x1fc3, 0x1fcc],
  [0x1ff3, 0x1ffc],
]);
const SIMPLE_LOWER: ReadonlyMap<number, number> = new Map([[0x130, 0x69]]);

function mapRunes(s: string, upper: boolean): string {
  if (/^[\x00-\x7f]*$/.test(s)) return upper ? s.toUpperCase() : s.toLowerCase();
  let out = "";
  for (const ch of s) {
    if (mayHoldBytes(ch)) {
      // An invalid byte maps to U+FFFD; a valid surrogate pair maps like any character.
      out += ch.length === 1 ? "\uFFFD" : ch;
      continue;
    }
    // Go maps rune by rune with the one-character mapping.
    const mapped = upper ? ch.toUpperCase() : ch.toLowerCase();
    if ([...mapped].length === 1) {
      out += mapped;
      continue;
    }
    const simple = (upper ? SIMPLE_UPPER : SIMPLE_LOWER).get(ch.codePointAt(0)!);
    out += simple === undefined ? ch : String.fromCodePoint(simple);
  }
  return out;
}

const BASE64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const BASE64_DECODE = new Int16Array(256).fill(-1);
for (let i = 0; i < BASE64_ALPHABET.length; i++) BASE64_DECODE[BASE64_ALPHABET.charCodeAt(i)] = i;

/** Decodes standard padded base64 as Go's base64.StdEncoding.DecodeString does, errors included. */
export function decodeBase64(text: string): string {
  const src = goBytes(text);
  const out: number[] = [];
  let si = 0;
  const corrupt = (at: number): never => {
    throw GoError.of(`illegal base64 data at input byte ${at}`);
  };
  const isNewline = (c: number | undefined) => c === 0x0a || c === 0x0d;
  while (si < src.length) {
    const dbuf = [0, 0, 0, 0];
    let dlen = 4;
    for (let j = 0; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return bytesToString(Uint8Array.from(out));
        corrupt(si - j);
      }
      const c = src[si]!;
      si++;
      const v = BASE64_DECODE[c]!;
      if (v >= 0) {
        dbuf[j] = v;
        continue;
      }
      if (isNewline(c)) {
        j--;
        continue;
      }
      if (c !== 0x3d) corrupt(si - 1);
      // Padding: only after two or three symbols.
      if (j === 0 || j === 1) corrupt(si - 1);
      if (j === 2) {
        while (si < src.length && isNewline(src[si])) si++;
        if (si === src.length) corrupt(src.length);
        if (src[si] !== 0x3d) corrupt(si - 1);
        si++;
      }
      while (si < src.length && isNewline(src[si])) si++;
      if (si < src.length) {
        pushQuantum(out, dbuf, j);
        corrupt(si);
      }
      dlen = j;
      break;
    }
    pushQuantum(out, dbuf, dlen);
    if (dlen < 4) break;
  }
  return bytesToString(Uint8Array.from(out));
}

function pushQuantum(out: number[], d: number[], dlen: number): void {
  const val = (d[0]! << 18) | (d[1]! << 12) | (d[2]! << 6) | d[3]!;
  if (dlen >= 2) out.push((val >> 16) & 0xff);
  if (dlen >= 3) out.push((val >> 8) & 0xff);
  if (dlen >= 4) out.push(val & 0xff);
}

/** BUILTINS are Go's predefined template functions. */
export const BUILTINS: ReadonlyMap<string, GoFunc> = new Map<string, GoFunc>([
  ["and", fn([T_VALUE, T_VALUE], () => undefined, { variadic: true })],
  ["or", fn([T_VALUE, T_VALUE], () => undefined, { variadic: true })],
  ["call", fn([T_VALUE, T_VALUE], call, { variadic: true, returnsError: true })],
  ["html", fn([T_ANY], (a) => htmlEscape(evalArgs(a)), { variadic: true })],
  ["index", fn([T_VALUE, T_VALUE], index, { variadic: true, returnsError: true })],
  ["slice", fn([T_VALUE, T_VALUE], slice, { variadic: true, returnsError: true })],
  ["js", fn([T_ANY], (a) => jsEscape(evalArgs(a)), { variadic: true })],
  ["len", fn([T_VALUE], length, { returnsError: true })],
  ["not", fn([T_VALUE], (a) => !isTrue(a[0]))],
  ["print", fn([T_ANY], (a) => sprint(a), { variadic: true })],
  ["printf", fn([T_STRING, T_ANY], (a) => sprintf(a[0] as string, a.slice(1)), { variadic: true })],
  ["println", fn([T_ANY], (a) => sprintln(a), { variadic: true })],
  ["urlquery", fn([T_ANY], (a) => urlQueryEscape(evalArgs(a)), { variadic: true })],
  ["eq", fn([T_VALUE, T_VALUE], eq, { variadic: true, returnsError: true })],
  ["ge", fn([T_VALUE, T_VALUE], (a) => !lt(a[0], a[1]), { returnsError: true })],
  ["gt", fn([T_VALUE, T_VALUE], (a) => !le(a[0], a[1]), { returnsError: true })],
  ["le", fn([T_VALUE, T_VALUE], (a) => le(a[0], a[1]), { returnsError: true })],
  ["lt", fn([T_VALUE, T_VALUE], (a) => lt(a[0], a[1]), { returnsError: true })],
  ["ne", fn([T_VALUE, T_VALUE], (a) => !eq([a[0], a[1]]), { returnsError: true })],
]);

/** POGO_FUNCS are the functions Pogo adds to every template. */
export const POGO_FUNCS: ReadonlyMap<string, GoFunc> = new Map<string, GoFunc>([
  ["toUpper", fn([T_STRING], (a) => mapRunes(a[0] as string, true))],
  ["toLower", fn([T_STRING], (a) => mapRunes(a[0] as string, false))],
  ["trim", fn([T_STRING], (a) => (a[0] as string).replace(TRIM_SPACE, ""))],
  ["btoa", fn([T_STRING], (a) => Buffer.from(goBytes(a[0] as string)).toString("base64"))],
  ["atob", fn([T_STRING], (a) => decodeBase64(a[0] as string), { returnsError: true })],
  ["now", fn([], (_a, env) => env.now())],
  [
    "secret",
    fn(
      [T_STRING],
      (a, env) => {
        try {
          return env.secret(a[0] as string);
        } catch (error) {
          throw GoError.of(error instanceof Error ? error.message : String(error));
        }
      },
      { returnsError: true },
    ),
  ],
]);

/** FUNCTION_NAMES is every name the parser accepts as a function. */
export const FUNCTION_NAMES: ReadonlySet<string> = new Set([
  ...BUILTINS.keys(),
  ...POGO_FUNCS.keys(),
]);

// Methods.

const int64 = (n: bigint) => new GoNumber("int64", n);
const duration = (n: bigint) => new GoNumber("time.Duration", n);
const float64 = (n: number) => GoNumber.float64(n);
const T_INT_ARGS3 = [T_INT, T_INT, T_INT];
const NANOS = 1_000_000_000n;

function timeOf(args: GoValue[]): GoTime {
  return args[0] as GoTime;
}

function timeMethod(
  params: readonly GoType[],
  impl: (t: GoTime, args: GoValue[]) => GoValue,
  numOut = 1,
): GoFunc {
  return fn(params, (args) => impl(timeOf(args), args.slice(1)), { numOut });
}

const noResult = (): GoValue => undefined;

// NOTE: the methods that take or return []byte (AppendFormat, MarshalJSON, MarshalText,
// MarshalBinary, GobEncode) are missing: calling them is "can't evaluate field" here,
// where Go prints the bytes. No other value in a Pogo template is a byte slice.
const TIME_METHODS: ReadonlyMap<string, GoFunc> = new Map<string, GoFunc>([
  ["Add", timeMethod([T_DURATION], (t, [d]) => t.add(intValue(d)))],
  [
    "AddDate",
    timeMethod(T_INT_ARGS3, (t, [y, m, d]) =>
      t.addDate(Number(intValue(y)), Number(intValue(m)), Number(intValue(d))),
    ),
  ],
  ["After", timeMethod([T_TIME], (t, [u]) => t.unixNano() > (u as GoTime).unixNano())],
  ["Before", timeMethod([T_TIME], (t, [u]) => t.unixNano() < (u as GoTime).unixNano())],
  ["Clock", timeMethod([], noResult, 3)],
  ["Date", timeMethod([], noResult, 3)],
  ["Day", timeMethod([], (t) => t.day())],
  ["Equal", timeMethod([T_TIME], (t, [u]) => t.unixNano() === (u as GoTime).unixNano())],
  ["Format", timeMethod([T_STRING], (t, [layout]) => t.format(layout as string))],
  ["GoString", timeMethod([], (t) => t.goString())],
  ["Hour", timeMethod([], (t) => t.hour())],
  ["ISOWeek", timeMethod([], noResult, 2)],
  [
    "In",
    timeMethod([T_LOCATION], (t, [loc]) => {
      if (loc === undefined) throw GoError.of("time: missing Location in call to Time.In");
      return t.in(loc as GoLocation);
    }),
  ],
  ["IsDST", timeMethod([], () => false)],
  ["IsZero", timeMethod([], (t) => t.isZero())],
  ["Local", timeMethod([], (t) => t.in(GoLocation.Local))],
  ["Location", timeMethod([], (t) => t.loc)],
  ["Minute", timeMethod([], (t) => t.minute())],
  ["Month", timeMethod([], (t) => new GoNumber("time.Month", BigInt(t.month())))],
  ["Nanosecond", timeMethod([], (t) => t.nsec)],
  ["Round", timeMethod([T_DURATION], (t, [d]) => t.round(intValue(d)))],
  ["Second", timeMethod([], (t) => t.second())],
  ["String", timeMethod([], (t) => t.toString())],
  ["Sub", timeMethod([T_TIME], (t, [u]) => duration(t.unixNano() - (u as GoTime).unixNano()))],
  ["Truncate", timeMethod([T_DURATION], (t, [d]) => t.truncate(intValue(d)))],
  ["UTC", timeMethod([], (t) => t.in(GoLocation.UTC))],
  ["Unix", timeMethod([], (t) => int64(t.sec))],
  ["UnixMicro", timeMethod([], (t) => int64(t.unixNano() / 1000n))],
  ["UnixMilli", timeMethod([], (t) => int64(t.unixNano() / 1_000_000n))],
  // Go computes UnixNano in int64, which wraps for years before 1678 or after 2262.
  ["UnixNano", timeMethod([], (t) => int64(BigInt.asIntN(64, t.unixNano())))],
  ["Weekday", timeMethod([], (t) => new GoNumber("time.Weekday", BigInt(t.weekday())))],
  ["Year", timeMethod([], (t) => t.year())],
  ["YearDay", timeMethod([], (t) => t.yearDay())],
  ["Zone", timeMethod([], noResult, 2)],
  ["ZoneBounds", timeMethod([], noResult, 2)],
]);

function durationMethod(
  params: readonly GoType[],
  impl: (d: bigint, args: GoValue[]) => GoValue,
): GoFunc {
  return fn(params, (args) => impl(intValue(args[0]), args.slice(1)));
}

function durationFloat(d: bigint, unit: bigint): number {
  return Number(d / unit) + Number(d % unit) / Number(unit);
}

function roundDuration(d: bigint, m: bigint): bigint {
  if (m <= 0n) return d;
  let r = d % m;
  if (d < 0n) {
    r = -r;
    if (r + r < m) return d + r;
    return d - m + r;
  }
  if (r + r < m) return d - r;
  return d + m - r;
}

const DURATION_METHODS: ReadonlyMap<string, GoFunc> = new Map<string, GoFunc>([
  ["Abs", durationMethod([], (d) => duration(d < 0n ? -d : d))],
  ["Hours", durationMethod([], (d) => float64(durationFloat(d, 3600n * NANOS)))],
  ["Microseconds", durationMethod([], (d) => int64(d / 1000n))],
  ["Milliseconds", durationMethod([], (d) => int64(d / 1_000_000n))],
  ["Minutes", durationMethod([], (d) => float64(durationFloat(d, 60n * NANOS)))],
  ["Nanoseconds", durationMethod([], (d) => int64(d))],
  ["Round", durationMethod([T_DURATION], (d, [m]) => duration(roundDuration(d, intValue(m))))],
  ["Seconds", durationMethod([], (d) => float64(durationFloat(d, NANOS)))],
  ["String", durationMethod([], (d) => durationString(d))],
  [
    "Truncate",
    durationMethod([T_DURATION], (d, [m]) =>
      duration(intValue(m) <= 0n ? d : d - (d % intValue(m))),
    ),
  ],
]);

const MONTH_METHODS: ReadonlyMap<string, GoFunc> = new Map([
  ["String", durationMethod([], (m) => monthName(m))],
]);
const WEEKDAY_METHODS: ReadonlyMap<string, GoFunc> = new Map([
  ["String", durationMethod([], (d) => weekdayName(d))],
]);
const LOCATION_METHODS: ReadonlyMap<string, GoFunc> = new Map([
  ["String", fn([], (args) => (args[0] as GoLocation).name)],
]);

/** Returns the method set of a value's type, with the receiver as the first argument. */
export function methodsOf(v: GoValue): ReadonlyMap<string, GoFunc> | undefined {
  if (v instanceof GoTime) return TIME_METHODS;
  if (v instanceof GoNumber) {
    switch (v.type) {
      case "time.Duration":
        return DURATION_METHODS;
      case "time.Month":
        return MONTH_METHODS;
      case "time.Weekday":
        return WEEKDAY_METHODS;
    }
    return undefined;
  }
  if (v instanceof GoLocation) return LOCATION_METHODS;
  return undefined;
}
