import { createHash, randomBytes } from "node:crypto";
import { createReadStream, type ReadStream } from "node:fs";
import { mkdir, open, readFile, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { ApiError, invalid } from "./errors.js";
import { HASH_PATTERN } from "./tree.js";

/** PutResult is the outcome of storing one blob with `put`. */
export interface PutResult {
  size: number;
  /** False when the store already held the blob and the upload was only verified. */
  written: boolean;
}

/**
 * ObjectStore keeps content-addressed blobs on disk, one file per sha256
 * under `<root>/<first two hex digits>/<remaining 62>`. A blob is written to
 * `<root>/tmp`, checked against its hash, flushed with fsync and renamed
 * into place, so a reader sees either the whole blob or none, and a blob
 * whose bytes do not match its name never lands.
 */
export class ObjectStore {
  readonly root: string;
  private readonly tmp: string;

  constructor(root: string) {
    this.root = root;
    this.tmp = join(root, "tmp");
  }

  /** Creates the directories and removes temporary files a crash left behind. */
  async open(): Promise<void> {
    await rm(this.tmp, { recursive: true, force: true });
    await mkdir(this.tmp, { recursive: true });
  }

  pathOf(hash: string): string {
    if (!HASH_PATTERN.test(hash))
      throw invalid("INVALID_HASH", `invalid object hash ${JSON.stringify(hash)}`);
    return join(this.root, hash.slice(0, 2), hash.slice(2));
  }

  /** Returns the size in bytes of blob `hash`, which must exist. */
  async sizeOf(hash: string): Promise<number> {
    return (await stat(this.pathOf(hash))).size;
  }

  async has(hash: string): Promise<boolean> {
    try {
      await stat(this.pathOf(hash));
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
      throw error;
    }
  }

  /**
   * Stores the bytes of `source` as blob `hash`. Throws HASH_MISMATCH when
   * the bytes hash to something else and BLOB_TOO_LARGE past `maxBytes`;
   * in both cases nothing is kept.
   */
  async put(
    hash: string,
    source: AsyncIterable<Buffer> | Iterable<Buffer> | Readable,
    maxBytes = Number.MAX_SAFE_INTEGER,
  ): Promise<PutResult> {
    const target = this.pathOf(hash);
    const hasher = createHash("sha256");
    let size = 0;
    const count = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        throw new ApiError(
          413,
          "BLOB_TOO_LARGE",
          `blob ${hash} is larger than the limit of ${maxBytes} bytes`,
        );
      }
      hasher.update(chunk);
    };

    if (await this.has(hash)) {
      // The store has the blob already, but the bytes must still match
      // before the caller may treat this upload as proof of owning them.
      for await (const chunk of source) count(chunk as Buffer);
      this.checkDigest(hash, hasher.digest("hex"));
      return { size, written: false };
    }

    const temporary = join(this.tmp, `${hash}.${randomBytes(6).toString("hex")}`);
    const file = await open(temporary, "wx");
    try {
      try {
        for await (const chunk of source) {
          count(chunk as Buffer);
          await file.write(chunk as Buffer);
        }
        this.checkDigest(hash, hasher.digest("hex"));
        await file.datasync();
      } finally {
        await file.close();
      }
      const directory = join(this.root, hash.slice(0, 2));
      await mkdir(directory, { recursive: true });
      await rename(temporary, target);
      // The rename is durable only once its directory is flushed; a revision
      // committed after a power loss must not point at a vanished blob.
      await this.syncDirectory(directory);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    return { size, written: true };
  }

  /**
   * Starts a batch of blob writes whose bytes are in memory and already
   * verified. Up to `concurrency` writes run at once, and each directory
   * is flushed once at `finish` instead of after every rename, so a pack
   * of thousands of small blobs costs far fewer fsync calls.
   */
  batch(concurrency = 16): ObjectBatch {
    return new ObjectBatch(this, concurrency);
  }

  /** Writes verified bytes to a temporary file, flushes it and renames it into place; returns the directory. */
  async writeVerified(hash: string, bytes: Buffer): Promise<string> {
    const target = this.pathOf(hash);
    const temporary = join(this.tmp, `${hash}.${randomBytes(6).toString("hex")}`);
    const directory = join(this.root, hash.slice(0, 2));
    try {
      const file = await open(temporary, "wx");
      try {
        await file.writeFile(bytes);
        await file.datasync();
      } finally {
        await file.close();
      }
      await mkdir(directory, { recursive: true });
      await rename(temporary, target);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    return directory;
  }

  /** Flushes a directory so the renames in it survive a power loss. */
  async syncDirectory(directory: string): Promise<void> {
    const handle = await open(directory, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  /** Stores `bytes` as a blob and returns its hash. */
  async putBytes(bytes: Buffer): Promise<string> {
    const hash = createHash("sha256").update(bytes).digest("hex");
    await this.put(hash, [bytes]);
    return hash;
  }

  async read(hash: string): Promise<Buffer> {
    return readFile(this.pathOf(hash));
  }

  createReadStream(hash: string): ReadStream {
    return createReadStream(this.pathOf(hash));
  }

  private checkDigest(expected: string, actual: string): void {
    if (actual !== expected) {
      throw invalid("HASH_MISMATCH", `the uploaded bytes hash to ${actual}, not to ${expected}`);
    }
  }
}

/** BatchResult lists the blobs a batch stored, and the first write error if any. */
export interface BatchResult {
  stored: string[];
  error: unknown;
}

// Bytes a batch may hold in memory across its queued writes.
const BATCH_MEMORY = 32 * 1024 * 1024;

/** ObjectBatch writes many in-memory blobs concurrently; see ObjectStore.batch. */
export class ObjectBatch {
  private readonly running = new Set<Promise<void>>();
  private readonly directories = new Set<string>();
  private readonly stored: string[] = [];
  private bytesInFlight = 0;
  private error: unknown;

  constructor(
    private readonly objects: ObjectStore,
    private readonly concurrency: number,
  ) {}

  /**
   * Throws HASH_MISMATCH unless `bytes` hash to `hash`, then queues the
   * write; resolves once the queue has room for it.
   */
  async add(hash: string, bytes: Buffer): Promise<void> {
    const actual = createHash("sha256").update(bytes).digest("hex");
    if (actual !== hash)
      throw invalid("HASH_MISMATCH", `the uploaded bytes hash to ${actual}, not to ${hash}`);
    while (
      this.running.size > 0 &&
      (this.running.size >= this.concurrency || this.bytesInFlight + bytes.length > BATCH_MEMORY)
    ) {
      await Promise.race(this.running);
    }
    if (this.error) throw this.error;
    this.bytesInFlight += bytes.length;
    const write = (async () => {
      try {
        if (!(await this.objects.has(hash)))
          this.directories.add(await this.objects.writeVerified(hash, bytes));
        this.stored.push(hash);
      } catch (error) {
        this.error ??= error;
      } finally {
        this.bytesInFlight -= bytes.length;
      }
    })();
    const tracked = write.finally(() => this.running.delete(tracked));
    this.running.add(tracked);
  }

  /** Waits for every queued write and flushes their directories; a failed write is returned in `error`, not thrown. */
  async finish(): Promise<BatchResult> {
    await Promise.all(this.running);
    try {
      await Promise.all(
        [...this.directories].map((directory) => this.objects.syncDirectory(directory)),
      );
    } catch (error) {
      return { stored: [], error };
    }
    this.directories.clear();
    return { stored: this.stored, error: this.error };
  }
}
