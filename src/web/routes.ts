import { createHash } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { AppContext } from "../server/app.js";
import { canRead, canWrite, readableRepository } from "../server/auth.js";
import { sendRevisionArchive } from "../server/routes-archive.js";
import { ApiError, invalid, notFound } from "../store/errors.js";
import type { Repository } from "../store/records.js";
import { stripAnsi } from "./ansi.js";
import { LIVE_JS } from "./assets/live.js";
import { STYLE_CSS } from "./assets/style.js";
import { type BadgeStatus, renderBadge } from "./badge.js";
import { PageData } from "./data.js";
import { streamRun } from "./live.js";
import { type PageContext, RUN_STATUSES, type RunFilter, type RunStatus } from "./model.js";
import { errorPage } from "./pages/error.js";
import { repositoriesPage } from "./pages/repositories.js";
import { repositoryPage } from "./pages/repository.js";
import { logLineHtml, runPage } from "./pages/run.js";
import { runsPage } from "./pages/runs.js";
import { signInPage } from "./pages/sign-in.js";
import { EMPTY_RUN_HISTORY, type RunControl, type RunHistoryReader } from "./run-history.js";
import {
  checkCsrf,
  readCookie,
  SESSION_COOKIE,
  type Session,
  SessionStore,
  sessionCookie,
} from "./sessions.js";

/** WebOptions connects the web UI to CI run history; without it the pages show no runs. */
export interface WebOptions {
  runs?: RunHistoryReader;
  /** Live updates and cancelling; without it run pages are static and have no cancel button. */
  control?: RunControl;
  sessions?: SessionStore;
  /** Clock for durations of unfinished runs; tests fix it. */
  now?: () => number;
  /** Milliseconds a live stream waits for an update before it reads the run (default 2,000). */
  livePollMs?: number;
}

declare module "fastify" {
  interface FastifyRequest {
    /** The web session behind the request, when it came with a valid session cookie. */
    webSession: Session | undefined;
  }
}

// Pages load only same-origin styles and scripts. Inline style attributes
// stay allowed for 256-colour and truecolor log output, which is escaped.
const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'self' 'unsafe-inline'; script-src 'self'; img-src 'self'; " +
  "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const ASSET_VERSION = createHash("sha256")
  .update(STYLE_CSS)
  .update(LIVE_JS)
  .digest("hex")
  .slice(0, 12);

const MAX_FILL_LINES = 10_000;

type NameParams = { Params: { name: string } };
type RunParams = { Params: { name: string; run: string } };

/**
 * Registers the web UI: `/ui/…` pages, sign-in and sign-out, the live run
 * stream, and the public status badge at `/repository/{name}/badge.svg`.
 * Everything lives in one encapsulated plugin, so the session cookie
 * authenticates these routes only and never the JSON API.
 */
export function registerWebRoutes(
  app: FastifyInstance,
  context: AppContext,
  options: WebOptions = {},
): void {
  app.register(async (web) => webPlugin(web, context, options));
}

async function webPlugin(
  web: FastifyInstance,
  { store, publicUrl }: AppContext,
  options: WebOptions,
): Promise<void> {
  const runs = options.runs ?? EMPTY_RUN_HISTORY;
  const control = options.control;
  const sessions = options.sessions ?? new SessionStore();
  const now = options.now ?? Date.now;
  const data = new PageData(store, runs);
  const openStreams = new Set<() => void>();
  // Live streams never end on their own while a run goes on, and would
  // hold a closing server open.
  web.addHook("preClose", async () => {
    for (const finish of [...openStreams]) finish();
  });

  web.addContentTypeParser(
    "application/x-www-form-urlencoded",
    { parseAs: "string", bodyLimit: 64 * 1024 },
    (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    },
  );

  web.decorateRequest("webSession", undefined);
  web.addHook("onRequest", async (request) => {
    if (request.principal) return;
    const id = readCookie(request.headers.cookie, SESSION_COOKIE);
    const session = id ? sessions.get(id) : undefined;
    if (!session) return;
    // Revoking the token or deleting the user ends the session at once.
    const user = await store.getUserById(session.userId);
    const token = user
      ? (await store.listTokens(user.id)).find((record) => record.id === session.tokenId)
      : undefined;
    if (!user || !token || (token.expiresAt !== null && token.expiresAt <= Date.now())) {
      sessions.delete(session.id);
      return;
    }
    request.principal = { kind: "user", user, token };
    request.webSession = session;
  });

  web.addHook("onSend", async (_request, reply) => {
    reply.header("x-content-type-options", "nosniff");
    reply.header("referrer-policy", "same-origin");
    if (String(reply.getHeader("content-type") ?? "").startsWith("text/html")) {
      reply.header("content-security-policy", CONTENT_SECURITY_POLICY);
      reply.header("x-frame-options", "DENY");
      reply.header("cache-control", "no-store");
    }
  });

  const pageContext = (request: FastifyRequest): PageContext => {
    const session = request.webSession;
    const principal = request.principal;
    if (session && principal?.kind === "user") {
      return {
        viewer: { name: principal.user.name, csrfToken: session.csrfToken },
        assetVersion: ASSET_VERSION,
      };
    }
    return { assetVersion: ASSET_VERSION };
  };
  const sendPage = (reply: FastifyReply, page: string, status = 200) =>
    reply.status(status).type("text/html; charset=utf-8").send(page);

  web.setErrorHandler((error: Error, request, reply) => {
    const status = errorStatus(error);
    if (status >= 500) request.log.error({ err: error }, "web request failed");
    let message = "The server failed; see the server log.";
    if (error instanceof ApiError || status < 500) message = error.message;
    if (!wantsHtml(request)) {
      let code = status < 500 ? "INVALID_REQUEST" : "INTERNAL";
      if (error instanceof ApiError) code = error.code;
      return reply.status(status).send({ error: { code, message } });
    }
    const title = status === 404 ? "Not found" : status >= 500 ? "Server error" : "Request failed";
    return sendPage(reply, errorPage(pageContext(request), title, message), status);
  });

  const secureCookie = (request: FastifyRequest) =>
    request.protocol === "https" || publicUrl().startsWith("https:");

  // Assets

  web.get("/ui/assets/style.css", async (request, reply) =>
    sendAsset(request, reply, "text/css; charset=utf-8", STYLE_CSS),
  );
  web.get("/ui/assets/live.js", async (request, reply) =>
    sendAsset(request, reply, "text/javascript; charset=utf-8", LIVE_JS),
  );

  // Sign-in and sign-out

  web.get("/", async (_request, reply) => reply.redirect("/ui/"));
  web.get("/ui", async (_request, reply) => reply.redirect("/ui/"));

  web.get<{ Querystring: { next?: string } }>("/ui/sign-in", async (request, reply) =>
    sendPage(reply, signInPage(pageContext(request), { next: safeNext(request.query.next) })),
  );

  web.post("/ui/sign-in", async (request, reply) => {
    const form = formBody(request);
    const next = safeNext(form.next);
    const token = typeof form.token === "string" ? form.token.trim() : "";
    const principal = token === "" ? undefined : await store.authenticate(token);
    const context = { assetVersion: ASSET_VERSION };
    if (!principal) {
      request.log.info("web sign-in rejected: unknown, revoked or expired token");
      const error = "That token is unknown, revoked or expired. Check it and try again.";
      return sendPage(reply, signInPage(context, { error, next }), 401);
    }
    if (principal.kind !== "user") {
      const error = "A CI token cannot sign in; use a user token.";
      return sendPage(reply, signInPage(context, { error, next }), 403);
    }
    const session = sessions.create(
      principal.user.id,
      principal.token.id,
      principal.token.expiresAt,
    );
    request.log.info({ user: principal.user.name }, "web session started");
    return reply
      .header(
        "set-cookie",
        sessionCookie(session.id, sessions.maxAgeSeconds(session), secureCookie(request)),
      )
      .redirect(next, 303);
  });

  web.post("/ui/sign-out", async (request, reply) => {
    const session = request.webSession;
    if (session) {
      if (!checkCsrf(session, formBody(request).csrf)) throw csrfError();
      sessions.delete(session.id);
    }
    return reply
      .header("set-cookie", sessionCookie("", 0, secureCookie(request)))
      .redirect("/ui/", 303);
  });

  // Pages

  web.get("/ui/", async (request, reply) => {
    const repositories = await data.repositories((repository) =>
      canRead(request.principal, repository),
    );
    return sendPage(reply, repositoriesPage(pageContext(request), repositories));
  });

  web.get<NameParams>("/ui/repositories/:name", async (request, reply) => {
    const repository = await readableRepository(store, request, request.params.name);
    const page = await data.repositoryPage(repository, publicUrl());
    return sendPage(reply, repositoryPage(pageContext(request), page, now()));
  });

  web.get<NameParams & { Querystring: { status?: string; bookmark?: string; page?: string } }>(
    "/ui/repositories/:name/runs",
    async (request, reply) => {
      const repository = await readableRepository(store, request, request.params.name);
      const filter = parseFilter(request.query);
      const page = parsePage(request.query.page);
      const view = await data.runsPage(repository, filter, page);
      return sendPage(reply, runsPage(pageContext(request), view, now()));
    },
  );

  web.get<RunParams>("/ui/repositories/:name/runs/:run", async (request, reply) => {
    const repository = await readableRepository(store, request, request.params.name);
    const canCancel = control !== undefined && canWrite(request.principal, repository);
    const page = await data.runPage(repository, request.params.run, canCancel);
    if (!page) throw runNotFound(repository, request.params.run);
    return sendPage(reply, runPage(pageContext(request), page, now()));
  });

  type LogQuery = { pipeline?: string; task?: string; from?: string };
  const findLog = async (request: FastifyRequest<RunParams & { Querystring: LogQuery }>) => {
    const repository = await readableRepository(store, request, request.params.name);
    const run = await runs.getRun(repository.id, request.params.run);
    if (!run) throw runNotFound(repository, request.params.run);
    const pipeline = run.pipelines[indexParam(request.query.pipeline, "pipeline") ?? -1];
    const taskIndex = indexParam(request.query.task, "task");
    const log = taskIndex === undefined ? pipeline?.log : pipeline?.tasks[taskIndex]?.log;
    if (!log) throw notFound("LOG_NOT_FOUND", "no such pipeline or task in this run");
    return log;
  };

  web.get<RunParams & { Querystring: LogQuery }>(
    "/ui/repositories/:name/runs/:run/log.txt",
    async (request, reply) => {
      const log = await findLog(request);
      const text = log.map((line) => `${stripAnsi(line.text)}\n`).join("");
      return reply.type("text/plain; charset=utf-8").header("cache-control", "no-store").send(text);
    },
  );

  web.get<RunParams & { Querystring: LogQuery }>(
    "/ui/repositories/:name/runs/:run/log",
    async (request) => {
      const log = await findLog(request);
      const from = Math.max(1, indexParam(request.query.from, "from") ?? 1);
      const lines = log.slice(from - 1, from - 1 + MAX_FILL_LINES).map((line, offset) => ({
        number: from + offset,
        html: logLineHtml(line).value,
      }));
      return { lines };
    },
  );

  web.get<RunParams>("/ui/repositories/:name/runs/:run/live", async (request, reply) => {
    const repository = await readableRepository(store, request, request.params.name);
    if (!control) throw notFound("LIVE_UNAVAILABLE", "live updates need CI on this server");
    await streamRun({
      request,
      reply,
      runs,
      control,
      repository,
      runId: request.params.run,
      now,
      pollMs: options.livePollMs,
      open: openStreams,
    });
  });

  web.post<RunParams>("/ui/repositories/:name/runs/:run/cancel", async (request, reply) => {
    const repository = await readableRepository(store, request, request.params.name);
    const session = request.webSession;
    if (!session) {
      throw new ApiError(401, "UNAUTHENTICATED", "Sign in to cancel a pipeline.");
    }
    const form = formBody(request);
    if (!checkCsrf(session, form.csrf)) throw csrfError();
    if (!canWrite(request.principal, repository)) {
      throw new ApiError(
        403,
        "FORBIDDEN",
        `Only the owner of ${repository.name} or an admin can cancel its runs.`,
      );
    }
    if (!control) throw notFound("CANCEL_UNAVAILABLE", "cancelling needs CI on this server");
    const pipeline = indexParam(form.pipeline as string | undefined, "pipeline");
    const cancelled = await control.cancel(repository.id, request.params.run, pipeline);
    request.log.info(
      { repository: repository.name, run: request.params.run, pipeline, cancelled },
      "cancel requested from the web UI",
    );
    if (!wantsHtml(request)) return { cancelled };
    return reply.redirect(
      `/ui/repositories/${encodeURIComponent(repository.name)}/runs/${encodeURIComponent(request.params.run)}`,
      303,
    );
  });

  web.get<{ Params: { name: string; "*": string } }>(
    "/ui/repositories/:name/archive/*",
    { exposeHeadRoute: false },
    async (request, reply) => {
      const repository = await readableRepository(store, request, request.params.name);
      return sendRevisionArchive(store, request, reply, repository, request.params["*"]);
    },
  );

  // Badge

  web.get<NameParams & { Querystring: { bookmark?: string } }>(
    "/repository/:name/badge.svg",
    async (request, reply) => {
      const repository = await readableRepository(store, request, request.params.name);
      const bookmark = request.query.bookmark;
      const status = await badgeStatus(runs, repository, bookmark);
      return reply
        .type("image/svg+xml; charset=utf-8")
        .header("cache-control", "no-cache")
        .header("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'")
        .send(renderBadge(status, bookmark ? `ci ${bookmark}` : "ci"));
    },
  );
}

/** Returns the badge status of the newest run of `bookmark`, or of any bookmark when unset. */
async function badgeStatus(
  runs: RunHistoryReader,
  repository: Repository,
  bookmark: string | undefined,
): Promise<BadgeStatus> {
  if (bookmark !== undefined) {
    const latest = await runs.latestRuns(repository.id, [bookmark]);
    return latest.get(bookmark)?.status ?? "none";
  }
  const { pipelines } = await runs.listPipelines(repository.id, {}, 0, 1);
  const newest = pipelines[0];
  if (!newest) return "none";
  const run = await runs.getRun(repository.id, newest.runId);
  return run?.status ?? "none";
}

function sendAsset(request: FastifyRequest, reply: FastifyReply, type: string, body: string) {
  const versioned = (request.query as { v?: string }).v === ASSET_VERSION;
  return reply
    .type(type)
    .header("cache-control", versioned ? "public, max-age=31536000, immutable" : "no-cache")
    .send(body);
}

/** Returns the HTTP status for an error: its own for ApiError and Fastify's 4xx errors, else 500. */
function errorStatus(error: Error): number {
  if (error instanceof ApiError) return error.status;
  const statusCode = (error as { statusCode?: unknown }).statusCode;
  if (typeof statusCode === "number" && statusCode >= 400 && statusCode < 500) return statusCode;
  return 500;
}

function wantsHtml(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? "";
  // A browser's form post may send `*/*`, so a form body also gets an HTML page.
  const form = (request.headers["content-type"] ?? "").startsWith(
    "application/x-www-form-urlencoded",
  );
  return (
    accept.includes("text/html") ||
    (request.method === "POST" && (accept === "" || (form && !accept.includes("application/json"))))
  );
}

function formBody(request: FastifyRequest): Record<string, unknown> {
  const body = request.body;
  return typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
}

/** Keeps a post-sign-in redirect on this site: a path under /ui/, never `//host` or a URL. */
function safeNext(next: unknown): string {
  if (typeof next !== "string" || !next.startsWith("/ui/") || next.includes("\\")) return "/ui/";
  return next;
}

function parseFilter(query: { status?: string; bookmark?: string }): RunFilter {
  const filter: RunFilter = {};
  if (query.status !== undefined && query.status !== "") {
    if (!RUN_STATUSES.includes(query.status as RunStatus)) {
      throw invalid(
        "INVALID_FILTER",
        `unknown status ${JSON.stringify(query.status)}; use one of ${RUN_STATUSES.join(", ")}`,
      );
    }
    filter.status = query.status as RunStatus;
  }
  if (query.bookmark !== undefined && query.bookmark.trim() !== "") {
    filter.bookmark = query.bookmark.trim();
  }
  return filter;
}

function parsePage(page: string | undefined): number {
  if (page === undefined || page === "") return 1;
  const number = Number(page);
  if (!Number.isInteger(number) || number < 1) {
    throw invalid("INVALID_PAGE", `invalid page ${JSON.stringify(page)}; use a number from 1`);
  }
  return number;
}

function indexParam(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === "") return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) {
    throw invalid("INVALID_REQUEST", `\`${name}\` must be a whole number from 0`);
  }
  return number;
}

function runNotFound(repository: Repository, runId: string): ApiError {
  return notFound("RUN_NOT_FOUND", `run ${JSON.stringify(runId)} not found in ${repository.name}`);
}

function csrfError(): ApiError {
  return new ApiError(
    403,
    "INVALID_CSRF_TOKEN",
    "The form is out of date or came from another site; reload the page and try again.",
  );
}
