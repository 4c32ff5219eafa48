import { createReadStream, readFileSync } from "node:fs";
import { PACK_CONTENT_TYPE, packHeader } from "../server/pack.js";
import type { FileEntry } from "../store/tree.js";
import { PogoError } from "../util/errors.js";
import { type PogoClient, type RevisionInfo, ServerError } from "./api.js";
import { scanTree } from "./scan.js";

// Blobs up to this size travel in packs; larger ones get a request each, streamed.
const PACKED_BLOB_LIMIT = 8 * 1024 * 1024;
const PACK_BYTES = 16 * 1024 * 1024;
const PACK_BLOBS = 4000;
const UPLOAD_CONCURRENCY = 3;

/** PushOptions describes one `pogo push`. */
export interface PushOptions {
  client: PogoClient;
  repository: string;
  root: string;
  author: string;
  description: string;
  bookmark?: string;
  /** Called with progress lines for a human. */
  progress?: (line: string) => void;
}

/** PushResult reports what a push did. */
export interface PushResult {
  revision: RevisionInfo;
  files: number;
  uploaded: number;
  uploadedBytes: number;
  skipped: string[];
  bookmark: { name: string; changed: boolean } | null;
}

/**
 * Pushes the working tree at `root` as a new revision: scan and hash,
 * ask the server which blobs the repository lacks, upload only those, then
 * commit the tree (and move the bookmark) in one request.
 */
export async function push(options: PushOptions): Promise<PushResult> {
  const { client, repository } = options;
  const tree = await scanTree(options.root);
  const files = tree.entries.filter((entry): entry is FileEntry => entry.type === "file");
  options.progress?.(`scanned ${tree.entries.length} entries`);

  const missing = new Set(
    await client.missingObjects(
      repository,
      files.map((file) => file.hash),
    ),
  );
  const toUpload = new Map<string, FileEntry>();
  for (const file of files)
    if (missing.has(file.hash) && !toUpload.has(file.hash)) toUpload.set(file.hash, file);
  const uploads = [...toUpload.values()];
  let uploadedBytes = 0;
  for (const file of uploads) uploadedBytes += file.size;
  if (uploads.length > 0)
    options.progress?.(`uploading ${uploads.length} blobs (${uploadedBytes} bytes)`);

  try {
    await uploadBlobs(client, repository, uploads, tree.sources);
  } catch (error) {
    if (error instanceof ServerError && error.code === "HASH_MISMATCH") {
      throw new PogoError(
        "FILE_CHANGED",
        "a file changed while it was being pushed; run `pogo push` again",
      );
    }
    throw error;
  }

  const result = await client.createRevision(repository, {
    author: options.author,
    description: options.description,
    entries: tree.entries,
    bookmark: options.bookmark,
  });
  return {
    revision: result.revision,
    files: tree.entries.length,
    uploaded: uploads.length,
    uploadedBytes,
    skipped: tree.skipped,
    bookmark: result.bookmark
      ? { name: result.bookmark.name, changed: result.bookmark.changed }
      : null,
  };
}

async function uploadBlobs(
  client: PogoClient,
  repository: string,
  files: FileEntry[],
  sources: Map<string, string>,
): Promise<void> {
  const jobs: Array<() => Promise<void>> = [];
  let batch: FileEntry[] = [];
  let batchBytes = 0;
  const flush = () => {
    if (batch.length === 0) return;
    const members = batch;
    jobs.push(async () => {
      const parts: Buffer[] = [];
      for (const file of members) {
        // Small files read synchronously: much faster than a thread-pool round trip each.
        const content = readFileSync(sources.get(file.path)!);
        parts.push(packHeader(file.hash, content.length), content);
      }
      await client.putPack(repository, Buffer.concat(parts), PACK_CONTENT_TYPE);
    });
    batch = [];
    batchBytes = 0;
  };
  for (const file of files) {
    if (file.size > PACKED_BLOB_LIMIT) {
      jobs.push(() =>
        client.putObject(repository, file.hash, createReadStream(sources.get(file.path)!)),
      );
      continue;
    }
    if (batch.length >= PACK_BLOBS || batchBytes + file.size > PACK_BYTES) flush();
    batch.push(file);
    batchBytes += file.size;
  }
  flush();

  let next = 0;
  const worker = async () => {
    while (next < jobs.length) await jobs[next++]!();
  };
  await Promise.all(Array.from({ length: Math.min(UPLOAD_CONCURRENCY, jobs.length) }, worker));
}
