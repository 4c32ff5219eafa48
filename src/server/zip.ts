import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { crc32, createDeflateRaw, deflateRaw } from "node:zlib";

const deflateRawAsync = promisify(deflateRaw);

const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const MADE_BY_UNIX = 3 << 8;
const FLAG_DATA_DESCRIPTOR = 0x0008;
const FLAG_UTF8 = 0x0800;
const METHOD_STORED = 0;
const METHOD_DEFLATED = 8;
const MAX_32 = 0xffffffff;
const MAX_16 = 0xffff;
// Files below this size are read and compressed whole, so their sizes and
// CRC go in the local header. Larger ones stream through deflate with a
// data descriptor, so memory stays flat however large the archive is.
const WHOLE_FILE_LIMIT = 1024 * 1024;
// A streamed entry uses ZIP64 sizes when its content could exceed 4 GiB
// once compressed. Deflate can grow incompressible data slightly, so the
// switch happens 16 MiB early.
const ZIP64_STREAM_THRESHOLD = MAX_32 - 16 * 1024 * 1024;

/** ZipFile is a regular file to archive; `source` is the path its content is read from. */
export interface ZipFile {
  type: "file";
  path: string;
  mode: number;
  size: number;
  source: string;
}

/** ZipSymlink is a symbolic link, archived as its target text with S_IFLNK in the Unix mode. */
export interface ZipSymlink {
  type: "symlink";
  path: string;
  target: string;
}

export type ZipEntry = ZipFile | ZipSymlink;

interface PreparedEntry {
  method: number;
  crc: number;
  size: number;
  data: Buffer;
}

const PREPARE_AHEAD = 8;

function isWhole(entry: ZipEntry): boolean {
  return entry.type === "symlink" || entry.size < WHOLE_FILE_LIMIT;
}

/** Reads a small entry whole and deflates it, keeping it stored when deflate does not shrink it. */
async function prepareWhole(entry: ZipEntry): Promise<PreparedEntry> {
  const content =
    entry.type === "symlink" ? Buffer.from(entry.target, "utf8") : await readFile(entry.source);
  const crc = crc32(content);
  if (entry.type === "file" && content.length > 0) {
    const compressed = await deflateRawAsync(content);
    if (compressed.length < content.length) {
      return { method: METHOD_DEFLATED, crc, size: content.length, data: compressed };
    }
  }
  return { method: METHOD_STORED, crc, size: content.length, data: content };
}

interface CentralRecord {
  name: Buffer;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  offset: number;
  externalAttributes: number;
  zip64: boolean;
}

/**
 * Writes a zip archive of `entries` as a stream of chunks. Unix permission
 * bits and file types go in the high 16 bits of each entry's external
 * attributes, as Info-ZIP writes them. Names are flagged UTF-8, and every
 * entry carries `mtime` in an extended-timestamp field. ZIP64 records are
 * added only where a size, offset or entry count needs them.
 */
export async function* writeZip(
  entries: Iterable<ZipEntry>,
  mtime: Date,
  options: { zip64StreamThreshold?: number } = {},
): AsyncGenerator<Buffer> {
  const zip64Threshold = options.zip64StreamThreshold ?? ZIP64_STREAM_THRESHOLD;
  const central: CentralRecord[] = [];
  const dos = dosDateTime(mtime);
  const unixSeconds = Math.floor(mtime.getTime() / 1000);
  let offset = 0;

  const list = [...entries];
  // Small entries are read and compressed in libuv's thread pool a few
  // ahead of the one being written, so disk reads and deflate overlap with
  // sending. The window bounds the memory this takes.
  const prepared = new Map<number, Promise<PreparedEntry>>();
  let scheduled = 0;
  const scheduleAhead = (current: number) => {
    while (scheduled < list.length && scheduled < current + PREPARE_AHEAD) {
      const entry = list[scheduled]!;
      if (isWhole(entry)) {
        const promise = prepareWhole(entry);
        // Awaited in order below; this only keeps an early failure from
        // being reported as unhandled before its turn comes.
        promise.catch(() => {});
        prepared.set(scheduled, promise);
      }
      scheduled++;
    }
  };

  for (let index = 0; index < list.length; index++) {
    scheduleAhead(index);
    const entry = list[index]!;
    const name = Buffer.from(entry.path, "utf8");
    const offsetOfEntry = offset;

    if (entry.type === "symlink" || entry.size < WHOLE_FILE_LIMIT) {
      const whole = await prepared.get(index)!;
      prepared.delete(index);
      const record: CentralRecord = {
        name,
        flags: FLAG_UTF8,
        method: whole.method,
        crc: whole.crc,
        compressedSize: whole.data.length,
        size: whole.size,
        offset: offsetOfEntry,
        externalAttributes: externalAttributes(entry),
        zip64: false,
      };
      const header = localHeader(record, dos, unixSeconds);
      yield Buffer.concat([header, whole.data]);
      offset += header.length + whole.data.length;
      central.push(record);
      continue;
    }

    const zip64 = entry.size >= zip64Threshold;
    const record: CentralRecord = {
      name,
      flags: FLAG_UTF8 | FLAG_DATA_DESCRIPTOR,
      method: METHOD_DEFLATED,
      crc: 0,
      compressedSize: 0,
      size: 0,
      offset: offsetOfEntry,
      externalAttributes: externalAttributes(entry),
      zip64,
    };
    const header = localHeader(record, dos, unixSeconds);
    yield header;
    offset += header.length;

    const input = createReadStream(entry.source);
    const deflate = createDeflateRaw();
    let crc = 0;
    let size = 0;
    input.on("data", (chunk) => {
      crc = crc32(chunk as Buffer, crc);
      size += (chunk as Buffer).length;
    });
    input.on("error", (error) => deflate.destroy(error));
    input.pipe(deflate);
    try {
      for await (const chunk of deflate) {
        yield chunk as Buffer;
        offset += (chunk as Buffer).length;
        record.compressedSize += (chunk as Buffer).length;
      }
    } finally {
      input.destroy();
      deflate.destroy();
    }
    if (size !== entry.size) {
      throw new Error(`object for ${entry.path} has ${size} bytes, the tree records ${entry.size}`);
    }
    record.crc = crc;
    record.size = size;
    const descriptor = dataDescriptor(record);
    yield descriptor;
    offset += descriptor.length;
    central.push(record);
  }

  const centralStart = offset;
  for (const record of central) {
    const header = centralHeader(record, dos, unixSeconds);
    yield header;
    offset += header.length;
  }
  yield endOfCentralDirectory(central.length, centralStart, offset - centralStart, offset);
}

function externalAttributes(entry: ZipEntry): number {
  const mode = entry.type === "symlink" ? S_IFLNK | 0o777 : S_IFREG | (entry.mode & 0o777);
  return (mode << 16) >>> 0;
}

function extendedTimestamp(unixSeconds: number): Buffer {
  const field = Buffer.alloc(9);
  field.writeUInt16LE(0x5455, 0);
  field.writeUInt16LE(5, 2);
  field.writeUInt8(1, 4);
  field.writeUInt32LE(Math.max(0, Math.min(unixSeconds, MAX_32)), 5);
  return field;
}

function localHeader(
  record: CentralRecord,
  dos: { time: number; date: number },
  unixSeconds: number,
): Buffer {
  const extras = [extendedTimestamp(unixSeconds)];
  if (record.zip64) {
    // Sizes follow in the data descriptor; this field only announces ZIP64.
    const field = Buffer.alloc(20);
    field.writeUInt16LE(0x0001, 0);
    field.writeUInt16LE(16, 2);
    extras.push(field);
  }
  const extra = Buffer.concat(extras);
  const header = Buffer.alloc(30);
  const streamed = (record.flags & FLAG_DATA_DESCRIPTOR) !== 0;
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(record.zip64 ? 45 : 20, 4);
  header.writeUInt16LE(record.flags, 6);
  header.writeUInt16LE(record.method, 8);
  header.writeUInt16LE(dos.time, 10);
  header.writeUInt16LE(dos.date, 12);
  header.writeUInt32LE(streamed ? 0 : record.crc, 14);
  let compressedSize = record.compressedSize;
  let size = record.size;
  if (record.zip64) {
    compressedSize = MAX_32;
    size = MAX_32;
  } else if (streamed) {
    compressedSize = 0;
    size = 0;
  }
  header.writeUInt32LE(compressedSize, 18);
  header.writeUInt32LE(size, 22);
  header.writeUInt16LE(record.name.length, 26);
  header.writeUInt16LE(extra.length, 28);
  return Buffer.concat([header, record.name, extra]);
}

function dataDescriptor(record: CentralRecord): Buffer {
  if (record.zip64) {
    const descriptor = Buffer.alloc(24);
    descriptor.writeUInt32LE(0x08074b50, 0);
    descriptor.writeUInt32LE(record.crc, 4);
    descriptor.writeBigUInt64LE(BigInt(record.compressedSize), 8);
    descriptor.writeBigUInt64LE(BigInt(record.size), 16);
    return descriptor;
  }
  const descriptor = Buffer.alloc(16);
  descriptor.writeUInt32LE(0x08074b50, 0);
  descriptor.writeUInt32LE(record.crc, 4);
  descriptor.writeUInt32LE(record.compressedSize, 8);
  descriptor.writeUInt32LE(record.size, 12);
  return descriptor;
}

function centralHeader(
  record: CentralRecord,
  dos: { time: number; date: number },
  unixSeconds: number,
): Buffer {
  const large: bigint[] = [];
  const sizeTooLarge = record.zip64 || record.size >= MAX_32;
  const compressedTooLarge = record.zip64 || record.compressedSize >= MAX_32;
  const offsetTooLarge = record.offset >= MAX_32;
  if (sizeTooLarge) large.push(BigInt(record.size));
  if (compressedTooLarge) large.push(BigInt(record.compressedSize));
  if (offsetTooLarge) large.push(BigInt(record.offset));

  const extras = [extendedTimestamp(unixSeconds)];
  if (large.length > 0) {
    const field = Buffer.alloc(4 + 8 * large.length);
    field.writeUInt16LE(0x0001, 0);
    field.writeUInt16LE(8 * large.length, 2);
    for (const [index, value] of large.entries()) field.writeBigUInt64LE(value, 4 + 8 * index);
    extras.push(field);
  }
  const extra = Buffer.concat(extras);
  const version = large.length > 0 ? 45 : 20;
  const header = Buffer.alloc(46);
  header.writeUInt32LE(0x02014b50, 0);
  header.writeUInt16LE(MADE_BY_UNIX | version, 4);
  header.writeUInt16LE(version, 6);
  header.writeUInt16LE(record.flags, 8);
  header.writeUInt16LE(record.method, 10);
  header.writeUInt16LE(dos.time, 12);
  header.writeUInt16LE(dos.date, 14);
  header.writeUInt32LE(record.crc, 16);
  header.writeUInt32LE(compressedTooLarge ? MAX_32 : record.compressedSize, 20);
  header.writeUInt32LE(sizeTooLarge ? MAX_32 : record.size, 24);
  header.writeUInt16LE(record.name.length, 28);
  header.writeUInt16LE(extra.length, 30);
  header.writeUInt16LE(0, 32);
  header.writeUInt16LE(0, 34);
  header.writeUInt16LE(0, 36);
  header.writeUInt32LE(record.externalAttributes, 38);
  header.writeUInt32LE(offsetTooLarge ? MAX_32 : record.offset, 42);
  return Buffer.concat([header, record.name, extra]);
}

function endOfCentralDirectory(count: number, start: number, size: number, end: number): Buffer {
  const parts: Buffer[] = [];
  const zip64 = count >= MAX_16 || start >= MAX_32 || size >= MAX_32;

  if (zip64) {
    const record = Buffer.alloc(56);
    record.writeUInt32LE(0x06064b50, 0);
    record.writeBigUInt64LE(44n, 4);
    record.writeUInt16LE(MADE_BY_UNIX | 45, 12);
    record.writeUInt16LE(45, 14);
    record.writeUInt32LE(0, 16);
    record.writeUInt32LE(0, 20);
    record.writeBigUInt64LE(BigInt(count), 24);
    record.writeBigUInt64LE(BigInt(count), 32);
    record.writeBigUInt64LE(BigInt(size), 40);
    record.writeBigUInt64LE(BigInt(start), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeUInt32LE(0, 4);
    locator.writeBigUInt64LE(BigInt(end), 8);
    locator.writeUInt32LE(1, 16);
    parts.push(record, locator);
  }

  const record = Buffer.alloc(22);
  record.writeUInt32LE(0x06054b50, 0);
  record.writeUInt16LE(0, 4);
  record.writeUInt16LE(0, 6);
  record.writeUInt16LE(Math.min(count, MAX_16), 8);
  record.writeUInt16LE(Math.min(count, MAX_16), 10);
  record.writeUInt32LE(Math.min(size, MAX_32), 12);
  record.writeUInt32LE(Math.min(start, MAX_32), 16);
  record.writeUInt16LE(0, 20);
  parts.push(record);
  return Buffer.concat(parts);
}

/** Returns the MS-DOS date and time fields for `date`, in UTC, clamped to 1980–2107. */
function dosDateTime(date: Date): { time: number; date: number } {
  const year = Math.min(Math.max(date.getUTCFullYear(), 1980), 2107);
  return {
    time:
      (date.getUTCHours() << 11) |
      (date.getUTCMinutes() << 5) |
      Math.floor(date.getUTCSeconds() / 2),
    date: ((year - 1980) << 9) | ((date.getUTCMonth() + 1) << 5) | date.getUTCDate(),
  };
}
