import { createHash, randomBytes } from "node:crypto";
import type { Database, SqlExecutor } from "./database.js";
import { isUniqueViolation } from "./database.js";
import { ApiError, conflict, invalid, notFound } from "./errors.js";
import { checkBookmarkName, checkRepositoryName, checkUserName } from "./names.js";
import type { ObjectStore } from "./objects.js";
import type {
  Bookmark,
  BookmarkEvent,
  BookmarkHook,
  Principal,
  Repository,
  Revision,
  TokenRecord,
  TokenScope,
  User,
} from "./records.js";
import { decodeTree, encodeTree, HASH_PATTERN, type Tree } from "./tree.js";

const CHUNK = 500;
const REVISION_ID = /^[0-9a-f]{40}$/;
// The first key of PostgreSQL advisory locks on a repository's bookmarks.
// The migration lock takes a single 64-bit key, and PostgreSQL keeps one-key
// and two-key advisory locks apart (objsubid 1 and 2 in pg_locks).
const BOOKMARK_LOCK_SPACE = 8420;
// last_used_at is a hint for `pogo token list`; refreshing it at most this
// often keeps every authenticated request from writing to the database.
const LAST_USED_REFRESH_MS = 60_000;

interface UserRow {
  id: number;
  name: string;
  is_admin: number;
  created_at: number;
}
interface TokenRow {
  id: number;
  scope: TokenScope;
  user_id: number | null;
  repository_id: number | null;
  description: string;
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
}
interface RepositoryRow {
  id: number;
  name: string;
  owner_id: number;
  is_private: number;
  created_at: number;
}
interface RevisionRow {
  id: string;
  repository_id: number;
  tree_hash: string;
  author: string;
  description: string;
  file_count: number;
  total_size: number;
  pusher_id: number | null;
  created_at: number;
}
interface BookmarkRow {
  name: string;
  revision_id: string;
  updated_at: number;
  updated_by: number | null;
}

const USER_COLUMNS = "id, name, is_admin, created_at";
const TOKEN_COLUMNS =
  "id, scope, user_id, repository_id, description, created_at, expires_at, last_used_at";
const REPOSITORY_COLUMNS = "id, name, owner_id, is_private, created_at";
const REVISION_COLUMNS =
  "id, repository_id, tree_hash, author, description, file_count, total_size, pusher_id, created_at";

/** NewToken is a freshly minted token: the secret, shown once, and its record. */
export interface NewToken {
  token: string;
  record: TokenRecord;
}

/** NewRevision is what a push commits. */
export interface NewRevision {
  repository: Repository;
  tree: Tree;
  author: string;
  description: string;
  pusher: User | null;
  /** A bookmark to point at the new revision in the same transaction. */
  bookmark?: string;
}

/** BookmarkChange reports what setting a bookmark did. */
export interface BookmarkChange {
  bookmark: Bookmark;
  /** False when the bookmark already pointed at the revision; no event fires then. */
  changed: boolean;
  previousRevisionId: string | null;
}

/**
 * Store contains Pogo's records: users, tokens, repositories, revisions and
 * bookmarks, written once against SqlExecutor so SQLite and PostgreSQL run
 * the same statements. Methods that other modules may need inside their
 * own transaction take an optional executor, defaulting to the database.
 */
export class Store {
  readonly db: Database;
  readonly objects: ObjectStore;
  private readonly hooks: BookmarkHook[] = [];

  constructor(db: Database, objects: ObjectStore) {
    this.db = db;
    this.objects = objects;
  }

  /** Adds a hook that runs inside every bookmark change's transaction, in the order added. */
  onBookmarkChange(hook: BookmarkHook): void {
    this.hooks.push(hook);
  }

  // Users

  async createUser(
    name: string,
    options: { admin?: boolean } = {},
    exec: SqlExecutor = this.db,
  ): Promise<User> {
    checkUserName(name);
    try {
      const rows = await exec.query<UserRow>(
        `INSERT INTO users (name, is_admin, created_at) VALUES ($1, $2, $3) RETURNING ${USER_COLUMNS}`,
        [name, options.admin ? 1 : 0, Date.now()],
      );
      return toUser(rows[0]!);
    } catch (error) {
      if (isUniqueViolation(error))
        throw conflict("USER_EXISTS", `user ${JSON.stringify(name)} already exists`);
      throw error;
    }
  }

  async findUser(name: string, exec: SqlExecutor = this.db): Promise<User | undefined> {
    const rows = await exec.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE name = $1`, [
      name,
    ]);
    return rows[0] ? toUser(rows[0]) : undefined;
  }

  async getUserById(id: number, exec: SqlExecutor = this.db): Promise<User | undefined> {
    const rows = await exec.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id]);
    return rows[0] ? toUser(rows[0]) : undefined;
  }

  async listUsers(): Promise<User[]> {
    const rows = await this.db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users ORDER BY name`);
    return rows.map(toUser);
  }

  /**
   * Creates the admin user and a token for it when the database has no
   * users yet; returns undefined when it has. Two servers starting at once
   * on one database create it once: the loser hits the unique name.
   */
  async bootstrapAdmin(name = "admin"): Promise<{ user: User; token: string } | undefined> {
    try {
      return await this.db.transaction(async (tx) => {
        const count = await tx.query<{ n: number }>("SELECT COUNT(*) AS n FROM users");
        if (Number(count[0]!.n) > 0) return undefined;
        const user = await this.createUser(name, { admin: true }, tx);
        const { token } = await this.createUserToken(
          user.id,
          { description: "created on first start" },
          tx,
        );
        return { user, token };
      });
    } catch (error) {
      if (error instanceof ApiError && error.code === "USER_EXISTS") return undefined;
      throw error;
    }
  }

  // Tokens

  async createUserToken(
    userId: number,
    options: { description?: string; expiresAt?: number | null } = {},
    exec: SqlExecutor = this.db,
  ): Promise<NewToken> {
    return this.insertToken(
      exec,
      "user",
      userId,
      null,
      options.description ?? "",
      options.expiresAt ?? null,
    );
  }

  /**
   * Mints a token that may read one repository (its archives, revisions and
   * bookmarks) until `expiresAt`. CI runs get one each; pass the bookmark
   * hook's `tx` to mint it atomically with the run.
   */
  async createCiToken(
    repositoryId: number,
    expiresAt: number,
    description = "",
    exec: SqlExecutor = this.db,
  ): Promise<NewToken> {
    return this.insertToken(exec, "ci", null, repositoryId, description, expiresAt);
  }

  /** Returns who `token` acts as, or undefined when it is unknown or expired. */
  async authenticate(token: string): Promise<Principal | undefined> {
    const rows = await this.db.query<TokenRow>(
      `SELECT ${TOKEN_COLUMNS} FROM tokens WHERE token_hash = $1`,
      [hashToken(token)],
    );
    const row = rows[0];
    if (!row) return undefined;
    const now = Date.now();
    if (row.expires_at !== null && row.expires_at <= now) return undefined;
    if (row.last_used_at === null || now - row.last_used_at > LAST_USED_REFRESH_MS) {
      await this.db.execute("UPDATE tokens SET last_used_at = $1 WHERE id = $2", [now, row.id]);
      row.last_used_at = now;
    }
    const record = toToken(row);
    if (row.scope === "ci") return { kind: "ci", repositoryId: row.repository_id!, token: record };
    const user = await this.getUserById(row.user_id!);
    return user ? { kind: "user", user, token: record } : undefined;
  }

  async listTokens(userId: number): Promise<TokenRecord[]> {
    const rows = await this.db.query<TokenRow>(
      `SELECT ${TOKEN_COLUMNS} FROM tokens WHERE user_id = $1 ORDER BY id`,
      [userId],
    );
    return rows.map(toToken);
  }

  async revokeToken(userId: number, tokenId: number): Promise<void> {
    const changed = await this.db.execute("DELETE FROM tokens WHERE id = $1 AND user_id = $2", [
      tokenId,
      userId,
    ]);
    if (changed === 0)
      throw notFound("TOKEN_NOT_FOUND", `token ${tokenId} not found among your tokens`);
  }

  /** Deletes expired tokens; CI tokens pile up otherwise. Returns how many went. */
  async deleteExpiredTokens(now = Date.now()): Promise<number> {
    return this.db.execute("DELETE FROM tokens WHERE expires_at IS NOT NULL AND expires_at <= $1", [
      now,
    ]);
  }

  // Repositories

  async createRepository(name: string, owner: User, isPrivate: boolean): Promise<Repository> {
    checkRepositoryName(name);
    try {
      const rows = await this.db.query<RepositoryRow>(
        `INSERT INTO repositories (name, owner_id, is_private, created_at) VALUES ($1, $2, $3, $4)
         RETURNING ${REPOSITORY_COLUMNS}`,
        [name, owner.id, isPrivate ? 1 : 0, Date.now()],
      );
      return toRepository(rows[0]!);
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw conflict("REPOSITORY_EXISTS", `repository ${JSON.stringify(name)} already exists`);
      }
      throw error;
    }
  }

  async findRepository(name: string, exec: SqlExecutor = this.db): Promise<Repository | undefined> {
    const rows = await exec.query<RepositoryRow>(
      `SELECT ${REPOSITORY_COLUMNS} FROM repositories WHERE name = $1`,
      [name],
    );
    return rows[0] ? toRepository(rows[0]) : undefined;
  }

  async getRepositoryById(
    id: number,
    exec: SqlExecutor = this.db,
  ): Promise<Repository | undefined> {
    const rows = await exec.query<RepositoryRow>(
      `SELECT ${REPOSITORY_COLUMNS} FROM repositories WHERE id = $1`,
      [id],
    );
    return rows[0] ? toRepository(rows[0]) : undefined;
  }

  async listRepositories(): Promise<Repository[]> {
    const rows = await this.db.query<RepositoryRow>(
      `SELECT ${REPOSITORY_COLUMNS} FROM repositories ORDER BY name`,
    );
    return rows.map(toRepository);
  }

  async setRepositoryPrivate(repository: Repository, isPrivate: boolean): Promise<Repository> {
    await this.db.execute("UPDATE repositories SET is_private = $1 WHERE id = $2", [
      isPrivate ? 1 : 0,
      repository.id,
    ]);
    return { ...repository, isPrivate };
  }

  // Objects

  /**
   * Returns the hashes in `hashes` that this repository cannot use yet.
   * Objects are shared on disk but claimed per repository. A push must
   * upload a blob, proving it has the bytes, before its repository may
   * refer to it. So a hash learnt from another private repository is not
   * enough to read that content through an archive. A claim is written
   * only after its blob is flushed to disk, so the claims table alone decides this.
   * NOTE: nothing deletes objects yet; a future garbage collector must
   * delete a blob's claims before the blob.
   */
  async missingObjects(repository: Repository, hashes: readonly string[]): Promise<string[]> {
    const unique = [...new Set(hashes)];
    for (const hash of unique) {
      if (!HASH_PATTERN.test(hash))
        throw invalid("INVALID_HASH", `invalid object hash ${JSON.stringify(hash)}`);
    }
    const claimed = new Set<string>();
    for (let start = 0; start < unique.length; start += CHUNK) {
      const chunk = unique.slice(start, start + CHUNK);
      const placeholders = chunk.map((_, index) => `$${index + 2}`).join(", ");
      const rows = await this.db.query<{ hash: string }>(
        `SELECT hash FROM repository_objects WHERE repository_id = $1 AND hash IN (${placeholders})`,
        [repository.id, ...chunk],
      );
      for (const row of rows) claimed.add(row.hash);
    }
    return unique.filter((hash) => !claimed.has(hash)).sort();
  }

  /**
   * Throws INVALID_TREE when a file entry's size differs from its blob's,
   * because sizes feed archives and revision totals unchecked.
   */
  private async checkEntrySizes(tree: Tree): Promise<void> {
    const sizes = new Map<string, number>();
    const files = tree.entries.flatMap((entry) => (entry.type === "file" ? [entry] : []));
    for (let start = 0; start < files.length; start += CHUNK) {
      const unknown = [
        ...new Set(files.slice(start, start + CHUNK).map((entry) => entry.hash)),
      ].filter((hash) => !sizes.has(hash));
      const found = await Promise.all(unknown.map((hash) => this.objects.sizeOf(hash)));
      for (const [index, hash] of unknown.entries()) sizes.set(hash, found[index]!);
    }
    for (const entry of files) {
      const actual = sizes.get(entry.hash)!;
      if (entry.size !== actual) {
        throw invalid(
          "INVALID_TREE",
          `entry ${JSON.stringify(entry.path)} has size ${entry.size} but its blob ${entry.hash} has ${actual} bytes`,
        );
      }
    }
  }

  /** Records that `repository` uploaded (and so may refer to) the blobs `hashes`. */
  async claimObjects(repository: Repository, hashes: readonly string[]): Promise<void> {
    const unique = [...new Set(hashes)];
    for (let start = 0; start < unique.length; start += CHUNK) {
      const chunk = unique.slice(start, start + CHUNK);
      const values = chunk.map((_, index) => `($1, $${index + 2})`).join(", ");
      await this.db.execute(
        `INSERT INTO repository_objects (repository_id, hash) VALUES ${values} ON CONFLICT DO NOTHING`,
        [repository.id, ...chunk],
      );
    }
  }

  // Revisions

  /**
   * Commits a revision whose blobs are all uploaded, and optionally points a
   * bookmark at it in the same transaction. Throws MISSING_OBJECTS, listing
   * the first missing hashes, when any blob is absent; nothing is stored then.
   */
  async createRevision(
    input: NewRevision,
  ): Promise<{ revision: Revision; bookmark?: BookmarkChange }> {
    const { repository, tree } = input;
    if (input.bookmark !== undefined) checkBookmarkName(input.bookmark);
    const hashes = tree.entries.flatMap((entry) => (entry.type === "file" ? [entry.hash] : []));
    const missing = await this.missingObjects(repository, hashes);
    if (missing.length > 0) {
      const firstMissing = missing.slice(0, 5).join(", ");
      const more = missing.length > 5 ? ` and ${missing.length - 5} more` : "";
      throw conflict(
        "MISSING_OBJECTS",
        `${missing.length} blob(s) of the tree are not uploaded: ${firstMissing}${more}; upload them and commit again`,
      );
    }
    await this.checkEntrySizes(tree);
    const treeHash = await this.objects.putBytes(encodeTree(tree));
    let totalSize = 0;
    for (const entry of tree.entries) if (entry.type === "file") totalSize += entry.size;

    return this.db.transaction(async (tx) => {
      const rows = await tx.query<RevisionRow>(
        `INSERT INTO revisions (id, repository_id, tree_hash, author, description, file_count, total_size, pusher_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${REVISION_COLUMNS}`,
        [
          randomBytes(20).toString("hex"),
          repository.id,
          treeHash,
          input.author,
          input.description,
          tree.entries.length,
          totalSize,
          input.pusher?.id ?? null,
          Date.now(),
        ],
      );
      const revision = toRevision(rows[0]!);
      if (input.bookmark === undefined) return { revision };
      const bookmark = await this.setBookmarkIn(
        tx,
        repository,
        input.bookmark,
        revision,
        input.pusher,
      );
      return { revision, bookmark };
    });
  }

  async getRevision(
    repository: Repository,
    id: string,
    exec: SqlExecutor = this.db,
  ): Promise<Revision | undefined> {
    if (!REVISION_ID.test(id)) return undefined;
    const rows = await exec.query<RevisionRow>(
      `SELECT ${REVISION_COLUMNS} FROM revisions WHERE id = $1 AND repository_id = $2`,
      [id, repository.id],
    );
    return rows[0] ? toRevision(rows[0]) : undefined;
  }

  /** Lists revisions newest first; `before` is a revision id to page past. */
  async listRevisions(
    repository: Repository,
    options: { limit?: number; before?: string } = {},
  ): Promise<Revision[]> {
    const limit = Math.min(Math.max(options.limit ?? 50, 1), 1000);
    let beforeSeq = Number.MAX_SAFE_INTEGER;
    if (options.before !== undefined) {
      const rows = await this.db.query<{ seq: number }>(
        "SELECT seq FROM revisions WHERE id = $1 AND repository_id = $2",
        [options.before, repository.id],
      );
      if (!rows[0])
        throw notFound(
          "REVISION_NOT_FOUND",
          `revision ${options.before} not found in ${repository.name}`,
        );
      beforeSeq = rows[0].seq;
    }
    const rows = await this.db.query<RevisionRow>(
      `SELECT ${REVISION_COLUMNS} FROM revisions WHERE repository_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3`,
      [repository.id, beforeSeq, limit],
    );
    return rows.map(toRevision);
  }

  /**
   * Finds the revision `rev` names: a revision id first, because archive
   * URLs built from ids must keep meaning the same revision, then a bookmark.
   */
  async resolveRevision(repository: Repository, rev: string): Promise<Revision> {
    const byId = await this.getRevision(repository, rev);
    if (byId) return byId;
    const bookmark = await this.getBookmark(repository, rev);
    if (bookmark) {
      const revision = await this.getRevision(repository, bookmark.revisionId);
      if (revision) return revision;
    }
    throw notFound(
      "REVISION_NOT_FOUND",
      `${JSON.stringify(rev)} is neither a revision id nor a bookmark of ${repository.name}`,
    );
  }

  async readTree(revision: Revision): Promise<Tree> {
    return decodeTree(await this.objects.read(revision.treeHash));
  }

  // Bookmarks

  async getBookmark(
    repository: Repository,
    name: string,
    exec: SqlExecutor = this.db,
  ): Promise<Bookmark | undefined> {
    const rows = await exec.query<BookmarkRow>(
      "SELECT name, revision_id, updated_at, updated_by FROM bookmarks WHERE repository_id = $1 AND name = $2",
      [repository.id, name],
    );
    return rows[0] ? toBookmark(rows[0]) : undefined;
  }

  async listBookmarks(repository: Repository): Promise<Bookmark[]> {
    const rows = await this.db.query<BookmarkRow>(
      "SELECT name, revision_id, updated_at, updated_by FROM bookmarks WHERE repository_id = $1 ORDER BY name",
      [repository.id],
    );
    return rows.map(toBookmark);
  }

  /** Creates or moves bookmark `name` to revision `revisionId`, running the hooks on a change. */
  async setBookmark(
    repository: Repository,
    name: string,
    revisionId: string,
    actor: User | null,
  ): Promise<BookmarkChange> {
    checkBookmarkName(name);
    return this.db.transaction(async (tx) => {
      const revision = await this.getRevision(repository, revisionId, tx);
      if (!revision) {
        throw notFound(
          "REVISION_NOT_FOUND",
          `revision ${JSON.stringify(revisionId)} not found in ${repository.name}`,
        );
      }
      return this.setBookmarkIn(tx, repository, name, revision, actor);
    });
  }

  /** Deletes bookmark `name` and runs the hooks with the revision it pointed to. */
  async removeBookmark(
    repository: Repository,
    name: string,
    actor: User | null,
  ): Promise<Bookmark> {
    checkBookmarkName(name);
    return this.db.transaction(async (tx) => {
      await lockBookmarks(tx, repository);
      const existing = await this.getBookmark(repository, name, tx);
      if (!existing)
        throw notFound(
          "BOOKMARK_NOT_FOUND",
          `bookmark ${JSON.stringify(name)} not found in ${repository.name}`,
        );
      await tx.execute("DELETE FROM bookmarks WHERE repository_id = $1 AND name = $2", [
        repository.id,
        name,
      ]);
      const revision = await this.getRevision(repository, existing.revisionId, tx);
      await this.runHooks(tx, {
        type: "remove",
        repository,
        bookmark: name,
        revision: revision!,
        previousRevisionId: null,
        actor,
        at: Date.now(),
      });
      return existing;
    });
  }

  private async setBookmarkIn(
    tx: SqlExecutor,
    repository: Repository,
    name: string,
    revision: Revision,
    actor: User | null,
  ): Promise<BookmarkChange> {
    await lockBookmarks(tx, repository);
    const existing = await this.getBookmark(repository, name, tx);
    if (existing?.revisionId === revision.id) {
      return { bookmark: existing, changed: false, previousRevisionId: existing.revisionId };
    }
    const now = Date.now();
    await tx.execute(
      `INSERT INTO bookmarks (repository_id, name, revision_id, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (repository_id, name) DO UPDATE SET revision_id = excluded.revision_id,
         updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      [repository.id, name, revision.id, now, actor?.id ?? null],
    );
    const previousRevisionId = existing?.revisionId ?? null;
    await this.runHooks(tx, {
      type: "push",
      repository,
      bookmark: name,
      revision,
      previousRevisionId,
      actor,
      at: now,
    });
    return {
      bookmark: { name, revisionId: revision.id, updatedAt: now, updatedBy: actor?.id ?? null },
      changed: true,
      previousRevisionId,
    };
  }

  private async runHooks(tx: SqlExecutor, event: BookmarkEvent): Promise<void> {
    for (const hook of this.hooks) await hook(tx, event);
  }

  private async insertToken(
    exec: SqlExecutor,
    scope: TokenScope,
    userId: number | null,
    repositoryId: number | null,
    description: string,
    expiresAt: number | null,
  ): Promise<NewToken> {
    const token = `${scope === "ci" ? "pogoci_" : "pogo_"}${randomBytes(32).toString("base64url")}`;
    const rows = await exec.query<TokenRow>(
      `INSERT INTO tokens (token_hash, scope, user_id, repository_id, description, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${TOKEN_COLUMNS}`,
      [hashToken(token), scope, userId, repositoryId, description, Date.now(), expiresAt],
    );
    return { token, record: toToken(rows[0]!) };
  }
}

/**
 * Serialises bookmark changes of one repository until the transaction
 * ends, so each event's previous revision is the one its change replaced
 * and hooks see the changes in commit order. SQLite needs nothing here,
 * because BEGIN IMMEDIATE already admits one writer at a time.
 */
async function lockBookmarks(tx: SqlExecutor, repository: Repository): Promise<void> {
  if (tx.dialect === "postgres") {
    await tx.query("SELECT pg_advisory_xact_lock($1, $2)", [BOOKMARK_LOCK_SPACE, repository.id]);
  }
}

/**
 * Returns the stored form of a token. A plain sha256 is enough: tokens are
 * 256 random bits, so there is nothing for a slow hash to protect.
 */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

function toUser(row: UserRow): User {
  return { id: row.id, name: row.name, isAdmin: row.is_admin === 1, createdAt: row.created_at };
}

function toToken(row: TokenRow): TokenRecord {
  return {
    id: row.id,
    scope: row.scope,
    userId: row.user_id,
    repositoryId: row.repository_id,
    description: row.description,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
  };
}

function toRepository(row: RepositoryRow): Repository {
  return {
    id: row.id,
    name: row.name,
    ownerId: row.owner_id,
    isPrivate: row.is_private === 1,
    createdAt: row.created_at,
  };
}

function toRevision(row: RevisionRow): Revision {
  return {
    id: row.id,
    repositoryId: row.repository_id,
    treeHash: row.tree_hash,
    author: row.author,
    description: row.description,
    fileCount: row.file_count,
    totalSize: row.total_size,
    pusherId: row.pusher_id,
    createdAt: row.created_at,
  };
}

function toBookmark(row: BookmarkRow): Bookmark {
  return {
    name: row.name,
    revisionId: row.revision_id,
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
  };
}
