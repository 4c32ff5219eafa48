/**
 * Go's `fmt` printing for template values: Sprint, Sprintln and Sprintf with
 * verbs, flags, width, precision, `*`, `[n]` argument indexes and Go's error
 * forms (`%!d(string=x)`, `%!s(MISSING)`, `%!(EXTRA int=1)`, ...).
 */

import { formatFloat } from "./ftoa.js";
import { goBytes } from "./gostring.js";
import { durationString, GoTime, monthName, weekdayName } from "./gotime.js";
import { goQuote, goQuoteASCII, goQuoteRune, isPrintRune } from "./quote.js";
import {
  GoComplex,
  GoLocation,
  GoNumber,
  GoStruct,
  type GoValue,
  kindOf,
  typeName,
} from "./values.js";

const MAX_RUNE = 0x10ffff;

/** Returns the String() method's result for values whose type has one, else undefined. */
export function stringerOf(v: GoValue): string | undefined {
  if (v instanceof GoTime) return v.toString();
  if (v instanceof GoNumber) {
    switch (v.type) {
      case "time.Month":
        return monthName(v.bigint);
      case "time.Weekday":
        return weekdayName(v.bigint);
      case "time.Duration":
        return durationString(v.bigint);
    }
    return undefined;
  }
  if (v instanceof GoLocation) return v.name;
  return undefined;
}

/** Formats one value as `{{.}}` and fmt.Sprint print it. */
export function sprintValue(v: GoValue): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "bigint") return String(v);
  if (typeof v === "boolean") return v ? "true" : "false";
  const p = acquirePrinter();
  p.printArg(v, "v");
  return releasePrinter(p);
}

// One idle printer is kept for reuse, like Go's sync.Pool of pp values.
let idlePrinter: Printer | null = null;

function acquirePrinter(): Printer {
  const p = idlePrinter ?? new Printer();
  idlePrinter = null;
  return p;
}

function releasePrinter(p: Printer): string {
  const out = p.out;
  p.out = "";
  p.reset();
  idlePrinter = p;
  return out;
}

/** Formats values as fmt.Sprint does: spaces only between operands that are not strings. */
export function sprint(args: readonly GoValue[]): string {
  let out = "";
  let prevString = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const isString = typeof arg === "string";
    if (i > 0 && !isString && !prevString) out += " ";
    out += sprintValue(arg);
    prevString = isString;
  }
  return out;
}

/** Formats values as fmt.Sprintln does: always spaced, with a final newline. */
export function sprintln(args: readonly GoValue[]): string {
  let out = "";
  for (let i = 0; i < args.length; i++) {
    if (i > 0) out += " ";
    out += sprintValue(args[i]);
  }
  return `${out}\n`;
}

/** Formats values as fmt.Sprintf does. */
export function sprintf(format: string, args: readonly GoValue[]): string {
  const p = acquirePrinter();
  p.doPrintf(format, args);
  return releasePrinter(p);
}

function runeCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) n++;
  }
  return n;
}

function tooLarge(n: number): boolean {
  return n > 1e6 || n < -1e6;
}

function parsenum(
  s: string,
  start: number,
  end: number,
): { num: number; isnum: boolean; next: number } {
  if (start >= end) return { num: 0, isnum: false, next: end };
  let num = 0;
  let isnum = false;
  let i = start;
  for (; i < end && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39; i++) {
    if (tooLarge(num)) return { num: 0, isnum: false, next: end };
    num = num * 10 + (s.charCodeAt(i) - 0x30);
    isnum = true;
  }
  return { num, isnum, next: i };
}

/** Printer is one formatting operation's buffer and flags, like Go's `pp` and `fmt`. */
class Printer {
  out = "";
  // Flags of the current verb.
  private plus = false;
  private minus = false;
  private sharp = false;
  private space = false;
  private zero = false;
  private plusV = false;
  private sharpV = false;
  private wid = 0;
  private widPresent = false;
  private prec = 0;
  private precPresent = false;
  // Printing state.
  private arg: GoValue = undefined;
  private erroring = false;
  private reordered = false;
  private goodArgNum = true;

  /** Clears all state so the printer can format again. */
  reset(): void {
    this.clearFlags();
    this.arg = undefined;
    this.erroring = false;
    this.reordered = false;
    this.goodArgNum = true;
  }

  private clearFlags(): void {
    this.plus = this.minus = this.sharp = this.space = this.zero = false;
    this.plusV = this.sharpV = false;
    this.wid = this.prec = 0;
    this.widPresent = this.precPresent = false;
  }

  // Padding.

  private writePadding(n: number): void {
    if (n <= 0) return;
    this.out += (this.zero ? "0" : " ").repeat(n);
  }

  private pad(s: string): void {
    if (!this.widPresent || this.wid === 0) {
      this.out += s;
      return;
    }
    const width = this.wid - runeCount(s);
    if (!this.minus) {
      this.writePadding(width);
      this.out += s;
    } else {
      this.out += s;
      this.writePadding(width);
    }
  }

  // Elementary formats.

  private fmtBoolean(v: boolean): void {
    this.pad(v ? "true" : "false");
  }

  private fmtUnicode(u: bigint): void {
    let prec = 4;
    if (this.precPresent && this.prec > 4) prec = this.prec;
    let hex = u.toString(16).toUpperCase();
    if (hex.length < prec) hex = hex.padStart(prec, "0");
    let s = `U+${hex}`;
    if (this.sharp && u <= BigInt(MAX_RUNE) && isPrintRune(Number(u))) {
      s += ` '${String.fromCodePoint(Number(u))}'`;
    }
    const oldZero = this.zero;
    this.zero = false;
    this.pad(s);
    this.zero = oldZero;
  }

  private fmtInteger(value: bigint, base: number, verb: string, upper: boolean): void {
    const negative = value < 0n;
    let u = negative ? -value : value;
    let prec = 0;
    if (this.precPresent) {
      prec = this.prec;
      if (prec === 0 && u === 0n) {
        const oldZero = this.zero;
        this.zero = false;
        this.writePadding(this.wid);
        this.zero = oldZero;
        return;
      }
    } else if (this.zero && this.widPresent) {
      prec = this.wid;
      if (negative || this.plus || this.space) prec--; // Leave room for the sign.
    }
    let digits = u.toString(base);
    if (upper) digits = digits.toUpperCase();
    u = 0n;
    if (digits.length < prec) digits = digits.padStart(prec, "0");
    if (this.sharp) {
      if (base === 2) digits = `0b${digits}`;
      else if (base === 8 && digits[0] !== "0") digits = `0${digits}`;
      else if (base === 16) digits = (upper ? "0X" : "0x") + digits;
    }
    if (verb === "O") digits = `0o${digits}`;
    if (negative) digits = `-${digits}`;
    else if (this.plus) digits = `+${digits}`;
    else if (this.space) digits = ` ${digits}`;
    const oldZero = this.zero;
    this.zero = false;
    this.pad(digits);
    this.zero = oldZero;
  }

  private truncateString(s: string): string {
    if (this.precPresent) {
      let n = this.prec;
      let i = 0;
      for (const ch of s) {
        n--;
        if (n < 0) return s.slice(0, i);
        i += ch.length;
      }
    }
    return s;
  }

  private fmtS(s: string): void {
    this.pad(this.truncateString(s));
  }

  private fmtSx(s: string, upper: boolean): void {
    const bytes = goBytes(s);
    let length = bytes.length;
    if (this.precPresent && this.prec < length) length = this.prec;
    let width = 2 * length;
    if (width > 0) {
      if (this.space) {
        if (this.sharp) width *= 2;
        width += length - 1;
      } else if (this.sharp) {
        width += 2;
      }
    } else {
      if (this.widPresent) this.writePadding(this.wid);
      return;
    }
    if (this.widPresent && this.wid > width && !this.minus) this.writePadding(this.wid - width);
    const digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    const prefix = upper ? "0X" : "0x";
    let buf = this.sharp ? prefix : "";
    for (let i = 0; i < length; i++) {
      if (this.space && i > 0) {
        buf += " ";
        if (this.sharp) buf += prefix;
      }
      const c = bytes[i]!;
      buf += digits[c >> 4]! + digits[c & 15]!;
    }
    this.out += buf;
    if (this.widPresent && this.wid > width && this.minus) this.writePadding(this.wid - width);
  }

  private fmtQ(s: string): void {
    s = this.truncateString(s);
    if (this.sharp && canBackquote(s)) {
      this.pad(`\`${s}\``);
      return;
    }
    this.pad(this.plus ? goQuoteASCII(s) : goQuote(s));
  }

  private fmtC(c: bigint): void {
    const r = c > BigInt(MAX_RUNE) ? 0xfffd : Number(c);
    this.pad(r >= 0xd800 && r <= 0xdfff ? "\ufffd" : String.fromCodePoint(r));
  }

  private fmtQc(c: bigint): void {
    const r = c > BigInt(MAX_RUNE) ? 0xfffd : Number(c);
    this.pad(goQuoteRune(r, this.plus));
  }

  private fmtFloatBits(v: number, verb: string, defaultPrec: number): void {
    const prec = this.precPresent ? this.prec : defaultPrec;
    let num = formatFloat(v, verb, prec);
    if (num[0] === "-" || num[0] === "+") {
      // keep the sign
    } else {
      num = `+${num}`;
    }
    if (this.space && num[0] === "+" && !this.plus) num = ` ${num.slice(1)}`;
    if (num[1] === "I" || num[1] === "N") {
      const oldZero = this.zero;
      this.zero = false;
      if (num[1] === "N" && !this.space && !this.plus) num = num.slice(1);
      this.pad(num);
      this.zero = oldZero;
      return;
    }
    if (this.sharp && verb !== "b") {
      let digits = 0;
      if (verb === "v" || verb === "g" || verb === "G" || verb === "x") {
        digits = prec === -1 ? 6 : prec;
      }
      let tail = "";
      let hasDecimalPoint = false;
      let sawNonzeroDigit = false;
      for (let i = 1; i < num.length; i++) {
        const ch = num[i]!;
        if (ch === ".") {
          hasDecimalPoint = true;
        } else if (ch === "p" || ch === "P") {
          tail = num.slice(i);
          num = num.slice(0, i);
        } else if ((ch === "e" || ch === "E") && verb !== "x" && verb !== "X") {
          tail = num.slice(i);
          num = num.slice(0, i);
        } else {
          if (ch !== "0") sawNonzeroDigit = true;
          if (sawNonzeroDigit) digits--;
        }
      }
      if (!hasDecimalPoint) {
        if (num.length === 2 && num[1] === "0") digits--;
        num += ".";
      }
      while (digits > 0) {
        num += "0";
        digits--;
      }
      num += tail;
    }
    if (this.plus || num[0] !== "+") {
      if (this.zero && this.widPresent && this.wid > num.length) {
        this.out += num[0];
        this.writePadding(this.wid - num.length);
        this.out += num.slice(1);
        return;
      }
      this.pad(num);
      return;
    }
    this.pad(num.slice(1));
  }

  // Per-type printing.

  private badVerb(verb: string): void {
    this.erroring = true;
    this.out += `%!${verb}(`;
    const arg = this.arg;
    if (arg !== undefined) {
      this.out += `${typeName(arg)}=`;
      this.printArg(arg, "v");
    } else {
      this.out += "<nil>";
    }
    this.out += ")";
    this.erroring = false;
  }

  private fmtBool(v: boolean, verb: string): void {
    if (verb === "t" || verb === "v") this.fmtBoolean(v);
    else this.badVerb(verb);
  }

  private fmtIntegerVerb(v: bigint, signed: boolean, verb: string): void {
    switch (verb) {
      case "v":
        if (this.sharpV && !signed) {
          const oldSharp = this.sharp;
          this.sharp = true;
          this.fmtInteger(v, 16, "v", false);
          this.sharp = oldSharp;
        } else {
          this.fmtInteger(v, 10, verb, false);
        }
        return;
      case "d":
        this.fmtInteger(v, 10, verb, false);
        return;
      case "b":
        this.fmtInteger(v, 2, verb, false);
        return;
      case "o":
      case "O":
        this.fmtInteger(v, 8, verb, false);
        return;
      case "x":
        this.fmtInteger(v, 16, verb, false);
        return;
      case "X":
        this.fmtInteger(v, 16, verb, true);
        return;
      case "c":
        this.fmtC(BigInt.asUintN(64, v));
        return;
      case "q":
        this.fmtQc(BigInt.asUintN(64, v));
        return;
      case "U":
        this.fmtUnicode(BigInt.asUintN(64, v));
        return;
      default:
        this.badVerb(verb);
    }
  }

  private fmtFloat(v: number, verb: string): void {
    switch (verb) {
      case "v":
        this.fmtFloatBits(v, "g", -1);
        return;
      case "b":
      case "g":
      case "G":
      case "x":
      case "X":
        this.fmtFloatBits(v, verb, -1);
        return;
      case "f":
      case "e":
      case "E":
        this.fmtFloatBits(v, verb, 6);
        return;
      case "F":
        this.fmtFloatBits(v, "f", 6);
        return;
      default:
        this.badVerb(verb);
    }
  }

  private fmtComplex(v: GoComplex, verb: string): void {
    switch (verb) {
      case "v":
      case "b":
      case "g":
      case "G":
      case "x":
      case "X":
      case "f":
      case "F":
      case "e":
      case "E": {
        const oldPlus = this.plus;
        this.out += "(";
        this.fmtFloat(v.re, verb);
        this.plus = true;
        this.fmtFloat(v.im, verb);
        this.out += "i)";
        this.plus = oldPlus;
        return;
      }
      default:
        this.badVerb(verb);
    }
  }

  private fmtString(v: string, verb: string): void {
    switch (verb) {
      case "v":
        if (this.sharpV) this.fmtQ(v);
        else this.fmtS(v);
        return;
      case "s":
        this.fmtS(v);
        return;
      case "x":
        this.fmtSx(v, false);
        return;
      case "X":
        this.fmtSx(v, true);
        return;
      case "q":
        this.fmtQ(v);
        return;
      default:
        this.badVerb(verb);
    }
  }

  /** Calls String or GoString where Go's fmt would; reports whether it did. */
  private handleMethods(verb: string): boolean {
    if (this.erroring) return false;
    if (verb === "w") {
      // %w wraps errors only in fmt.Errorf; Sprintf reports it as a bad verb.
      this.badVerb(verb);
      return true;
    }
    const arg = this.arg;
    if (this.sharpV) {
      if (arg instanceof GoTime) {
        this.fmtS(arg.goString());
        return true;
      }
      return false;
    }
    if (verb === "v" || verb === "s" || verb === "x" || verb === "X" || verb === "q") {
      const s = stringerOf(arg);
      if (s !== undefined) {
        this.fmtString(s, verb);
        return true;
      }
    }
    return false;
  }

  printArg(arg: GoValue, verb: string): void {
    this.arg = arg;
    if (arg === undefined) {
      if (verb === "T" || verb === "v") this.pad("<nil>");
      else this.badVerb(verb);
      return;
    }
    if (verb === "T") {
      this.fmtS(typeName(arg));
      return;
    }
    if (verb === "p") {
      this.badVerb(verb);
      return;
    }
    switch (typeof arg) {
      case "string":
        this.fmtString(arg, verb);
        return;
      case "boolean":
        this.fmtBool(arg, verb);
        return;
      case "number":
        this.fmtIntegerVerb(BigInt(arg), true, verb);
        return;
      case "bigint":
        this.fmtIntegerVerb(arg, true, verb);
        return;
    }
    // Go's type switch formats the predeclared types directly, without looking for methods.
    const predeclared =
      arg instanceof GoComplex || (arg instanceof GoNumber && !arg.type.startsWith("time."));
    if (!predeclared && this.handleMethods(verb)) return;
    this.printValue(arg, verb, 0);
  }

  /** Prints a value by its kind, as Go's printValue does for values without methods. */
  private printValue(v: GoValue, verb: string, depth: number): void {
    if (depth > 0 && v !== undefined) {
      this.arg = v;
      if (this.handleMethods(verb)) return;
    }
    this.arg = v;
    switch (kindOf(v)) {
      case "invalid":
        if (depth === 0) this.out += "<invalid reflect.Value>";
        else if (verb === "v") this.out += "<nil>";
        else this.badVerb(verb);
        return;
      case "string":
        this.fmtString(v as string, verb);
        return;
      case "bool":
        this.fmtBool(v as boolean, verb);
        return;
      case "int":
        this.fmtIntegerVerb(
          v instanceof GoNumber ? v.bigint : BigInt(v as number | bigint),
          true,
          verb,
        );
        return;
      case "uint":
        this.fmtIntegerVerb((v as GoNumber).bigint, false, verb);
        return;
      case "float":
        this.fmtFloat((v as GoNumber).value as number, verb);
        return;
      case "complex":
        this.fmtComplex(v as GoComplex, verb);
        return;
      case "ptr":
        this.fmtPointer(verb);
        return;
    }
    if (v instanceof GoStruct) {
      if (this.sharpV) this.out += v.type;
      this.out += "{";
      v.fields.forEach((field, i) => {
        if (i > 0) this.out += this.sharpV ? ", " : " ";
        if (this.plusV || this.sharpV) this.out += `${field.name}:`;
        this.printValue(v.get(field), verb, depth + 1);
      });
      this.out += "}";
      return;
    }
    if (v instanceof GoTime) {
      // time.Time's unexported fields: wall (nanoseconds, no monotonic reading), ext, loc.
      this.out += this.sharpV ? "time.Time{" : "{";
      const sep = this.sharpV ? ", " : " ";
      if (this.plusV || this.sharpV) this.out += "wall:";
      this.printValue(new GoNumber("uint64", BigInt(v.nsec)), verb, depth + 1);
      this.out += sep;
      if (this.plusV || this.sharpV) this.out += "ext:";
      this.printValue(new GoNumber("int64", v.internalSeconds()), verb, depth + 1);
      this.out += sep;
      if (this.plusV || this.sharpV) this.out += "loc:";
      this.arg = v.loc === GoLocation.UTC ? undefined : v.loc;
      // NOTE: a non-UTC zone is a pointer Go prints as an address; it prints as nil here.
      this.fmtNilPointer(verb);
      this.out += "}";
    }
  }

  private fmtPointer(verb: string): void {
    // The only pointer templates reach is *time.Location, whose address Go would print.
    this.fmtNilPointer(verb);
  }

  private fmtNilPointer(verb: string): void {
    switch (verb) {
      case "v":
        if (this.sharpV) this.out += "(*time.Location)(nil)";
        else this.pad("<nil>");
        return;
      case "b":
      case "o":
      case "d":
      case "x":
      case "X":
        this.fmtIntegerVerb(0n, false, verb);
        return;
      default:
        this.erroring = true;
        this.out += `%!${verb}(*time.Location=`;
        this.pad("<nil>");
        this.out += ")";
        this.erroring = false;
    }
  }

  // Printf.

  private argNumber(
    argNum: number,
    format: string,
    i: number,
    numArgs: number,
  ): { argNum: number; i: number; found: boolean } {
    if (format.length <= i || format[i] !== "[") return { argNum, i, found: false };
    this.reordered = true;
    const { index, wid, ok } = parseArgNumber(format.slice(i));
    if (ok && index >= 0 && index < numArgs) return { argNum: index, i: i + wid, found: true };
    this.goodArgNum = false;
    return { argNum, i: i + wid, found: ok };
  }

  doPrintf(format: string, a: readonly GoValue[]): void {
    const end = format.length;
    let argNum = 0;
    let afterIndex = false;
    this.reordered = false;
    formatLoop: for (let i = 0; i < end; ) {
      this.goodArgNum = true;
      const lasti = i;
      while (i < end && format[i] !== "%") i++;
      if (i > lasti) this.out += format.slice(lasti, i);
      if (i >= end) break;
      i++; // Skip the %.
      this.clearFlags();
      simpleFormat: for (; i < end; i++) {
        const c = format[i]!;
        switch (c) {
          case "#":
            this.sharp = true;
            break;
          case "0":
            this.zero = !this.minus; // Only pad with zeros on the left.
            break;
          case "+":
            this.plus = true;
            break;
          case "-":
            this.minus = true;
            this.zero = false;
            break;
          case " ":
            this.space = true;
            break;
          default:
            // Fast path for a simple verb with no width, precision or index.
            if (c >= "a" && c <= "z" && argNum < a.length) {
              if (c === "v") {
                this.sharpV = this.sharp;
                this.sharp = false;
                this.plusV = this.plus;
                this.plus = false;
              }
              this.printArg(a[argNum], c);
              argNum++;
              i++;
              continue formatLoop;
            }
            break simpleFormat;
        }
      }

      ({ argNum, i, found: afterIndex } = this.argNumber(argNum, format, i, a.length));

      if (i < end && format[i] === "*") {
        i++;
        ({ num: this.wid, isInt: this.widPresent, argNum } = intFromArg(a, argNum));
        if (!this.widPresent) this.out += "%!(BADWIDTH)";
        if (this.wid < 0) {
          this.wid = -this.wid;
          this.minus = true;
          this.zero = false;
        }
        afterIndex = false;
      } else {
        const parsed = parsenum(format, i, end);
        this.wid = parsed.num;
        this.widPresent = parsed.isnum;
        i = parsed.next;
        if (afterIndex && this.widPresent) this.goodArgNum = false; // "%[3]2d"
      }

      if (i + 1 < end && format[i] === ".") {
        i++;
        if (afterIndex) this.goodArgNum = false; // "%[3].2d"
        ({ argNum, i, found: afterIndex } = this.argNumber(argNum, format, i, a.length));
        if (i < end && format[i] === "*") {
          i++;
          ({ num: this.prec, isInt: this.precPresent, argNum } = intFromArg(a, argNum));
          if (this.prec < 0) {
            this.prec = 0;
            this.precPresent = false;
          }
          if (!this.precPresent) this.out += "%!(BADPREC)";
          afterIndex = false;
        } else {
          const parsed = parsenum(format, i, end);
          this.prec = parsed.num;
          this.precPresent = parsed.isnum;
          i = parsed.next;
          if (!this.precPresent) {
            this.prec = 0;
            this.precPresent = true;
          }
        }
      }

      if (!afterIndex) {
        ({ argNum, i, found: afterIndex } = this.argNumber(argNum, format, i, a.length));
      }

      if (i >= end) {
        this.out += "%!(NOVERB)";
        break;
      }

      const verb = String.fromCodePoint(format.codePointAt(i)!);
      i += verb.length;

      if (verb === "%") {
        this.out += "%";
      } else if (!this.goodArgNum) {
        this.out += `%!${verb}(BADINDEX)`;
      } else if (argNum >= a.length) {
        this.out += `%!${verb}(MISSING)`;
      } else {
        if (verb === "v") {
          this.sharpV = this.sharp;
          this.sharp = false;
          this.plusV = this.plus;
          this.plus = false;
        }
        this.printArg(a[argNum], verb);
        argNum++;
      }
    }

    if (!this.reordered && argNum < a.length) {
      this.clearFlags();
      this.out += "%!(EXTRA ";
      for (let k = argNum; k < a.length; k++) {
        if (k > argNum) this.out += ", ";
        const arg = a[k];
        if (arg === undefined) {
          this.out += "<nil>";
        } else {
          this.out += `${typeName(arg)}=`;
          this.printArg(arg, "v");
        }
      }
      this.out += ")";
    }
  }
}

function parseArgNumber(format: string): { index: number; wid: number; ok: boolean } {
  if (format.length < 3) return { index: 0, wid: 1, ok: false };
  for (let i = 1; i < format.length; i++) {
    if (format[i] === "]") {
      const { num, isnum, next } = parsenum(format, 1, i);
      if (!isnum || next !== i) return { index: 0, wid: i + 1, ok: false };
      return { index: num - 1, wid: i + 1, ok: true };
    }
  }
  return { index: 0, wid: 1, ok: false };
}

function intFromArg(
  a: readonly GoValue[],
  argNum: number,
): { num: number; isInt: boolean; argNum: number } {
  let num = 0;
  let isInt = false;
  let newArgNum = argNum;
  if (argNum < a.length) {
    const v = a[argNum];
    const kind = kindOf(v);
    if (kind === "int" || kind === "uint") {
      let n: bigint;
      if (v instanceof GoNumber) n = v.bigint;
      else if (typeof v === "bigint") n = v;
      else n = BigInt(v as number);
      if (n >= -(1n << 63n) && n < 1n << 63n) {
        num = Number(n);
        isInt = true;
      }
    }
    newArgNum = argNum + 1;
    if (tooLarge(num)) {
      num = 0;
      isInt = false;
    }
  }
  return { num, isInt, argNum: newArgNum };
}

function canBackquote(s: string): boolean {
  for (const ch of s) {
    const r = ch.codePointAt(0)!;
    if (r === 0x60 || r === 0xfeff) return false;
    if (r >= 0xd800 && r <= 0xdfff) return false;
    if (r < 0x20 && r !== 0x09) return false;
    if (r === 0x7f) return false;
  }
  return true;
}
