import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { discoverConfigFiles } from "./discover.js";
import {
  failedConfig,
  type LoadedConfig,
  loadConfig,
  MAX_CONFIG_BYTES,
  tooLargeConfig,
} from "./load.js";

/** Reads and validates every config of a repository, in file-name order; `file` is relative to `root`. */
export function loadRepositoryConfigs(root: string): LoadedConfig[] {
  return discoverConfigFiles(root).map((absolute) => {
    const file = path.relative(root, absolute).split(path.sep).join("/");
    return readConfigFile(file, absolute);
  });
}

/**
 * Reads one config file from disk and validates it. A path that is not a
 * readable regular file, a file over MAX_CONFIG_BYTES or text that is not
 * UTF-8 becomes a config with one error, never an exception, so the runner
 * records it as a failed pipeline.
 */
export function readConfigFile(file: string, absolute: string): LoadedConfig {
  let size: number;
  try {
    const stats = statSync(absolute);
    if (stats.isDirectory()) return unreadableConfig(file, "it is a folder, not a file");
    if (!stats.isFile()) return unreadableConfig(file, "it is not a regular file");
    size = stats.size;
  } catch (error) {
    return unreadableConfig(file, describeReadError(error));
  }
  if (size > MAX_CONFIG_BYTES) return tooLargeConfig(file, size);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(absolute);
  } catch (error) {
    return unreadableConfig(file, describeReadError(error));
  }
  return loadConfigBytes(file, bytes);
}

/** Validates a config file's raw bytes, rejecting files over MAX_CONFIG_BYTES and invalid UTF-8. */
export function loadConfigBytes(file: string, bytes: Uint8Array): LoadedConfig {
  if (bytes.length > MAX_CONFIG_BYTES) return tooLargeConfig(file, bytes.length);
  const decoded = decodeUtf8(bytes);
  if (typeof decoded === "string") return loadConfig(file, decoded);
  return failedConfig(file, {
    line: decoded.line,
    column: decoded.column,
    code: "INVALID_ENCODING",
    message: "invalid UTF-8; save the config file as UTF-8",
  });
}

function describeReadError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case "ENOENT":
      return "it is a symbolic link to a file that does not exist";
    case "ELOOP":
      return "it is a symbolic link loop";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EISDIR":
      return "it is a folder, not a file";
    default:
      return code ?? String(error);
  }
}

function unreadableConfig(file: string, reason: string): LoadedConfig {
  return failedConfig(file, {
    line: 1,
    column: 1,
    code: "UNREADABLE_FILE",
    message: `cannot read the config file: ${reason}`,
  });
}

const strictDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Decodes UTF-8 strictly. Returns the text, or the 1-based line and column
 * (in UTF-16 code units, as every diagnostic counts) of the first invalid byte.
 */
function decodeUtf8(bytes: Uint8Array): string | { line: number; column: number } {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    const bad = firstInvalidByte(bytes);
    const lineStart = bytes.lastIndexOf(0x0a, bad - 1) + 1;
    let line = 1;
    for (let i = 0; i < lineStart; i++) if (bytes[i] === 0x0a) line++;
    // The bytes before the bad one are valid, so they decode.
    const column = strictDecoder.decode(bytes.subarray(lineStart, bad)).length + 1;
    return { line, column };
  }
}

/** Finds the first byte that does not start or continue a well-formed UTF-8 sequence (Unicode 15, table 3-7). */
function firstInvalidByte(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i]!;
    if (lead < 0x80) {
      i++;
      continue;
    }
    let length: number;
    let low = 0x80;
    let high = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) length = 2;
    else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
      if (lead === 0xe0) low = 0xa0;
      if (lead === 0xed) high = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4;
      if (lead === 0xf0) low = 0x90;
      if (lead === 0xf4) high = 0x8f;
    } else return i;
    for (let k = 1; k < length; k++) {
      const next = bytes[i + k];
      if (next === undefined) return i;
      const [min, max] = k === 1 ? [low, high] : [0x80, 0xbf];
      if (next < min || next > max) return i;
    }
    i += length;
  }
  return bytes.length;
}
