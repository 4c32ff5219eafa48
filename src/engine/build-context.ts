import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import {
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  realpath,
  rename,
  rm,
  stat,
  writeFile,
} from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import type { Readable } from "node:stream";
import dockerignore from "@balena/dockerignore";
import { DockerfilePathError } from "./errors.js";

/** DockerfileLocation is a Dockerfile path checked to lie inside the repository. */
export interface DockerfileLocation {
  /** The repository root, the build context. */
  contextDir: string;
  /** Path of the Dockerfile inside the context, with `/` separators. */
  dockerfile: string;
}

/**
 * Resolves an `image:` Dockerfile path against the repository root. `./x`
 * and `../x` are relative to the root, and `/x` means `x` in the root. The
 * path must stay inside the repository after symlinks are followed.
 */
export async function locateDockerfile(
  image: string,
  repositoryDir: string,
): Promise<DockerfileLocation> {
  const root = await realpath(repositoryDir);
  const lexical = resolve(root, image.replace(/^\/+/, ""));
  if (!isInside(root, lexical)) {
    throw new DockerfilePathError(
      `Dockerfile path ${image} leaves the repository; use a path inside it, such as ./Dockerfile.`,
    );
  }
  let real: string;
  try {
    real = await realpath(lexical);
  } catch {
    throw new DockerfilePathError(`Dockerfile ${image} not found in the repository.`);
  }
  if (!isInside(root, real)) {
    throw new DockerfilePathError(
      `Dockerfile path ${image} leads outside the repository through a symbolic link.`,
    );
  }
  if (!(await stat(real)).isFile()) {
    throw new DockerfilePathError(`Dockerfile path ${image} is not a file.`);
  }
  return { contextDir: root, dockerfile: relative(root, real).split(sep).join("/") };
}

/** BuildContext lists what a build sends, and the hash that identifies that content. */
export interface BuildContext {
  /** Context-relative paths of directories, files and links, sorted, for `tar --no-recursion`. */
  entries: string[];
  hash: string;
}

/** ScanOptions tune how file contents are read; the defaults suit production. */
export interface ScanOptions {
  /**
   * Folder of the file hash cache; default `$XDG_CACHE_HOME/pogo` or
   * `~/.cache/pogo`. `null` turns the cache off.
   */
  cacheDir?: string | null;
  /** Opens a file for hashing; tests count reads through it. */
  openFile?: (path: string) => Readable;
}

/**
 * Lists the build context, honouring `.dockerignore` as Docker does, and
 * hashes the Dockerfile path, every entry's path, type, executable bit and
 * content (a link's target). Two contexts with the same hash build the same
 * image, so the hash names the cached image. A file whose size, times,
 * inode and mode match the cache is not read again.
 */
export async function scanBuildContext(
  location: DockerfileLocation,
  options: ScanOptions = {},
): Promise<BuildContext> {
  const ignoreFile = await readFile(join(location.contextDir, ".dockerignore"), "utf8").catch(
    () => "",
  );
  const ignored = createIgnore({ ignorecase: false }).add(ignoreFile);
  // Docker always sends the Dockerfile and .dockerignore, even when .dockerignore lists them.
  const alwaysSent = new Set([location.dockerfile, ".dockerignore"]);

  // An ignored directory is skipped whole unless a `!` pattern or an always-sent file may re-include part of it.
  const hasExceptions = ignoreFile.split("\n").some((line) => line.trim().startsWith("!"));
  const mayContainSent = (dir: string) =>
    hasExceptions || [...alwaysSent].some((sent) => sent.startsWith(`${dir}/`));

  const entries: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const children = await readdir(join(location.contextDir, dir), { withFileTypes: true });
    // Code-unit order, not locale order, so the hash is the same on every machine.
    children.sort((a, b) => Number(a.name > b.name) - Number(a.name < b.name));
    for (const child of children) {
      const path = dir === "" ? child.name : `${dir}/${child.name}`;
      const sent = !ignored.ignores(path) || alwaysSent.has(path);
      if (sent) entries.push(path);
      if (child.isDirectory() && (sent || mayContainSent(path))) await walk(path);
    }
  };
  await walk("");

  const cacheFile =
    options.cacheDir === null ? undefined : join(options.cacheDir ?? defaultCacheDir(), CACHE_FILE);
  const cache = cacheFile ? await loadHashCache(cacheFile) : new Map<string, CachedHash>();
  const seen = new Map<string, CachedHash>();
  let fresh = 0;
  const open = options.openFile ?? ((path: string) => createReadStream(path));

  const hash = createHash("sha256");
  hash.update(`dockerfile\0${location.dockerfile}\0`);
  for (const path of entries) {
    const full = join(location.contextDir, path);
    const info = await lstat(full, { bigint: true });
    if (info.isSymbolicLink()) {
      hash.update(`link\0${path}\0${await readlink(full)}\0`);
    } else if (info.isDirectory()) {
      hash.update(`dir\0${path}\0`);
    } else if (info.isFile()) {
      const key = statKey(info);
      let entry = cache.get(full);
      if (entry?.key !== key) {
        const hashedAt = BigInt(Date.now()) * 1_000_000n;
        entry = { key, sha256: await hashFile(open(full)), trusted: false };
        fresh++;
        // A file written again within the clock's resolution keeps its mtime,
        // so only a hash taken well after the last write may be reused.
        entry.trusted = info.mtimeNs < hashedAt - RACY_WINDOW_NS;
      }
      if (entry.trusted) seen.set(full, entry);
      hash.update(
        `file\0${path}\0${info.mode & 0o111n ? "x" : "-"}\0${info.size}\0${entry.sha256}\0`,
      );
    }
  }
  if (cacheFile && (fresh > 0 || cache.size > MAX_CACHE_ENTRIES)) {
    await saveHashCache(cacheFile, seen, cache);
  }
  return { entries, hash: hash.digest("hex") };
}

/** CachedHash is the content hash of a file as it was when `key` was taken. */
interface CachedHash {
  key: string;
  sha256: string;
  trusted: boolean;
}

const CACHE_FILE = "build-context-hashes-v1.json";
/** Entry cap of the cache file, about 10 MB at typical path lengths (an estimate); the latest scan's files are kept first. */
export const MAX_CACHE_ENTRIES = 50_000;
const RACY_WINDOW_NS = 2_000_000_000n;

function defaultCacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), ".cache"), "pogo");
}

// ctime catches a rewrite whose mtime was set back; inode catches a file replaced by rename.
function statKey(info: import("node:fs").BigIntStats): string {
  return [info.size, info.mtimeNs, info.ctimeNs, info.ino, info.dev, info.mode].join(":");
}

// A missing, unreadable or corrupt cache is treated as empty: it only saves time.
async function loadHashCache(file: string): Promise<Map<string, CachedHash>> {
  const cache = new Map<string, CachedHash>();
  try {
    const parsed: unknown = JSON.parse(await readFile(file, "utf8"));
    const files = (parsed as { files?: unknown }).files;
    if (!files || typeof files !== "object" || Array.isArray(files)) return cache;
    for (const [path, value] of Object.entries(files)) {
      if (
        Array.isArray(value) &&
        typeof value[0] === "string" &&
        typeof value[1] === "string" &&
        /^[0-9a-f]{64}$/.test(value[1])
      ) {
        cache.set(path, { key: value[0], sha256: value[1], trusted: true });
      }
    }
  } catch {
    cache.clear();
  }
  return cache;
}

// Written to a temporary file and renamed, so a reader never sees half a
// cache. The files of this scan come first; others fill up to the cap.
async function saveHashCache(
  file: string,
  seen: Map<string, CachedHash>,
  previous: Map<string, CachedHash>,
): Promise<void> {
  const files: Record<string, [string, string]> = {};
  let count = 0;
  for (const source of [seen, previous]) {
    for (const [path, entry] of source) {
      if (count >= MAX_CACHE_ENTRIES) break;
      if (path in files) continue;
      files[path] = [entry.key, entry.sha256];
      count++;
    }
  }
  const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    await writeFile(temporary, JSON.stringify({ version: 1, files }), { mode: 0o600 });
    await rename(temporary, file);
  } catch {
    // A read-only or full cache folder costs speed, not correctness.
    await rm(temporary, { force: true });
  }
}

function hashFile(stream: Readable): Promise<string> {
  const hash = createHash("sha256");
  return new Promise((resolvePromise, reject) => {
    stream
      .on("data", (chunk) => hash.update(chunk))
      .once("end", () => resolvePromise(hash.digest("hex")))
      .once("error", reject);
  });
}

// The package's typings declare an ES default export, but at run time the CommonJS module is the function itself.
const createIgnore = dockerignore as unknown as typeof dockerignore.default;

function isInside(root: string, path: string): boolean {
  const inside = relative(root, path);
  return inside !== "" && !inside.startsWith("..") && !isAbsolute(inside);
}
