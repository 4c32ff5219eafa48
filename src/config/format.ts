import path from "node:path";
import type { DiagnosticCode } from "./diagnostic.js";
import { parseGoDuration } from "./duration.js";
import { checkGlob } from "./glob.js";
import type { TextFormat } from "./schema-model.js";
import { hasTemplateActions } from "./template-engine.js";

/** FormatProblem is why a text value breaks its format, as a message about `label`. */
export interface FormatProblem {
  code: DiagnosticCode;
  message: string;
}

/**
 * Finds where a value stops being literal: the first template action or
 * `${NAME}` secret reference (`$${` is an escaped literal). Returns the
 * value's length when it is fully literal.
 */
export function literalPrefixLength(text: string): number {
  let end = text.length;
  const action = text.indexOf("{{");
  if (action >= 0) end = action;
  for (let i = text.indexOf("${"); i >= 0 && i < end; i = text.indexOf("${", i + 2)) {
    if (i > 0 && text[i - 1] === "$") continue;
    end = i;
    break;
  }
  return end;
}

/** Reports whether a value is only known at run time (a template or a secret reference). */
export function isDynamic(text: string): boolean {
  return literalPrefixLength(text) < text.length || hasTemplateActions(text);
}

/** Checks a text value against its format; `label` names the key in messages. */
export function checkFormat(
  format: TextFormat,
  text: string,
  label: string,
): FormatProblem | undefined {
  switch (format) {
    case "http-url":
      return checkHttpUrl(text, label);
    case "go-duration":
      return checkDuration(text, label);
    case "absolute-path":
      return checkAbsolutePath(text, label);
    case "bookmark-pattern":
      return checkBookmarkPattern(text);
    case "image":
      return checkImage(text, label);
  }
}

function checkHttpUrl(text: string, label: string): FormatProblem | undefined {
  const literal = text.slice(0, literalPrefixLength(text));
  if (literal.length < text.length) {
    const lower = literal.toLowerCase();
    const schemeKnown = lower.startsWith("http://") || lower.startsWith("https://");
    const schemePending = "http://".startsWith(lower) || "https://".startsWith(lower);
    if (schemeKnown || schemePending) return undefined;
    return invalid(
      `${label} must start with http:// or https://, but it starts with \`${literal}\``,
    );
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return invalid(
      `${label} \`${text}\` is not a valid URL; write a full URL such as https://ci.example.com/hook`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return invalid(`${label} must use http or https, not \`${url.protocol.slice(0, -1)}\``);
  }
  return undefined;
}

function checkDuration(text: string, label: string): FormatProblem | undefined {
  if (isDynamic(text)) return undefined;
  const result = parseGoDuration(text);
  if (!result.ok) {
    const hint = /^\d+$/.test(text)
      ? `; add a unit, such as \`${text}s\` or \`${text}m\``
      : "; write a Go duration such as `90s`, `10m` or `1h30m`";
    return invalid(`${label} \`${text}\` is not a valid duration (${result.error})${hint}`);
  }
  if (result.milliseconds <= 0)
    return invalid(`${label} must be longer than zero, not \`${text}\``);
  return undefined;
}

function checkAbsolutePath(text: string, label: string): FormatProblem | undefined {
  if (literalPrefixLength(text) === 0) return undefined;
  if (text.startsWith("/")) return undefined;
  return invalid(`${label} must be an absolute path starting with \`/\`, not \`${text}\``);
}

function checkBookmarkPattern(text: string): FormatProblem | undefined {
  if (text === "") return invalid("a bookmark pattern must not be empty");
  const reason = checkGlob(text);
  if (reason === undefined) return undefined;
  return { code: "BAD_PATTERN", message: `invalid bookmark pattern \`${text}\`: ${reason}` };
}

/** Reports whether an image names a Dockerfile in the repository rather than a registry image. */
export function isDockerfilePath(image: string): boolean {
  return image.startsWith("./") || image.startsWith("../") || image.startsWith("/");
}

function checkImage(text: string, label: string): FormatProblem | undefined {
  if (text.trim() === "") return invalid(`${label} must not be empty`);
  if (!isDockerfilePath(text)) {
    if (!isDynamic(text) && /\s/.test(text)) {
      return invalid(
        `${label} \`${text}\` must not contain spaces; write an image reference such as \`node:20-alpine\``,
      );
    }
    return undefined;
  }
  if (isDynamic(text)) return undefined;
  // Dockerfile paths are relative to the repository root, and `/` means that root.
  const relative = text.startsWith("/") ? `.${text}` : text;
  const normalized = path.posix.normalize(relative);
  if (normalized === ".." || normalized.startsWith("../")) {
    return {
      code: "OUTSIDE_REPOSITORY",
      message: `${label} \`${text}\` leaves the repository; a Dockerfile path must stay inside it, such as \`./Dockerfile\``,
    };
  }
  if (normalized === "." || text.endsWith("/")) {
    return invalid(
      `${label} \`${text}\` names a folder; name the Dockerfile itself, such as \`./Dockerfile\``,
    );
  }
  return undefined;
}

function invalid(message: string): FormatProblem {
  return { code: "INVALID_VALUE", message };
}
