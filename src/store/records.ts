import type { EventType } from "../config/event.js";
import type { SqlExecutor } from "./database.js";

/** User is an account that owns repositories and tokens. */
export interface User {
  id: number;
  name: string;
  isAdmin: boolean;
  createdAt: number;
}

/** TokenScope is `user` (acts as its user) or `ci` (reads one repository until it expires). */
export type TokenScope = "user" | "ci";

/** TokenRecord describes a stored token; the token itself is never stored, only its sha256. */
export interface TokenRecord {
  id: number;
  scope: TokenScope;
  userId: number | null;
  repositoryId: number | null;
  description: string;
  createdAt: number;
  /** Milliseconds since the epoch, or null for a token that does not expire. */
  expiresAt: number | null;
  lastUsedAt: number | null;
}

/** Principal is who a request acts as, once its token is checked. */
export type Principal =
  | { kind: "user"; user: User; token: TokenRecord }
  | { kind: "ci"; repositoryId: number; token: TokenRecord };

/** Repository is a named history of revisions, public or private. */
export interface Repository {
  /** A 32-bit integer: templates see it as `RepositoryID`. */
  id: number;
  name: string;
  ownerId: number;
  isPrivate: boolean;
  createdAt: number;
}

/** Revision is an immutable snapshot of a tree with its author and description. */
export interface Revision {
  /** 40 lower-case hex digits, random. */
  id: string;
  repositoryId: number;
  /** The object holding the tree's canonical encoding. */
  treeHash: string;
  author: string;
  description: string;
  fileCount: number;
  totalSize: number;
  pusherId: number | null;
  createdAt: number;
}

/** Bookmark is a named, movable pointer to a revision. */
export interface Bookmark {
  name: string;
  revisionId: string;
  updatedAt: number;
  updatedBy: number | null;
}

/**
 * BookmarkEvent is one bookmark change, handed to the BookmarkHook inside
 * the transaction that makes the change.
 */
export interface BookmarkEvent {
  /** `push` when the bookmark was created or moved, `remove` when it was deleted. */
  type: EventType;
  repository: Repository;
  bookmark: string;
  /** For `push` the revision the bookmark now points to; for `remove` the one it pointed to. */
  revision: Revision;
  /** For `push`, where the bookmark pointed before (null when it was created); for `remove`, null. */
  previousRevisionId: string | null;
  /** The user who made the change, or null for a CI token. */
  actor: User | null;
  at: number;
}

/**
 * BookmarkHook runs inside the transaction that sets or removes a
 * bookmark, after the change and before the commit, with that
 * transaction's executor. Rows it writes through `tx` commit together with
 * the bookmark. If it throws, the bookmark change is rolled back and the
 * request fails with the hook's error. It must use only `tx` for the
 * database (see Database.transaction) and should not wait on slow work.
 */
export type BookmarkHook = (tx: SqlExecutor, event: BookmarkEvent) => Promise<void>;
