import type { Readable } from "node:stream";
import { checkSecretName } from "../ci/secrets.js";
import { checkBookmarkName, checkRepositoryName } from "../store/names.js";
import { PogoError } from "../util/errors.js";

/** ServerError is an error response from a Pogo server, with its stable code and HTTP status. */
export class ServerError extends PogoError {
  readonly status: number;

  constructor(status: number, code: string, message: string) {
    super(code, message);
    this.status = status;
  }
}

export interface RepositoryInfo {
  id: number;
  name: string;
  private: boolean;
  owner: string | null;
  createdAt: string;
}

export interface RevisionInfo {
  id: string;
  author: string;
  description: string;
  fileCount: number;
  totalSize: number;
  createdAt: string;
  archiveUrl: string;
}

export interface BookmarkInfo {
  name: string;
  revision: string;
  updatedAt: string;
}

export interface TokenInfo {
  id: number;
  scope: "user" | "ci";
  description: string;
  repositoryId: number | null;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

export interface UserInfo {
  id: number;
  name: string;
  admin: boolean;
  createdAt: string;
}

/** RunInfo is one CI run as the runs list returns it. */
export interface RunInfo {
  id: string;
  repository: string;
  event: "push" | "remove";
  bookmark: string;
  revision: string;
  status: string;
  reason: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface TaskInfo {
  index: number;
  type: "webhook" | "container";
  name: string;
  status: string;
  exitCode: number | null;
  httpStatus: number | null;
  reason: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  droppedLogLines: number;
}

export interface PipelineInfo {
  index: number;
  file: string;
  pattern: string | null;
  status: string;
  reason: string | null;
  warnings: string[];
  startedAt: string | null;
  finishedAt: string | null;
  tasks: TaskInfo[];
}

/** RunDetailInfo is one run with its pipelines and tasks, without logs. */
export interface RunDetailInfo extends RunInfo {
  pipelines: PipelineInfo[];
}

/** LogLineInfo is one stored log line; `number` counts from 1 within its log. */
export interface LogLineInfo {
  number: number;
  stream: "stdout" | "stderr" | "info";
  text: string;
  time: number;
}

export interface SecretInfo {
  name: string;
  createdAt: string;
  updatedAt: string;
}

type Body = { json: unknown } | { bytes: Buffer | Readable; contentType: string } | undefined;

/** PogoClient calls a Pogo server's HTTP API; every failure becomes a ServerError or a PogoError. */
export class PogoClient {
  readonly serverUrl: string;
  private readonly token: string | undefined;

  constructor(serverUrl: string, token?: string) {
    this.serverUrl = serverUrl.replace(/\/+$/, "");
    this.token = token;
  }

  async whoami(): Promise<{ user: UserInfo | null; token: TokenInfo; repository?: string | null }> {
    return this.call("GET", "/user");
  }

  async createRepository(name: string, isPrivate: boolean): Promise<RepositoryInfo> {
    return (
      await this.call<{ repository: RepositoryInfo }>("POST", "/repositories", {
        json: { name, private: isPrivate },
      })
    ).repository;
  }

  async getRepository(name: string): Promise<RepositoryInfo> {
    return (await this.call<{ repository: RepositoryInfo }>("GET", repositoryPath(name)))
      .repository;
  }

  async missingObjects(repository: string, hashes: string[]): Promise<string[]> {
    const path = `${repositoryPath(repository)}/objects/missing`;
    return (await this.call<{ missing: string[] }>("POST", path, { json: { hashes } })).missing;
  }

  async putObject(repository: string, hash: string, content: Readable): Promise<void> {
    await this.call("PUT", `${repositoryPath(repository)}/objects/${segment(hash)}`, {
      bytes: content,
      contentType: "application/octet-stream",
    });
  }

  async putPack(repository: string, pack: Buffer, contentType: string): Promise<void> {
    await this.call("POST", `${repositoryPath(repository)}/objects`, { bytes: pack, contentType });
  }

  async createRevision(
    repository: string,
    revision: { author: string; description: string; entries: unknown[]; bookmark?: string },
  ): Promise<{ revision: RevisionInfo; bookmark: (BookmarkInfo & { changed: boolean }) | null }> {
    return this.call("POST", `${repositoryPath(repository)}/revisions`, { json: revision });
  }

  async listRevisions(repository: string, limit = 50): Promise<RevisionInfo[]> {
    const path = `${repositoryPath(repository)}/revisions?limit=${limit}`;
    return (await this.call<{ revisions: RevisionInfo[] }>("GET", path)).revisions;
  }

  async getRevision(repository: string, rev: string): Promise<RevisionInfo> {
    const path = `${repositoryPath(repository)}/revisions/${segment(rev)}`;
    return (await this.call<{ revision: RevisionInfo }>("GET", path)).revision;
  }

  async listBookmarks(repository: string): Promise<BookmarkInfo[]> {
    return (
      await this.call<{ bookmarks: BookmarkInfo[] }>(
        "GET",
        `${repositoryPath(repository)}/bookmarks`,
      )
    ).bookmarks;
  }

  async setBookmark(
    repository: string,
    name: string,
    revision: string,
  ): Promise<{ bookmark: BookmarkInfo; changed: boolean; previousRevision: string | null }> {
    return this.call("PUT", bookmarkPath(repository, name), { json: { revision } });
  }

  async removeBookmark(repository: string, name: string): Promise<BookmarkInfo> {
    return (await this.call<{ bookmark: BookmarkInfo }>("DELETE", bookmarkPath(repository, name)))
      .bookmark;
  }

  async listTokens(): Promise<TokenInfo[]> {
    return (await this.call<{ tokens: TokenInfo[] }>("GET", "/user/tokens")).tokens;
  }

  async createToken(
    description: string,
    expiresInDays?: number,
  ): Promise<{ token: string; record: TokenInfo }> {
    return this.call("POST", "/user/tokens", { json: { description, expiresInDays } });
  }

  async revokeToken(id: number): Promise<void> {
    await this.call("DELETE", `/user/tokens/${segment(String(id))}`);
  }

  /** Returns the archive response of `rev`, for the caller to stream. */
  async archive(repository: string, rev: string): Promise<Response> {
    return this.send("GET", `${repositoryPath(repository)}/archive/${encodePath(rev)}`);
  }

  /** Lists CI runs of a repository, newest first. */
  async listRuns(
    repository: string,
    options: { status?: string; bookmark?: string; limit?: number; offset?: number } = {},
  ): Promise<{ runs: RunInfo[]; total: number }> {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(options)) {
      if (value !== undefined) query.set(key, String(value));
    }
    const suffix = query.size > 0 ? `?${query}` : "";
    return this.call("GET", `${repositoryPath(repository)}/runs${suffix}`);
  }

  async getRun(repository: string, runId: string): Promise<RunDetailInfo> {
    return (await this.call<{ run: RunDetailInfo }>("GET", runPath(repository, runId))).run;
  }

  /** Returns the lines of a task's log (or of the pipeline's own log when `task` is undefined). */
  async runLog(
    repository: string,
    runId: string,
    pipeline: number,
    task?: number,
  ): Promise<{ lines: LogLineInfo[]; complete: boolean }> {
    const taskPart = task === undefined ? "" : `/tasks/${segment(String(task))}`;
    const pipelinePart = segment(String(pipeline));
    const path = `${runPath(repository, runId)}/pipelines/${pipelinePart}${taskPart}/log`;
    // The server returns a log in pages, so read them all.
    const lines: LogLineInfo[] = [];
    for (;;) {
      const after = lines.at(-1)?.number ?? 0;
      const page = await this.call<{ lines: LogLineInfo[]; complete: boolean; more?: boolean }>(
        "GET",
        `${path}?after=${after}`,
      );
      lines.push(...page.lines);
      if (!page.more || page.lines.length === 0) return { lines, complete: page.complete };
    }
  }

  /** Opens the run's Server-Sent Events stream (catch-up, then live); see `readServerSentEvents`. */
  async runEvents(repository: string, runId: string, signal?: AbortSignal): Promise<Response> {
    return this.send("GET", `${runPath(repository, runId)}/events`, undefined, signal);
  }

  async cancelRun(repository: string, runId: string, pipeline?: number): Promise<boolean> {
    const body = pipeline === undefined ? {} : { pipeline };
    return (
      await this.call<{ cancelled: boolean }>("POST", `${runPath(repository, runId)}/cancel`, {
        json: body,
      })
    ).cancelled;
  }

  async listSecrets(repository: string): Promise<SecretInfo[]> {
    return (
      await this.call<{ secrets: SecretInfo[] }>("GET", `${repositoryPath(repository)}/secrets`)
    ).secrets;
  }

  async getSecret(repository: string, name: string): Promise<string> {
    return (await this.call<{ value: string }>("GET", secretPath(repository, name))).value;
  }

  async setSecret(repository: string, name: string, value: string): Promise<{ created: boolean }> {
    return this.call("PUT", secretPath(repository, name), { json: { value } });
  }

  async deleteSecret(repository: string, name: string): Promise<void> {
    await this.call("DELETE", secretPath(repository, name));
  }

  private async call<T>(method: string, path: string, body?: Body): Promise<T> {
    const response = await this.send(method, path, body);
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }

  private async send(
    method: string,
    path: string,
    body?: Body,
    signal?: AbortSignal,
  ): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const init: RequestInit & { duplex?: "half" } = { method, headers };
    if (signal) init.signal = signal;
    if (body && "json" in body) {
      headers["content-type"] = "application/json";
      init.body = JSON.stringify(body.json);
    } else if (body) {
      headers["content-type"] = body.contentType;
      init.body = body.bytes as unknown as RequestInit["body"];
      if (!Buffer.isBuffer(body.bytes)) init.duplex = "half";
    }
    let response: Response;
    try {
      response = await fetch(`${this.serverUrl}${path}`, init);
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new PogoError(
        "SERVER_UNREACHABLE",
        `cannot reach the Pogo server at ${this.serverUrl}: ${cause?.code ?? cause?.message ?? String(error)}`,
        { cause: error },
      );
    }
    if (response.ok) return response;
    let code = "HTTP_ERROR";
    let message = `${method} ${path.split("?")[0]} failed with HTTP ${response.status}`;
    try {
      const parsed = (await response.json()) as { error?: { code?: string; message?: string } };
      if (parsed.error?.code) code = parsed.error.code;
      if (parsed.error?.message) message = parsed.error.message;
    } catch {
      // Not a Pogo error body (a proxy's error page, say): keep the generic message.
    }
    throw new ServerError(response.status, code, message);
  }
}

/*
 * Every name goes through the shared rule before it reaches a URL, and every
 * path segment is encoded: fetch collapses `.` and `..` segments (even as
 * `%2E%2E`), so an unchecked name could address another resource.
 */
function repositoryPath(name: string): string {
  checkRepositoryName(name);
  return `/repository/${segment(name)}`;
}

/** Encodes one path segment, rejecting the dot segments that URL parsing collapses. */
function segment(value: string): string {
  if (value === "" || value === "." || value === "..") {
    throw new PogoError(
      "INVALID_PATH_SEGMENT",
      `${JSON.stringify(value)} cannot be used in a URL path`,
    );
  }
  return encodeURIComponent(value);
}

function encodePath(value: string): string {
  return value.split("/").map(segment).join("/");
}

function runPath(repository: string, runId: string): string {
  return `${repositoryPath(repository)}/runs/${segment(runId)}`;
}

function secretPath(repository: string, name: string): string {
  checkSecretName(name);
  return `${repositoryPath(repository)}/secrets/${segment(name)}`;
}

function bookmarkPath(repository: string, name: string): string {
  checkBookmarkName(name);
  return `${repositoryPath(repository)}/bookmarks/${encodePath(name)}`;
}
