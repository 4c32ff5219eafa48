import { Readable } from "node:stream";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Repository } from "../store/records.js";
import type { Store } from "../store/store.js";
import type { AppContext } from "./app.js";
import { ARCHIVE_ROUTE, readableRepository } from "./auth.js";
import { writeZip, type ZipEntry } from "./zip.js";

/**
 * `GET /repository/{name}/archive/{rev}` streams a zip of a revision, named
 * by revision id or bookmark. Private repositories need a user token with
 * access or the repository's CI token, in the Authorization header or the
 * `token` query parameter.
 */
export function registerArchiveRoutes(app: FastifyInstance, { store }: AppContext): void {
  app.get<{ Params: { name: string; "*": string } }>(
    ARCHIVE_ROUTE,
    { exposeHeadRoute: false },
    async (request, reply) => {
      const repository = await readableRepository(store, request, request.params.name);
      return sendRevisionArchive(store, request, reply, repository, request.params["*"]);
    },
  );
}

/**
 * Streams revision `rev` of `repository` (a revision id or bookmark name) as
 * a zip attachment. The caller has already checked read access; both the
 * API and the web pages serve archives through this one function.
 */
export async function sendRevisionArchive(
  store: Store,
  request: FastifyRequest,
  reply: FastifyReply,
  repository: Repository,
  rev: string,
) {
  const revision = await store.resolveRevision(repository, rev);
  const tree = await store.readTree(revision);
  const entries = tree.entries.map(
    (entry): ZipEntry =>
      entry.type === "file"
        ? {
            type: "file",
            path: entry.path,
            mode: entry.mode,
            size: entry.size,
            source: store.objects.pathOf(entry.hash),
          }
        : entry,
  );
  const stream = Readable.from(writeZip(entries, new Date(revision.createdAt)), {
    objectMode: false,
  });
  stream.on("error", (error) => {
    request.log.error(
      { err: error, repository: repository.name, revision: revision.id },
      "archive failed",
    );
  });
  const fileName = `${repository.name}-${revision.id.slice(0, 12)}.zip`;
  return reply
    .header("content-type", "application/zip")
    .header("content-disposition", `attachment; filename="${fileName}"`)
    .header("x-pogo-revision", revision.id)
    .send(stream);
}
