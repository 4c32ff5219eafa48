import { PogoError } from "../util/errors.js";

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/**
 * Parses a Go duration (`30s`, `1m30s`, `1.5h`, `250ms`) into milliseconds,
 * as Go's `time.ParseDuration` reads it. Negative durations are rejected
 * because every Pogo duration is a limit; so is a bare number without a unit
 * other than `0`.
 */
export function parseDuration(text: string): number {
  const source = text.trim();
  if (source === "0") return 0;
  if (source.length === 0 || source.startsWith("-")) throw invalidDuration(text);
  const input = source.startsWith("+") ? source.slice(1) : source;

  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < input.length) {
    const start = PART.lastIndex;
    const match = PART.exec(input);
    if (!match || match.index !== start) throw invalidDuration(text);
    total += Number(match[1]) * UNIT_MS[match[2]!]!;
  }
  if (input.length === 0) throw invalidDuration(text);
  return total;
}

function invalidDuration(text: string): PogoError {
  return new PogoError(
    "INVALID_DURATION",
    `invalid duration ${JSON.stringify(text)}: expected a number and unit such as 30s, 5m or 1h30m`,
  );
}

/** Formats milliseconds for a person: `850 ms`, `1.2 s`, `3 min 5 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return seconds ? `${minutes} min ${seconds} s` : `${minutes} min`;
}
