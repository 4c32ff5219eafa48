/**
 * IgnoreRules decides which paths `pogo push` leaves out, with gitignore
 * patterns: `#` comments, `!` to re-include, a trailing `/` for directories
 * only, a leading or inner `/` to anchor a pattern at the root (otherwise
 * it matches a name at any depth), and `*`, `?`, `[…]` and `**`. As in git,
 * a file inside an ignored directory cannot be re-included. Only the
 * `.pogoignore` at the root of the working tree is read.
 */
export class IgnoreRules {
  private readonly rules: Rule[] = [];

  /** Adds the patterns of one ignore file, later lines overriding earlier ones. */
  add(text: string): this {
    for (const rawLine of text.split(/\r?\n/)) {
      const rule = parseRule(rawLine);
      if (rule) this.rules.push(rule);
    }
    return this;
  }

  /** Returns true when `path` (relative, `/`-separated) is ignored. */
  ignores(path: string, isDirectory: boolean): boolean {
    const name = path.slice(path.lastIndexOf("/") + 1);
    let ignored = false;
    for (const rule of this.rules) {
      if (rule.directoryOnly && !isDirectory) continue;
      if (rule.regex.test(rule.anchored ? path : name)) ignored = !rule.negated;
    }
    return ignored;
  }
}

interface Rule {
  regex: RegExp;
  negated: boolean;
  directoryOnly: boolean;
  anchored: boolean;
}

function parseRule(rawLine: string): Rule | undefined {
  let line = rawLine.replace(/(?<!\\)\s+$/, "");
  if (line === "" || line.startsWith("#")) return undefined;
  let negated = false;
  if (line.startsWith("!")) {
    negated = true;
    line = line.slice(1);
  } else if (line.startsWith("\\!") || line.startsWith("\\#")) {
    line = line.slice(1);
  }
  let directoryOnly = false;
  if (line.endsWith("/")) {
    directoryOnly = true;
    line = line.slice(0, -1);
  }
  const anchored = line.includes("/");
  if (line.startsWith("/")) line = line.slice(1);
  if (line === "") return undefined;
  return { regex: new RegExp(`^${globToRegex(line)}$`), negated, directoryOnly, anchored };
}

function globToRegex(pattern: string): string {
  let out = "";
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index]!;
    if (char === "*") {
      if (pattern[index + 1] === "*") {
        const atStart = index === 0 || pattern[index - 1] === "/";
        const next = pattern[index + 2];
        if (atStart && next === "/") {
          out += "(?:.*/)?";
          index += 2;
          continue;
        }
        if (atStart && next === undefined) {
          out += ".*";
          index += 1;
          continue;
        }
      }
      out += "[^/]*";
    } else if (char === "?") {
      out += "[^/]";
    } else if (char === "[") {
      const end = pattern.indexOf("]", index + 2);
      if (end === -1) {
        out += "\\[";
        continue;
      }
      let body = pattern.slice(index + 1, end);
      if (body.startsWith("!")) body = `^${body.slice(1)}`;
      out += `[${body.replace(/\\/g, "\\\\")}]`;
      index = end;
    } else if (char === "\\" && index + 1 < pattern.length) {
      index++;
      out += escapeRegex(pattern[index]!);
    } else {
      out += escapeRegex(char);
    }
  }
  return out;
}

function escapeRegex(char: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(char) ? `\\${char}` : char;
}
