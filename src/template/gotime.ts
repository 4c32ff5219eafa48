/**
 * A Go-like `time.Time` for the `now` template function: the methods print
 * what Go 1.19 prints (`Format` with Go layouts, `String`, `Month` as
 * "January", ...). Times carry a fixed zone only; there is no zone database.
 */

import { goQuote } from "./quote.js";
import { GoLocation } from "./values.js";

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/** Seconds from 0001-01-01 to 1970-01-01, the offset between Go's internal and Unix time. */
const UNIX_TO_INTERNAL = 62135596800n;
const NANOS = 1_000_000_000n;

/** Returns what Go's time.Month.String prints. */
export function monthName(m: bigint): string {
  if (m >= 1n && m <= 12n) return MONTHS[Number(m) - 1]!;
  return `%!Month(${m})`;
}

/** Returns what Go's time.Weekday.String prints. */
export function weekdayName(d: bigint): string {
  if (d >= 0n && d <= 6n) return DAYS[Number(d)]!;
  return `%!Weekday(${d})`;
}

interface Civil {
  year: number;
  month: number;
  day: number;
  yday: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

/** GoTime is an instant (Unix seconds plus nanoseconds) seen in a fixed zone. */
export class GoTime {
  private civilCache: Civil | undefined;

  constructor(
    /** Seconds since the Unix epoch. */
    readonly sec: bigint,
    /** Nanoseconds within the second, 0 to 999999999. */
    readonly nsec: number,
    readonly loc: GoLocation,
  ) {}

  /** Builds a time from nanoseconds since the Unix epoch. */
  static fromUnixNano(nanos: bigint, loc: GoLocation): GoTime {
    let sec = nanos / NANOS;
    let nsec = nanos % NANOS;
    if (nsec < 0n) {
      nsec += NANOS;
      sec -= 1n;
    }
    return new GoTime(sec, Number(nsec), loc);
  }

  /** Parses an RFC 3339 time as Go's time.Parse(time.RFC3339Nano, ...) does; null when invalid. */
  static parseRFC3339(text: string): GoTime | null {
    const m =
      /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(Z|([+-])(\d{2}):(\d{2}))$/.exec(
        text,
      );
    if (!m) return null;
    const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as number[];
    if (month! < 1 || month! > 12 || day! < 1 || day! > daysIn(month!, year!)) return null;
    if (hour! > 23 || minute! > 59 || second! > 59) return null;
    const nsec = m[7] ? Number(m[7].padEnd(9, "0")) : 0;
    let offset = 0;
    if (m[8] !== "Z") {
      // Go 1.19 checks neither the hours nor the minutes of a zone offset.
      const oh = Number(m[10]);
      const om = Number(m[11]);
      offset = (oh * 3600 + om * 60) * (m[9] === "-" ? -1 : 1);
    }
    const local = civilToUnix(year!, month!, day!, hour!, minute!, second!);
    // Go uses the local zone for an offset equal to its own; the reference machine's is UTC.
    let loc = GoLocation.fixed(offset);
    if (m[8] === "Z") loc = GoLocation.UTC;
    else if (offset === 0) loc = GoLocation.Local;
    return new GoTime(local - BigInt(offset), nsec, loc);
  }

  private civil(): Civil {
    if (this.civilCache) return this.civilCache;
    const local = this.sec + BigInt(this.loc.offset);
    const date = new Date(Number(local) * 1000);
    const year = date.getUTCFullYear();
    const startOfYear = Number(civilToUnix(year, 1, 1, 0, 0, 0));
    const c: Civil = {
      year,
      month: date.getUTCMonth() + 1,
      day: date.getUTCDate(),
      yday: Math.floor((Number(local) - startOfYear) / 86400) + 1,
      hour: date.getUTCHours(),
      minute: date.getUTCMinutes(),
      second: date.getUTCSeconds(),
      weekday: date.getUTCDay(),
    };
    this.civilCache = c;
    return c;
  }

  year(): number {
    return this.civil().year;
  }
  month(): number {
    return this.civil().month;
  }
  day(): number {
    return this.civil().day;
  }
  hour(): number {
    return this.civil().hour;
  }
  minute(): number {
    return this.civil().minute;
  }
  second(): number {
    return this.civil().second;
  }
  weekday(): number {
    return this.civil().weekday;
  }
  yearDay(): number {
    return this.civil().yday;
  }
  unixNano(): bigint {
    return this.sec * NANOS + BigInt(this.nsec);
  }
  /** Seconds since 0001-01-01 UTC, Go's internal `ext` field for times without a monotonic reading. */
  internalSeconds(): bigint {
    return this.sec + UNIX_TO_INTERNAL;
  }
  isZero(): boolean {
    return this.sec === -UNIX_TO_INTERNAL && this.nsec === 0;
  }
  in(loc: GoLocation): GoTime {
    return new GoTime(this.sec, this.nsec, loc);
  }
  add(nanos: bigint): GoTime {
    return GoTime.fromUnixNano(this.unixNano() + nanos, this.loc);
  }

  /** Adds years, months and days, normalizing overflow as Go's AddDate does. */
  addDate(years: number, months: number, days: number): GoTime {
    const c = this.civil();
    const d = new Date(0);
    d.setUTCFullYear(c.year + years, c.month - 1 + months, c.day + days);
    d.setUTCHours(c.hour, c.minute, c.second, 0);
    const local = BigInt(Math.floor(d.getTime() / 1000));
    return new GoTime(local - BigInt(this.loc.offset), this.nsec, this.loc);
  }

  /** Rounds down to a multiple of d since the zero time, as Go's Truncate does. */
  truncate(d: bigint): GoTime {
    if (d <= 0n) return this;
    const total = this.internalSeconds() * NANOS + BigInt(this.nsec);
    return this.add(-(total % d));
  }

  /** Rounds to the nearest multiple of d since the zero time, halfway values up, as Go's Round does. */
  round(d: bigint): GoTime {
    if (d <= 0n) return this;
    const total = this.internalSeconds() * NANOS + BigInt(this.nsec);
    const r = total % d;
    if (r + r < d) return this.add(-r);
    return this.add(d - r);
  }

  /** Formats the time with a Go reference layout such as "2006-01-02T15:04:05Z07:00". */
  format(layout: string): string {
    return formatTime(this, layout);
  }

  toString(): string {
    return this.format("2006-01-02 15:04:05.999999999 -0700 MST");
  }

  /** Returns what Go's Time.GoString prints. */
  goString(): string {
    const c = this.civil();
    let s = `time.Date(${c.year}, time.${MONTHS[c.month - 1]}, ${c.day}, ${c.hour}, ${c.minute}, ${c.second}, ${this.nsec}, `;
    if (this.loc === GoLocation.UTC) s += "time.UTC";
    else if (this.loc === GoLocation.Local) s += "time.Local";
    else s += `time.Location(${goQuote(this.loc.name)})`;
    return `${s})`;
  }

  zoneName(): string {
    return this.loc.name;
  }
}

/** Returns Unix seconds for a civil time in UTC; unlike Date.UTC it keeps years 0-99 as written. */
function civilToUnix(
  year: number,
  month: number,
  day: number,
  h: number,
  m: number,
  sec: number,
): bigint {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(h, m, sec, 0);
  return BigInt(Math.floor(d.getTime() / 1000));
}

function daysIn(month: number, year: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

/** Formats a Duration (nanoseconds) as Go's Duration.String does, such as "1h2m3.5s". */
export function durationString(d: bigint): string {
  if (d === 0n) return "0s";
  const neg = d < 0n;
  let u = neg ? -d : d;
  let s: string;
  if (u < NANOS) {
    let unit: string;
    let prec: number;
    if (u < 1000n) {
      return `${neg ? "-" : ""}${u}ns`;
    }
    if (u < 1_000_000n) {
      unit = "µs";
      prec = 3;
    } else {
      unit = "ms";
      prec = 6;
    }
    s = fmtFrac(u, prec) + unit;
  } else {
    const frac = fmtFrac(u % NANOS === 0n ? 0n : u % NANOS, 9, true);
    u /= NANOS;
    s = `${u % 60n}${frac}s`;
    u /= 60n;
    if (u > 0n) {
      s = `${u % 60n}m${s}`;
      u /= 60n;
      if (u > 0n) s = `${u}h${s}`;
    }
  }
  return (neg ? "-" : "") + s;
}

function fmtFrac(v: bigint, prec: number, fractionOnly = false): string {
  const scale = 10n ** BigInt(prec);
  const whole = v / scale;
  let frac = (v % scale).toString().padStart(prec, "0").replace(/0+$/, "");
  frac = frac === "" ? "" : `.${frac}`;
  return fractionOnly ? frac : `${whole}${frac}`;
}

// Layout elements, in the order Go's nextStdChunk recognises them.
type Std =
  | "January"
  | "Jan"
  | "Monday"
  | "Mon"
  | "MST"
  | "01"
  | "02"
  | "03"
  | "04"
  | "05"
  | "06"
  | "002"
  | "15"
  | "1"
  | "2006"
  | "2"
  | "_2"
  | "__2"
  | "3"
  | "4"
  | "5"
  | "PM"
  | "pm"
  | "-070000"
  | "-07:00:00"
  | "-0700"
  | "-07:00"
  | "-07"
  | "Z070000"
  | "Z07:00:00"
  | "Z0700"
  | "Z07:00"
  | "Z07"
  | "frac";

interface Chunk {
  prefix: string;
  std: Std | null;
  suffix: string;
  fracDigits?: number;
  fracTrim?: boolean;
  fracSep?: string;
}

function startsWithLowerCase(s: string): boolean {
  const c = s.charCodeAt(0);
  return c >= 0x61 && c <= 0x7a;
}

function isDigitAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 0x30 && c <= 0x39;
}

function cutChunk(layout: string, i: number, std: Std, len: number): Chunk {
  return { prefix: layout.slice(0, i), std, suffix: layout.slice(i + len) };
}

function nextStdChunk(layout: string): Chunk {
  for (let i = 0; i < layout.length; i++) {
    const c = layout[i]!;
    // Most layout characters start no element; skip them before building anything.
    if (!"JM0123456_Pp-Z.,".includes(c)) continue;
    const rest = layout.slice(i);
    const cut = (std: Std, len: number): Chunk => cutChunk(layout, i, std, len);
    switch (c) {
      case "J":
        if (rest.startsWith("Jan")) {
          if (rest.startsWith("January")) return cut("January", 7);
          if (!startsWithLowerCase(rest.slice(3))) return cut("Jan", 3);
        }
        break;
      case "M":
        if (rest.startsWith("Mon")) {
          if (rest.startsWith("Monday")) return cut("Monday", 6);
          if (!startsWithLowerCase(rest.slice(3))) return cut("Mon", 3);
        }
        if (rest.startsWith("MST")) return cut("MST", 3);
        break;
      case "0":
        if (rest.length >= 2 && rest[1]! >= "1" && rest[1]! <= "6") {
          return cut(`0${rest[1]}` as Std, 2);
        }
        if (rest.startsWith("002")) return cut("002", 3);
        break;
      case "1":
        if (rest.startsWith("15")) return cut("15", 2);
        return cut("1", 1);
      case "2":
        if (rest.startsWith("2006")) return cut("2006", 4);
        return cut("2", 1);
      case "_":
        if (rest.startsWith("_2")) {
          // "_2006" is a literal underscore followed by the year.
          if (rest.startsWith("_2006")) {
            return { prefix: layout.slice(0, i + 1), std: "2006", suffix: layout.slice(i + 5) };
          }
          return cut("_2", 2);
        }
        if (rest.startsWith("__2")) return cut("__2", 3);
        break;
      case "3":
        return cut("3", 1);
      case "4":
        return cut("4", 1);
      case "5":
        return cut("5", 1);
      case "P":
        if (rest.startsWith("PM")) return cut("PM", 2);
        break;
      case "p":
        if (rest.startsWith("pm")) return cut("pm", 2);
        break;
      case "-":
        for (const std of ["-070000", "-07:00:00", "-0700", "-07:00", "-07"] as const) {
          if (rest.startsWith(std)) return cut(std, std.length);
        }
        break;
      case "Z":
        for (const std of ["Z070000", "Z07:00:00", "Z0700", "Z07:00", "Z07"] as const) {
          if (rest.startsWith(std)) return cut(std, std.length);
        }
        break;
      case ".":
      case ",":
        if (i + 1 < layout.length && (layout[i + 1] === "0" || layout[i + 1] === "9")) {
          const ch = layout[i + 1];
          let j = i + 1;
          while (j < layout.length && layout[j] === ch) j++;
          // Fractional seconds only when the run of digits ends here.
          if (!isDigitAt(layout, j)) {
            return {
              prefix: layout.slice(0, i),
              std: "frac",
              suffix: layout.slice(j),
              fracDigits: j - (i + 1),
              fracTrim: ch === "9",
              fracSep: c,
            };
          }
        }
        break;
    }
  }
  return { prefix: layout, std: null, suffix: "" };
}

function pad(n: number, width: number): string {
  const s = String(Math.abs(n)).padStart(width, "0");
  return n < 0 ? `-${s}` : s;
}

function formatTime(t: GoTime, layout: string): string {
  let out = "";
  const offset = t.loc.offset;
  while (layout !== "") {
    const chunk = nextStdChunk(layout);
    out += chunk.prefix;
    if (chunk.std === null) break;
    layout = chunk.suffix;
    switch (chunk.std) {
      case "06": {
        const y = Math.abs(t.year());
        out += pad(y % 100, 2);
        break;
      }
      case "2006":
        out += pad(t.year(), 4);
        break;
      case "Jan":
        out += MONTHS[t.month() - 1]!.slice(0, 3);
        break;
      case "January":
        out += MONTHS[t.month() - 1];
        break;
      case "1":
        out += t.month();
        break;
      case "01":
        out += pad(t.month(), 2);
        break;
      case "Mon":
        out += DAYS[t.weekday()]!.slice(0, 3);
        break;
      case "Monday":
        out += DAYS[t.weekday()];
        break;
      case "2":
        out += t.day();
        break;
      case "_2":
        out += (t.day() < 10 ? " " : "") + t.day();
        break;
      case "02":
        out += pad(t.day(), 2);
        break;
      case "__2": {
        const yday = t.yearDay();
        if (yday < 10) out += "  ";
        else if (yday < 100) out += " ";
        out += yday;
        break;
      }
      case "002":
        out += pad(t.yearDay(), 3);
        break;
      case "15":
        out += pad(t.hour(), 2);
        break;
      case "3":
        out += t.hour() % 12 === 0 ? 12 : t.hour() % 12;
        break;
      case "03":
        out += pad(t.hour() % 12 === 0 ? 12 : t.hour() % 12, 2);
        break;
      case "4":
        out += t.minute();
        break;
      case "04":
        out += pad(t.minute(), 2);
        break;
      case "5":
        out += t.second();
        break;
      case "05":
        out += pad(t.second(), 2);
        break;
      case "PM":
        out += t.hour() >= 12 ? "PM" : "AM";
        break;
      case "pm":
        out += t.hour() >= 12 ? "pm" : "am";
        break;
      case "MST":
        if (t.loc.abbreviation !== "") {
          out += t.loc.abbreviation;
        } else {
          const zone = Math.trunc(offset / 60);
          const abs = Math.abs(zone);
          out += (zone < 0 ? "-" : "+") + pad(Math.trunc(abs / 60), 2) + pad(abs % 60, 2);
        }
        break;
      case "frac":
        out += formatNano(t.nsec, chunk.fracDigits!, chunk.fracTrim!, chunk.fracSep!);
        break;
      default:
        out += formatZone(chunk.std, offset);
    }
  }
  return out;
}

function formatZone(std: Std, offset: number): string {
  const iso = std.startsWith("Z");
  if (offset === 0 && iso) return "Z";
  let zone = Math.trunc(offset / 60);
  let absOffset = offset;
  let s = "";
  if (zone < 0) {
    s += "-";
    zone = -zone;
    absOffset = -absOffset;
  } else {
    s += "+";
  }
  s += pad(Math.trunc(zone / 60), 2);
  const kind = iso ? `-${std.slice(1)}` : std;
  if (kind === "-07:00" || kind === "-07:00:00") s += ":";
  if (kind !== "-07") s += pad(zone % 60, 2);
  if (kind === "-070000" || kind === "-07:00:00") {
    if (kind === "-07:00:00") s += ":";
    s += pad(absOffset % 60, 2);
  }
  return s;
}

function formatNano(nsec: number, digits: number, trim: boolean, sep: string): string {
  let s = String(nsec).padStart(9, "0");
  const n = Math.min(digits, 9);
  s = s.slice(0, n);
  if (trim) {
    s = s.replace(/0+$/, "");
    if (s === "") return "";
  }
  return sep + s;
}
