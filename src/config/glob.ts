/**
 * Go's `path.Match` ported rune for rune, so a bookmark pattern matches here
 * exactly what it matches in the original Go implementation: `*` and `?`
 * never cross `/`, `[a-z]` and `[^a-z]` are classes, `\` escapes the next
 * character. Like Go (since 1.16), a malformed pattern is an error even
 * when the name would not have matched.
 */

/** GlobPatternError is Go's `path.ErrBadPattern`, with the reason spelled out. */
export class GlobPatternError extends Error {
  constructor(readonly pattern: string) {
    super(`syntax error in pattern ${JSON.stringify(pattern)}: ${describePatternError(pattern)}`);
    this.name = "GlobPatternError";
  }
}

const BAD_PATTERN = Symbol("bad pattern");

type Runes = string[];

/** Reports whether `name` matches the Go `path.Match` pattern; throws GlobPatternError when the pattern is malformed. */
export function matchGlob(pattern: string, name: string): boolean {
  const result = match(Array.from(pattern), Array.from(name));
  if (result === BAD_PATTERN) throw new GlobPatternError(pattern);
  return result;
}

/** Returns why a pattern is malformed, or undefined when Go would accept it. */
export function checkGlob(pattern: string): string | undefined {
  const result = match(Array.from(pattern), []);
  return result === BAD_PATTERN ? describePatternError(pattern) : undefined;
}

function match(pattern: Runes, name: Runes): boolean | typeof BAD_PATTERN {
  let p = pattern;
  let n = name;
  patternLoop: while (p.length > 0) {
    const { star, chunk, rest } = scanChunk(p);
    p = rest;
    if (star && chunk.length === 0) {
      // A trailing * matches the rest of the name unless it has a /.
      return !n.includes("/");
    }
    const direct = matchChunk(chunk, n);
    // The last chunk must consume the whole name, or the star before it may still match.
    if (direct !== BAD_PATTERN && direct !== undefined && (direct.length === 0 || p.length > 0)) {
      n = direct;
      continue;
    }
    if (direct === BAD_PATTERN) return BAD_PATTERN;
    if (star) {
      // Let the star absorb i+1 runes, never a /.
      for (let i = 0; i < n.length && n[i] !== "/"; i++) {
        const skipped = matchChunk(chunk, n.slice(i + 1));
        if (skipped === BAD_PATTERN) return BAD_PATTERN;
        if (skipped !== undefined) {
          if (p.length === 0 && skipped.length > 0) continue;
          n = skipped;
          continue patternLoop;
        }
      }
    }
    // Before returning false, check that the rest of the pattern is well formed.
    while (p.length > 0) {
      const next = scanChunk(p);
      p = next.rest;
      if (matchChunk(next.chunk, []) === BAD_PATTERN) return BAD_PATTERN;
    }
    return false;
  }
  return n.length === 0;
}

function scanChunk(pattern: Runes): { star: boolean; chunk: Runes; rest: Runes } {
  let start = 0;
  let star = false;
  while (start < pattern.length && pattern[start] === "*") {
    start++;
    star = true;
  }
  let inRange = false;
  let i = start;
  scan: for (; i < pattern.length; i++) {
    switch (pattern[i]) {
      case "\\":
        // A trailing backslash is reported by matchChunk.
        if (i + 1 < pattern.length) i++;
        break;
      case "[":
        inRange = true;
        break;
      case "]":
        inRange = false;
        break;
      case "*":
        if (!inRange) break scan;
        break;
    }
  }
  return { star, chunk: pattern.slice(start, i), rest: pattern.slice(i) };
}

/**
 * Matches one star-free chunk at the start of `s`. Returns the unmatched
 * rest of `s`, undefined when it does not match, or BAD_PATTERN. After a
 * mismatch it keeps scanning the chunk so syntax errors are still found.
 */
function matchChunk(chunk: Runes, s: Runes): Runes | undefined | typeof BAD_PATTERN {
  let c = chunk;
  let rest = s;
  let failed = false;
  while (c.length > 0) {
    if (!failed && rest.length === 0) failed = true;
    const head = c[0];
    if (head === "[") {
      let rune = "";
      if (!failed) {
        rune = rest[0]!;
        rest = rest.slice(1);
      }
      c = c.slice(1);
      let negated = false;
      if (c.length > 0 && c[0] === "^") {
        negated = true;
        c = c.slice(1);
      }
      let matched = false;
      let ranges = 0;
      for (;;) {
        if (c.length > 0 && c[0] === "]" && ranges > 0) {
          c = c.slice(1);
          break;
        }
        const lo = getEscaped(c);
        if (lo === BAD_PATTERN) return BAD_PATTERN;
        c = lo.rest;
        let hi = lo;
        if (c[0] === "-") {
          const upper = getEscaped(c.slice(1));
          if (upper === BAD_PATTERN) return BAD_PATTERN;
          hi = upper;
          c = upper.rest;
        }
        if (!failed && compareRunes(lo.rune, rune) <= 0 && compareRunes(rune, hi.rune) <= 0) {
          matched = true;
        }
        ranges++;
      }
      if (matched === negated) failed = true;
      continue;
    }
    if (head === "?") {
      if (!failed) {
        if (rest[0] === "/") failed = true;
        rest = rest.slice(1);
      }
      c = c.slice(1);
      continue;
    }
    let literal = head;
    if (head === "\\") {
      c = c.slice(1);
      if (c.length === 0) return BAD_PATTERN;
      literal = c[0];
    }
    if (!failed) {
      if (literal !== rest[0]) failed = true;
      rest = rest.slice(1);
    }
    c = c.slice(1);
  }
  return failed ? undefined : rest;
}

function getEscaped(chunk: Runes): { rune: string; rest: Runes } | typeof BAD_PATTERN {
  let c = chunk;
  if (c.length === 0 || c[0] === "-" || c[0] === "]") return BAD_PATTERN;
  if (c[0] === "\\") {
    c = c.slice(1);
    if (c.length === 0) return BAD_PATTERN;
  }
  const rune = c[0]!;
  const rest = c.slice(1);
  // Go needs at least the closing bracket after every range bound.
  if (rest.length === 0) return BAD_PATTERN;
  return { rune, rest };
}

function compareRunes(a: string, b: string): number {
  return a.codePointAt(0)! - b.codePointAt(0)!;
}

/** Explains, in a user's terms, why Go rejects a pattern. */
function describePatternError(pattern: string): string {
  const runes = Array.from(pattern);
  for (let i = 0; i < runes.length; i++) {
    const rune = runes[i];
    if (rune === "\\") {
      if (i + 1 === runes.length)
        return "it ends with a lone `\\`; write `\\\\` to match a backslash";
      i++;
      continue;
    }
    if (rune !== "[") continue;
    let j = i + 1;
    if (runes[j] === "^") j++;
    if (runes[j] === "]") return "a `[` class is empty or starts with `]`; escape it as `\\]`";
    let closed = false;
    for (; j < runes.length; j++) {
      const inner = runes[j];
      if (inner === "\\") {
        j++;
        continue;
      }
      if (inner === "]") {
        closed = true;
        break;
      }
      if (inner === "-" && (runes[j - 1] === "[" || runes[j - 1] === "^" || runes[j + 1] === "]")) {
        return "a `-` in a `[` class needs a character on each side; escape it as `\\-`";
      }
    }
    if (!closed) return "a `[` class is not closed with `]`";
    i = j;
  }
  return "see the Go `path.Match` syntax";
}
