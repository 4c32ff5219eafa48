import { crc32, inflateRawSync } from "node:zlib";

/** ZipMember is one entry of a zip as read back by the tests. */
export interface ZipMember {
  path: string;
  /** The Unix mode from the high 16 bits of the external attributes (type and permissions). */
  unixMode: number;
  content: Buffer;
}

/**
 * Reads a whole zip from memory through its central directory, checking
 * every CRC. A small independent reader, so the archive tests do not trust
 * the writer they test.
 */
export function readZip(zip: Buffer): ZipMember[] {
  let end = zip.length - 22;
  while (end >= 0 && zip.readUInt32LE(end) !== 0x06054b50) end--;
  if (end < 0) throw new Error("no end of central directory record");
  let count = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  if (end >= 20 && zip.readUInt32LE(end - 20) === 0x07064b50) {
    const record = Number(zip.readBigUInt64LE(end - 12));
    count = Number(zip.readBigUInt64LE(record + 32));
    offset = Number(zip.readBigUInt64LE(record + 48));
  }
  const members: ZipMember[] = [];
  for (let index = 0; index < count; index++) {
    if (zip.readUInt32LE(offset) !== 0x02014b50) throw new Error(`bad central header at ${offset}`);
    const method = zip.readUInt16LE(offset + 10);
    const crc = zip.readUInt32LE(offset + 16);
    let compressedSize = zip.readUInt32LE(offset + 20);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const external = zip.readUInt32LE(offset + 38);
    let local = zip.readUInt32LE(offset + 42);
    const path = zip.subarray(offset + 46, offset + 46 + nameLength).toString("utf8");
    const extra = zip.subarray(offset + 46 + nameLength, offset + 46 + nameLength + extraLength);
    for (let at = 0; at < extra.length; at += 4 + extra.readUInt16LE(at + 2)) {
      if (extra.readUInt16LE(at) !== 0x0001) continue;
      let field = at + 4;
      if (zip.readUInt32LE(offset + 24) === 0xffffffff) field += 8;
      if (compressedSize === 0xffffffff) {
        compressedSize = Number(extra.readBigUInt64LE(field));
        field += 8;
      }
      if (local === 0xffffffff) local = Number(extra.readBigUInt64LE(field));
    }
    if (zip.readUInt32LE(local) !== 0x04034b50) throw new Error(`bad local header for ${path}`);
    const dataStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const raw = zip.subarray(dataStart, dataStart + compressedSize);
    const content = method === 8 ? inflateRawSync(raw) : Buffer.from(raw);
    if (crc32(content) !== crc) throw new Error(`CRC mismatch for ${path}`);
    members.push({ path, unixMode: external >>> 16, content });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return members;
}
