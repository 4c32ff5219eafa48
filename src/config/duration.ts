/**
 * Go's `time.ParseDuration`, so a `timeout` means here what it means to a Go
 * user: a sequence of decimal numbers with units (`1h30m`, `2.5s`, `300ms`).
 */

const UNIT_NANOSECONDS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** The largest Go duration, about 292 years; longer values overflow int64 in Go. */
const MAX_NANOSECONDS = 2 ** 63 - 1;

/** Result of parsing a Go duration: milliseconds, or an error phrased as Go would. */
export type DurationResult = { ok: true; milliseconds: number } | { ok: false; error: string };

/** Parses a Go duration; the error text follows Go's (`time: missing unit in duration "30"`). */
export function parseGoDuration(text: string): DurationResult {
  const quoted = JSON.stringify(text);
  let s = text;
  let negative = false;
  if (s.startsWith("-") || s.startsWith("+")) {
    negative = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "0") return { ok: true, milliseconds: 0 };
  if (s === "") return { ok: false, error: `time: invalid duration ${quoted}` };

  let total = 0;
  while (s !== "") {
    const number = /^(\d*)(\.(\d*))?/.exec(s)!;
    const whole = number[1] ?? "";
    const fraction = number[3] ?? "";
    if (whole === "" && fraction === "")
      return { ok: false, error: `time: invalid duration ${quoted}` };
    s = s.slice(number[0].length);

    const unit = /^[^\d.]*/.exec(s)![0];
    if (unit === "") return { ok: false, error: `time: missing unit in duration ${quoted}` };
    const scale = UNIT_NANOSECONDS[unit];
    if (scale === undefined) {
      return {
        ok: false,
        error: `time: unknown unit ${JSON.stringify(unit)} in duration ${quoted}`,
      };
    }
    s = s.slice(unit.length);
    total += Number(`${whole || "0"}.${fraction || "0"}`) * scale;
    if (total > MAX_NANOSECONDS) return { ok: false, error: `time: invalid duration ${quoted}` };
  }
  const nanoseconds = negative ? -total : total;
  return { ok: true, milliseconds: nanoseconds / 1e6 };
}

/** JSON Schema / XSD pattern for a positive Go duration (a lone `0` is not positive). */
export const POSITIVE_DURATION_PATTERN =
  "^\\+?(?=[^1-9]*[1-9])(?:(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:ns|us|µs|μs|ms|s|m|h))+$";
