import type { Stats } from "node:fs";
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** HASH_CACHE_FILE is kept beside the link file and never pushed. */
export const HASH_CACHE_FILE = ".pogo/hash-cache.json";

// A file changed within this window before the scan could change again
// within the same timestamp tick unnoticed, so it is hashed again next time.
const RACY_WINDOW_MS = 2000;

type CachedFile = [size: number, mtimeMs: number, ctimeMs: number, inode: number, hash: string];

/**
 * HashCache remembers the sha256 of each file with the size, times and
 * inode it had, so a push hashes only files that changed since the last
 * one, as git's index does. A damaged or missing cache file only costs a
 * full hash.
 */
export class HashCache {
  private readonly previous: Map<string, CachedFile>;
  private readonly next = new Map<string, CachedFile>();
  private readonly scanStart = Date.now();

  private constructor(
    private readonly root: string,
    previous: Map<string, CachedFile>,
  ) {
    this.previous = previous;
  }

  static load(root: string): HashCache {
    let previous = new Map<string, CachedFile>();
    try {
      const parsed = JSON.parse(readFileSync(join(root, HASH_CACHE_FILE), "utf8")) as {
        version?: number;
        files?: Record<string, CachedFile>;
      };
      if (parsed.version === 2 && parsed.files) previous = new Map(Object.entries(parsed.files));
    } catch {
      // No cache yet, or one this version cannot read: every file is hashed.
    }
    return new HashCache(root, previous);
  }

  /** Returns the cached hash of `path` when its stat still matches, else undefined. */
  lookup(path: string, stats: Stats): string | undefined {
    const cached = this.previous.get(path);
    if (!cached) return undefined;
    const [size, mtimeMs, ctimeMs, inode, hash] = cached;
    const matches =
      size === stats.size &&
      mtimeMs === stats.mtimeMs &&
      ctimeMs === stats.ctimeMs &&
      inode === stats.ino;
    return matches ? hash : undefined;
  }

  /** Records the hash of `path` as read with `stats`, unless the file changed too recently to trust. */
  record(path: string, stats: Stats, hash: string): void {
    if (this.scanStart - stats.mtimeMs < RACY_WINDOW_MS) return;
    this.next.set(path, [stats.size, stats.mtimeMs, stats.ctimeMs, stats.ino, hash]);
  }

  /** Replaces the cache file with this scan's entries; a failure to write only loses the speed-up. */
  save(): void {
    const path = join(this.root, HASH_CACHE_FILE);
    const temporary = `${path}.${process.pid}.tmp`;
    try {
      writeFileSync(
        temporary,
        JSON.stringify({ version: 2, files: Object.fromEntries(this.next) }),
      );
      renameSync(temporary, path);
    } catch {
      // A read-only working tree still pushes; it just hashes everything each time.
    }
  }
}
