import type { Bookmark, Repository, Revision, TokenRecord, User } from "../store/records.js";

/** JSON shapes the API returns; times are ISO 8601 strings in UTC. */

/** The latest instant a JavaScript Date can hold; later stored times are shown as this. */
const MAX_DATE_MS = 8.64e15;

function iso(time: number | null): string | null {
  if (time === null) return null;
  return new Date(Math.max(-MAX_DATE_MS, Math.min(MAX_DATE_MS, time))).toISOString();
}

export function userView(user: User) {
  return { id: user.id, name: user.name, admin: user.isAdmin, createdAt: iso(user.createdAt) };
}

export function tokenView(token: TokenRecord) {
  return {
    id: token.id,
    scope: token.scope,
    description: token.description,
    repositoryId: token.repositoryId,
    createdAt: iso(token.createdAt),
    expiresAt: iso(token.expiresAt),
    lastUsedAt: iso(token.lastUsedAt),
  };
}

export function repositoryView(repository: Repository, owner: string | undefined) {
  return {
    id: repository.id,
    name: repository.name,
    private: repository.isPrivate,
    owner: owner ?? null,
    createdAt: iso(repository.createdAt),
  };
}

export function revisionView(revision: Revision, repository: Repository, publicUrl: string) {
  return {
    id: revision.id,
    author: revision.author,
    description: revision.description,
    fileCount: revision.fileCount,
    totalSize: revision.totalSize,
    createdAt: iso(revision.createdAt),
    archiveUrl: archiveUrl(publicUrl, repository.name, revision.id),
  };
}

export function bookmarkView(bookmark: Bookmark) {
  return { name: bookmark.name, revision: bookmark.revisionId, updatedAt: iso(bookmark.updatedAt) };
}

/** Returns the URL of the zip of `rev` (a revision id or bookmark name) in `repository`. */
export function archiveUrl(publicUrl: string, repository: string, rev: string): string {
  return `${publicUrl.replace(/\/+$/, "")}/repository/${encodeURIComponent(repository)}/archive/${encodeURIComponent(rev)}`;
}
