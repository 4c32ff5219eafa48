import type { FastifyRequest } from "fastify";
import { ApiError, notFound } from "../store/errors.js";
import type { Principal, Repository, User } from "../store/records.js";
import type { Store } from "../store/store.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The identity the request acts as; undefined for a request without a token. */
    principal: Principal | undefined;
  }
}

/** ARCHIVE_ROUTE is the one route that also takes its token from the URL. */
export const ARCHIVE_ROUTE = "/repository/:name/archive/*";

/**
 * Returns the token a request carries: `Authorization: Bearer …`, or, for
 * archive downloads only, the `token` query parameter, for tools that can
 * only fetch a URL. Other routes ignore it, so tokens rarely sit in URLs.
 */
export function requestToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) {
      throw new ApiError(401, "INVALID_TOKEN", "the Authorization header must be `Bearer <token>`");
    }
    return match[1];
  }
  if (request.routeOptions.url !== ARCHIVE_ROUTE) return undefined;
  const query = request.query as Record<string, unknown> | undefined;
  const token = query?.token;
  return typeof token === "string" && token !== "" ? token : undefined;
}

/** Resolves the request's token; a token that is unknown or expired is rejected, never ignored. */
export async function authenticate(
  store: Store,
  request: FastifyRequest,
): Promise<Principal | undefined> {
  const token = requestToken(request);
  if (token === undefined) return undefined;
  const principal = await store.authenticate(token);
  if (!principal)
    throw new ApiError(401, "INVALID_TOKEN", "the token is unknown, revoked or expired");
  return principal;
}

/** Returns the user behind the request, or throws 401 when it has no user token. */
export function requireUser(request: FastifyRequest): User {
  const principal = request.principal;
  if (principal?.kind === "user") return principal.user;
  if (principal?.kind === "ci") {
    throw new ApiError(403, "FORBIDDEN", "a CI token cannot do this; use a user token");
  }
  throw new ApiError(
    401,
    "UNAUTHENTICATED",
    "this needs a token: send `Authorization: Bearer <token>`",
  );
}

export function requireAdmin(request: FastifyRequest): User {
  const user = requireUser(request);
  if (!user.isAdmin) throw new ApiError(403, "FORBIDDEN", "only an admin can do this");
  return user;
}

export function canRead(principal: Principal | undefined, repository: Repository): boolean {
  if (!repository.isPrivate) return true;
  if (principal?.kind === "ci") return principal.repositoryId === repository.id;
  if (principal?.kind === "user")
    return principal.user.isAdmin || principal.user.id === repository.ownerId;
  return false;
}

export function canWrite(principal: Principal | undefined, repository: Repository): boolean {
  return (
    principal?.kind === "user" &&
    (principal.user.isAdmin || principal.user.id === repository.ownerId)
  );
}

/**
 * Loads a repository the request may read. A private repository the caller
 * may not read is reported as not found, so its name does not leak.
 */
export async function readableRepository(
  store: Store,
  request: FastifyRequest,
  name: string,
): Promise<Repository> {
  const repository = await store.findRepository(name);
  if (!repository || !canRead(request.principal, repository)) {
    const hint = request.principal ? "" : "; a private repository needs a token";
    throw notFound("REPOSITORY_NOT_FOUND", `repository ${JSON.stringify(name)} not found${hint}`);
  }
  return repository;
}

/** Loads a repository the request may change (push, bookmarks, settings). */
export async function writableRepository(
  store: Store,
  request: FastifyRequest,
  name: string,
): Promise<Repository> {
  const repository = await readableRepository(store, request, name);
  requireUser(request);
  if (!canWrite(request.principal, repository)) {
    throw new ApiError(
      403,
      "FORBIDDEN",
      `you may read ${repository.name} but not change it; ask its owner`,
    );
  }
  return repository;
}
