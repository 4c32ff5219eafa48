import type { FastifyInstance, FastifyRequest } from "fastify";
import { invalid, notFound } from "../store/errors.js";
import { parseTree } from "../store/tree.js";
import type { AppContext } from "./app.js";
import { canRead, readableRepository, requireUser, writableRepository } from "./auth.js";
import { bodyObject, booleanField, stringField } from "./body.js";
import { bookmarkView, repositoryView, revisionView } from "./views.js";

type NameParams = { Params: { name: string } };
type BookmarkParams = { Params: { name: string; "*": string } };

const MAX_TEXT = 64 * 1024;

/** Routes for repositories, their revisions and their bookmarks. */
export function registerRepositoryRoutes(
  app: FastifyInstance,
  { store, publicUrl }: AppContext,
): void {
  const ownerName = async (id: number) => (await store.getUserById(id))?.name;

  app.get("/repositories", async (request) => {
    const visible = (await store.listRepositories()).filter((repository) =>
      canRead(request.principal, repository),
    );
    const repositories = [];
    for (const repository of visible)
      repositories.push(repositoryView(repository, await ownerName(repository.ownerId)));
    return { repositories };
  });

  app.post("/repositories", async (request, reply) => {
    const user = requireUser(request);
    const body = bodyObject(request);
    const repository = await store.createRepository(
      stringField(body, "name"),
      user,
      booleanField(body, "private") ?? false,
    );
    request.log.info({ repository: repository.name, owner: user.name }, "repository created");
    return reply.status(201).send({ repository: repositoryView(repository, user.name) });
  });

  app.get<NameParams>("/repository/:name", async (request) => {
    const repository = await readableRepository(store, request, request.params.name);
    return { repository: repositoryView(repository, await ownerName(repository.ownerId)) };
  });

  app.patch<NameParams>("/repository/:name", async (request) => {
    let repository = await writableRepository(store, request, request.params.name);
    const isPrivate = booleanField(bodyObject(request), "private");
    if (isPrivate !== undefined)
      repository = await store.setRepositoryPrivate(repository, isPrivate);
    return { repository: repositoryView(repository, await ownerName(repository.ownerId)) };
  });

  app.post<NameParams>("/repository/:name/revisions", async (request, reply) => {
    const repository = await writableRepository(store, request, request.params.name);
    const body = bodyObject(request);
    const author = textField(body, "author");
    if (author.trim() === "") throw invalid("INVALID_REQUEST", "`author` must not be empty");
    const description = textField(body, "description");
    const bookmark = stringField(body, "bookmark", true);
    const tree = parseTree(body.entries);
    const user = requireUser(request);
    const result = await store.createRevision({
      repository,
      tree,
      author,
      description,
      pusher: user,
      bookmark,
    });
    request.log.info(
      {
        repository: repository.name,
        revision: result.revision.id,
        files: tree.entries.length,
        bookmark,
      },
      "revision pushed",
    );
    return reply.status(201).send({
      revision: revisionView(result.revision, repository, publicUrl()),
      bookmark: result.bookmark
        ? { ...bookmarkView(result.bookmark.bookmark), changed: result.bookmark.changed }
        : null,
    });
  });

  app.get<NameParams & { Querystring: { limit?: string; before?: string } }>(
    "/repository/:name/revisions",
    async (request) => {
      const repository = await readableRepository(store, request, request.params.name);
      const limit = request.query.limit === undefined ? undefined : Number(request.query.limit);
      if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
        throw invalid("INVALID_REQUEST", "`limit` must be a positive integer");
      }
      const revisions = await store.listRevisions(repository, {
        limit,
        before: request.query.before,
      });
      return {
        revisions: revisions.map((revision) => revisionView(revision, repository, publicUrl())),
      };
    },
  );

  app.get<{ Params: { name: string; rev: string }; Querystring: { tree?: string } }>(
    "/repository/:name/revisions/:rev",
    async (request) => {
      const repository = await readableRepository(store, request, request.params.name);
      const revision = await store.resolveRevision(repository, request.params.rev);
      const view = revisionView(revision, repository, publicUrl());
      if (request.query.tree === undefined) return { revision: view };
      return { revision: { ...view, entries: (await store.readTree(revision)).entries } };
    },
  );

  app.get<NameParams>("/repository/:name/bookmarks", async (request) => {
    const repository = await readableRepository(store, request, request.params.name);
    return { bookmarks: (await store.listBookmarks(repository)).map(bookmarkView) };
  });

  app.get<BookmarkParams>("/repository/:name/bookmarks/*", async (request) => {
    const repository = await readableRepository(store, request, request.params.name);
    const name = bookmarkParam(request);
    const bookmark = await store.getBookmark(repository, name);
    if (!bookmark) {
      throw notFound(
        "BOOKMARK_NOT_FOUND",
        `bookmark ${JSON.stringify(name)} not found in ${repository.name}`,
      );
    }
    return { bookmark: bookmarkView(bookmark) };
  });

  app.put<BookmarkParams>("/repository/:name/bookmarks/*", async (request) => {
    const repository = await writableRepository(store, request, request.params.name);
    const name = bookmarkParam(request);
    const revision = stringField(bodyObject(request), "revision");
    const change = await store.setBookmark(repository, name, revision, requireUser(request));
    request.log.info(
      { repository: repository.name, bookmark: name, revision, changed: change.changed },
      "bookmark set",
    );
    return {
      bookmark: bookmarkView(change.bookmark),
      changed: change.changed,
      previousRevision: change.previousRevisionId,
    };
  });

  app.delete<BookmarkParams>("/repository/:name/bookmarks/*", async (request) => {
    const repository = await writableRepository(store, request, request.params.name);
    const name = bookmarkParam(request);
    const removed = await store.removeBookmark(repository, name, requireUser(request));
    request.log.info(
      { repository: repository.name, bookmark: name, revision: removed.revisionId },
      "bookmark removed",
    );
    return { bookmark: bookmarkView(removed) };
  });
}

function textField(body: Record<string, unknown>, name: string): string {
  const value = stringField(body, name);
  if (value.length > MAX_TEXT)
    throw invalid("INVALID_REQUEST", `\`${name}\` is longer than ${MAX_TEXT} characters`);
  if (value.includes("\0"))
    throw invalid("INVALID_REQUEST", `\`${name}\` contains a NUL character`);
  return value;
}

function bookmarkParam(request: FastifyRequest<BookmarkParams>): string {
  return request.params["*"];
}
