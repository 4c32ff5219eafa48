import { escapeHtml } from "./html.js";

/**
 * DEFAULT_MAX_ANSI_LINE is the longest line, in UTF-16 code units, that
 * ansiToHtml converts; the rest is cut and marked with `…`. The runner
 * already splits log lines at 16 KiB, so this only bounds odd callers.
 */
export const DEFAULT_MAX_ANSI_LINE = 16 * 1024;

// Maximum number of parameters read from one SGR sequence. A longer
// sequence is still consumed whole, and its extra parameters are ignored.
const MAX_SGR_PARAMETERS = 64;

const ESC = 0x1b;

// Characters that end a run of plain text: C0 controls but tab, DEL and C1 controls.
const SPECIAL = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/g;

/** The cube levels of xterm's 256-colour palette, indices 16 to 231. */
const CUBE_LEVELS = [0, 95, 135, 175, 215, 255];

type Color = { kind: "palette"; index: number } | { kind: "rgb"; hex: string };

interface Style {
  foreground?: Color;
  background?: Color;
  bold: boolean;
  dim: boolean;
  italic: boolean;
  underline: boolean;
}

function plainStyle(): Style {
  return { bold: false, dim: false, italic: false, underline: false };
}

/**
 * Converts one log line with ANSI escape sequences into escaped HTML. SGR
 * sequences become spans with `a-*` classes for the 16 basic colours,
 * bold, dim, italic and underline, or an inline colour for 256-colour and
 * truecolor. Other escape sequences and control characters are dropped,
 * and a carriage return starts the line over as a terminal would. Work is
 * linear in the line, which is cut at `maxLength`.
 */
export function ansiToHtml(line: string, maxLength = DEFAULT_MAX_ANSI_LINE): string {
  let input = line;
  let suffix = "";
  if (input.length > maxLength) {
    input = input.slice(0, maxLength);
    suffix = "…";
  }
  // A trailing CR (CRLF output) erases nothing.
  while (input.endsWith("\r")) input = input.slice(0, -1);

  // Most lines hold no escape or control character at all.
  SPECIAL.lastIndex = 0;
  if (!SPECIAL.test(input)) return escapeHtml(input) + suffix;

  const style = plainStyle();
  let out = "";
  let openSpan = "";
  let text = "";

  const flushText = () => {
    if (text === "") return;
    const wanted = spanFor(style);
    if (wanted !== openSpan) {
      if (openSpan !== "") out += "</span>";
      if (wanted !== "") out += wanted;
      openSpan = wanted;
    }
    out += escapeHtml(text);
    text = "";
  };

  let index = 0;
  while (index < input.length) {
    SPECIAL.lastIndex = index;
    const match = SPECIAL.exec(input);
    const next = match ? match.index : input.length;
    if (next > index) {
      text += input.slice(index, next);
      index = next;
      continue;
    }
    const code = input.charCodeAt(index);
    if (code === ESC) {
      flushText();
      index = skipEscape(input, index, style);
    } else if (code === 0x0d) {
      text = "";
      out = "";
      openSpan = "";
      index++;
    } else {
      index++;
    }
  }
  flushText();
  if (openSpan !== "") out += "</span>";
  return out + suffix;
}

/** Consumes the escape sequence starting at `start` and returns the index after it. */
function skipEscape(input: string, start: number, style: Style): number {
  const kind = input[start + 1];
  if (kind === "[") {
    let index = start + 2;
    const parametersStart = index;
    while (index < input.length) {
      const code = input.charCodeAt(index);
      if (code >= 0x40 && code <= 0x7e) break;
      if (code < 0x20 || code > 0x3f) return index; // malformed: drop what was read
      index++;
    }
    if (index >= input.length) return input.length;
    if (input[index] === "m") applySgr(input.slice(parametersStart, index), style);
    return index + 1;
  }
  if (kind === "]" || kind === "P" || kind === "_" || kind === "^" || kind === "X") {
    // OSC and other strings end at BEL or at ESC \ (string terminator).
    for (let index = start + 2; index < input.length; index++) {
      const code = input.charCodeAt(index);
      if (code === 0x07) return index + 1;
      if (code === ESC && input[index + 1] === "\\") return index + 2;
    }
    return input.length;
  }
  return Math.min(start + 2, input.length);
}

/** Applies one SGR parameter string such as `1;38;5;208` or `38:2::255:0:0` to `style`. */
function applySgr(parameters: string, style: Style): void {
  if (/[^0-9;:]/.test(parameters)) return; // private sequences such as `>4;2m`
  const fields = parameters.split(";", MAX_SGR_PARAMETERS);
  let index = 0;
  while (index < fields.length) {
    const field = fields[index]!;
    if (field.includes(":")) {
      applyColonForm(field.split(":"), style);
      index++;
      continue;
    }
    const code = field === "" ? 0 : Number(field);
    if (code === 38 || code === 48) {
      const { color, used } = extendedColor(fields.slice(index + 1).map(Number));
      if (color) setColor(style, code === 38, color);
      index += 1 + used;
      continue;
    }
    applyCode(code, style);
    index++;
  }
}

/** Applies the ISO 8613-6 colon form: `38:5:N`, `38:2:R:G:B` or `38:2:ID:R:G:B`. */
function applyColonForm(parts: string[], style: Style): void {
  const code = Number(parts[0]);
  if (code !== 38 && code !== 48) {
    // `4:3` (curly underline) and similar: the first part decides.
    if (code === 4) style.underline = parts[1] !== "0";
    return;
  }
  const numbers = parts.slice(1).map((part) => (part === "" ? Number.NaN : Number(part)));
  if (numbers[0] === 2 && numbers.length >= 5) numbers.splice(1, numbers.length - 4);
  const { color } = extendedColor(numbers.map((value) => (Number.isNaN(value) ? 0 : value)));
  if (color) setColor(style, code === 38, color);
}

function extendedColor(numbers: number[]): { color?: Color; used: number } {
  const mode = numbers[0];
  if (mode === 5) {
    const index = numbers[1];
    if (index === undefined || !Number.isInteger(index) || index < 0 || index > 255)
      return { used: 2 };
    return { color: paletteColor(index), used: 2 };
  }
  if (mode === 2) {
    const channels = numbers.slice(1, 4);
    if (channels.length < 3 || channels.some((value) => !(value >= 0 && value <= 255)))
      return { used: 4 };
    return {
      color: { kind: "rgb", hex: hexColor(channels[0]!, channels[1]!, channels[2]!) },
      used: 4,
    };
  }
  return { used: mode === undefined ? 0 : 1 };
}

function paletteColor(index: number): Color {
  if (index < 16) return { kind: "palette", index };
  if (index < 232) {
    const cube = index - 16;
    return {
      kind: "rgb",
      hex: hexColor(
        CUBE_LEVELS[Math.floor(cube / 36)]!,
        CUBE_LEVELS[Math.floor(cube / 6) % 6]!,
        CUBE_LEVELS[cube % 6]!,
      ),
    };
  }
  const gray = 8 + 10 * (index - 232);
  return { kind: "rgb", hex: hexColor(gray, gray, gray) };
}

function hexColor(red: number, green: number, blue: number): string {
  return `#${[red, green, blue].map((value) => value.toString(16).padStart(2, "0")).join("")}`;
}

function setColor(style: Style, foreground: boolean, color: Color): void {
  if (foreground) style.foreground = color;
  else style.background = color;
}

function applyCode(code: number, style: Style): void {
  if (code === 0) {
    Object.assign(style, plainStyle());
    style.foreground = undefined;
    style.background = undefined;
  } else if (code === 1) style.bold = true;
  else if (code === 2) style.dim = true;
  else if (code === 3) style.italic = true;
  else if (code === 4) style.underline = true;
  else if (code === 22) {
    style.bold = false;
    style.dim = false;
  } else if (code === 23) style.italic = false;
  else if (code === 24) style.underline = false;
  else if (code >= 30 && code <= 37) style.foreground = { kind: "palette", index: code - 30 };
  else if (code === 39) style.foreground = undefined;
  else if (code >= 40 && code <= 47) style.background = { kind: "palette", index: code - 40 };
  else if (code === 49) style.background = undefined;
  else if (code >= 90 && code <= 97) style.foreground = { kind: "palette", index: code - 82 };
  else if (code >= 100 && code <= 107) style.background = { kind: "palette", index: code - 92 };
  // Everything else (blink, inverse, fonts, …) is ignored.
}

/** Returns the opening span tag for `style`, or "" for the plain style. */
function spanFor(style: Style): string {
  const classes: string[] = [];
  const styles: string[] = [];
  if (style.foreground?.kind === "palette") classes.push(`a-f${style.foreground.index}`);
  else if (style.foreground) styles.push(`color:${style.foreground.hex}`);
  if (style.background?.kind === "palette") classes.push(`a-b${style.background.index}`);
  else if (style.background) styles.push(`background-color:${style.background.hex}`);
  if (style.bold) classes.push("a-bold");
  if (style.dim) classes.push("a-dim");
  if (style.italic) classes.push("a-italic");
  if (style.underline) classes.push("a-underline");
  if (classes.length === 0 && styles.length === 0) return "";
  const classAttribute = classes.length > 0 ? ` class="${classes.join(" ")}"` : "";
  const styleAttribute = styles.length > 0 ? ` style="${styles.join(";")}"` : "";
  return `<span${classAttribute}${styleAttribute}>`;
}

// CSI sequences, OSC and other string sequences, and two-character escapes.
const ANSI_SEQUENCE =
  /\x1b\[[0-?]*[ -/]*[@-~]|\x1b[\]P_^X][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[^[\]P_^X]?/g;

/** Removes ANSI escape sequences from a line, for plain-text logs. */
export function stripAnsi(line: string): string {
  return line.includes("\x1b") ? line.replace(ANSI_SEQUENCE, "") : line;
}
