import { invalid } from "../store/errors.js";
import { HASH_PATTERN } from "../store/tree.js";

/**
 * A pack is many blobs in one request body, so a push of thousands of small
 * files costs a few requests instead of one each. Each blob is a header
 * line, `<sha256 hex> <size in bytes>\n`, followed by exactly that many
 * bytes; the body ends after the last blob.
 */
export const PACK_CONTENT_TYPE = "application/vnd.pogo.pack";

const MAX_HEADER_BYTES = 100;

/** PackBlob is one blob of a pack; read `content` to the end before asking for the next blob. */
export interface PackBlob {
  hash: string;
  size: number;
  content: AsyncIterable<Buffer>;
}

/** Returns the header line of one blob in a pack. */
export function packHeader(hash: string, size: number): Buffer {
  return Buffer.from(`${hash} ${size}\n`);
}

/** Reads the blobs of a pack from `source` one after another. */
export async function* readPack(source: AsyncIterable<Buffer>): AsyncGenerator<PackBlob> {
  const reader = new ChunkReader(source[Symbol.asyncIterator]());
  for (let index = 0; ; index++) {
    const line = await reader.readLine(MAX_HEADER_BYTES);
    if (line === undefined) return;
    const match = /^([0-9a-f]+) (\d+)$/.exec(line);
    if (!match || !HASH_PATTERN.test(match[1]!) || !Number.isSafeInteger(Number(match[2]))) {
      throw invalid(
        "INVALID_PACK",
        `blob ${index} of the pack has an invalid header; expected "<sha256> <size>"`,
      );
    }
    const size = Number(match[2]);
    yield { hash: match[1]!, size, content: reader.take(size) };
    reader.checkConsumed();
  }
}

/** ChunkReader reads lines and exact byte counts from a stream of chunks. */
class ChunkReader {
  private buffer: Buffer = Buffer.alloc(0);
  private ended = false;
  private pending = 0;

  constructor(private readonly source: AsyncIterator<Buffer>) {}

  async readLine(limit: number): Promise<string | undefined> {
    for (;;) {
      const newline = this.buffer.indexOf(0x0a);
      if (newline !== -1 && newline <= limit) {
        const line = this.buffer.subarray(0, newline).toString("latin1");
        this.buffer = this.buffer.subarray(newline + 1);
        return line;
      }
      if (this.buffer.length > limit)
        throw invalid("INVALID_PACK", "a pack header line is too long");
      if (!(await this.fill())) {
        if (this.buffer.length === 0) return undefined;
        throw invalid("INVALID_PACK", "the pack ends inside a header line");
      }
    }
  }

  take(size: number): AsyncGenerator<Buffer> {
    this.pending = size;
    return this.drain();
  }

  private async *drain(): AsyncGenerator<Buffer> {
    while (this.pending > 0) {
      if (this.buffer.length === 0 && !(await this.fill())) {
        throw invalid("INVALID_PACK", `the pack ends ${this.pending} bytes before the blob does`);
      }
      const chunk = this.buffer.subarray(0, Math.min(this.pending, this.buffer.length));
      this.buffer = this.buffer.subarray(chunk.length);
      this.pending -= chunk.length;
      yield chunk;
    }
  }

  checkConsumed(): void {
    if (this.pending > 0) throw new Error("a pack blob was not read to its end");
  }

  private async fill(): Promise<boolean> {
    if (this.ended) return false;
    const next = await this.source.next();
    if (next.done) {
      this.ended = true;
      return false;
    }
    const chunk = next.value as Buffer;
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    return true;
  }
}
