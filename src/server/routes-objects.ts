import type { Readable } from "node:stream";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { ApiError, invalid } from "../store/errors.js";
import type { Repository } from "../store/records.js";
import type { AppContext } from "./app.js";
import { writableRepository } from "./auth.js";
import { bodyObject } from "./body.js";
import { PACK_CONTENT_TYPE, readPack } from "./pack.js";

const MAX_HASHES_PER_QUERY = 1_000_000;
const CLAIM_BATCH = 500;
// Pack blobs up to this size are read into memory and written several at
// a time; larger ones stream to disk one by one.
const IN_MEMORY_BLOB = 8 * 1024 * 1024;

/**
 * Routes for uploading blobs. A push first requests the list of blobs the
 * repository lacks, uploads those (one PUT each, or many in a pack), and
 * then commits its tree.
 */
export function registerObjectRoutes(app: FastifyInstance, { store, limits }: AppContext): void {
  app.post<{ Params: { name: string } }>("/repository/:name/objects/missing", async (request) => {
    const repository = await writableRepository(store, request, request.params.name);
    const hashes = bodyObject(request).hashes;
    if (!Array.isArray(hashes) || hashes.some((hash) => typeof hash !== "string")) {
      throw invalid("INVALID_REQUEST", "`hashes` must be a list of sha256 hex strings");
    }
    if (hashes.length > MAX_HASHES_PER_QUERY) {
      throw invalid("INVALID_REQUEST", `ask about at most ${MAX_HASHES_PER_QUERY} hashes at once`);
    }
    return { missing: await store.missingObjects(repository, hashes as string[]) };
  });

  app.put<{ Params: { name: string; hash: string } }>(
    "/repository/:name/objects/:hash",
    async (request, reply) => {
      const repository = await writableRepository(store, request, request.params.name);
      const body = rawBody(request, "application/octet-stream");
      rejectLargeBody(request, limits.blobBytes);
      const hash = request.params.hash;
      const result = await store.objects.put(hash, body, limits.blobBytes);
      await store.claimObjects(repository, [hash]);
      return reply.status(result.written ? 201 : 200).send({ hash, size: result.size });
    },
  );

  app.post<{ Params: { name: string } }>("/repository/:name/objects", async (request) => {
    const repository = await writableRepository(store, request, request.params.name);
    const body = rawBody(request, PACK_CONTENT_TYPE);
    rejectLargeBody(request, limits.packBytes);
    return storePack(request, repository, body);
  });

  async function storePack(request: FastifyRequest, repository: Repository, body: Readable) {
    const batch = store.objects.batch();
    const streamed: string[] = [];
    let total = 0;
    let failure: unknown;

    try {
      for await (const blob of readPack(body)) {
        total += blob.size;
        if (total > limits.packBytes) {
          throw new ApiError(
            413,
            "BODY_TOO_LARGE",
            `the pack is larger than the limit of ${limits.packBytes} bytes`,
          );
        }
        if (blob.size > Math.min(limits.blobBytes, IN_MEMORY_BLOB)) {
          await store.objects.put(blob.hash, blob.content, limits.blobBytes);
          streamed.push(blob.hash);
          continue;
        }
        const chunks: Buffer[] = [];
        for await (const chunk of blob.content) chunks.push(chunk);
        await batch.add(blob.hash, Buffer.concat(chunks));
      }
    } catch (error) {
      failure = error;
    }

    // Blobs verified and flushed before a failure stay claimed: they are
    // whole and correct, and the client need not upload them again.
    const result = await batch.finish();
    const stored = [...streamed, ...result.stored];
    for (let start = 0; start < stored.length; start += CLAIM_BATCH) {
      await store.claimObjects(repository, stored.slice(start, start + CLAIM_BATCH));
    }
    if (failure ?? result.error) {
      request.log.warn(
        { err: failure ?? result.error, repository: repository.name, storedBlobs: stored.length },
        "pack upload failed",
      );
      throw failure ?? result.error;
    }
    request.log.debug({ repository: repository.name, blobs: stored.length }, "pack stored");
    return { stored: stored.length };
  }
}

function rawBody(request: FastifyRequest, type: string): Readable {
  const body = request.body as Readable | undefined;
  if (!body || typeof (body as Readable).pipe !== "function") {
    throw new ApiError(415, "UNSUPPORTED_MEDIA_TYPE", `send the bytes with Content-Type: ${type}`);
  }
  if (!request.headers["content-type"]?.startsWith(type)) {
    throw new ApiError(415, "UNSUPPORTED_MEDIA_TYPE", `send the bytes with Content-Type: ${type}`);
  }
  return body;
}

function rejectLargeBody(request: FastifyRequest, limit: number): void {
  const length = Number(request.headers["content-length"]);
  if (Number.isFinite(length) && length > limit) {
    throw new ApiError(
      413,
      "BODY_TOO_LARGE",
      `the body has ${length} bytes; the limit is ${limit}`,
    );
  }
}
