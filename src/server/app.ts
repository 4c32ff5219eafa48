import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyServerOptions,
} from "fastify";
import type { Logger } from "pino";
import type { CiService } from "../ci/service.js";
import { ApiError } from "../store/errors.js";
import type { Store } from "../store/store.js";
import { registerWebRoutes, type WebOptions } from "../web/routes.js";
import { authenticate } from "./auth.js";
import { PACK_CONTENT_TYPE } from "./pack.js";
import { registerArchiveRoutes } from "./routes-archive.js";
import { registerCiRoutes } from "./routes-ci.js";
import { registerObjectRoutes } from "./routes-objects.js";
import { registerRepositoryRoutes } from "./routes-repositories.js";
import { registerSchemaRoutes } from "./routes-schemas.js";
import { registerSecretRoutes } from "./routes-secrets.js";
import { registerUserRoutes } from "./routes-users.js";

/** ServerLimits caps request sizes; each has a default suited to trees of a few hundred thousand files. */
export interface ServerLimits {
  /** Largest JSON body, which bounds a tree's size (default 64 MiB, about 400,000 entries). */
  jsonBodyBytes: number;
  /** Largest single blob (default 1 GiB). */
  blobBytes: number;
  /** Largest pack body (default 1 GiB). */
  packBytes: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  jsonBodyBytes: 64 * 1024 * 1024,
  blobBytes: 1024 * 1024 * 1024,
  packBytes: 1024 * 1024 * 1024,
};

/** AppOptions configures the HTTP API. */
export interface AppOptions {
  store: Store;
  /** The URL clients reach the server at, used in archive URLs; read on every use. */
  publicUrl: string | (() => string);
  /** A pino logger; false silences request logs. */
  logger?: Logger | false;
  limits?: Partial<ServerLimits>;
  /** The folder holding `schema.json` and `schema.xsd` (default: the package's `schema/`). */
  schemaDir?: string;
  /** Run history and live updates for the web UI. */
  web?: WebOptions;
  /** CI: run history, cancelling and secrets; without it those routes return CI_DISABLED. */
  ci?: CiService;
}

/** AppContext is what every route module needs. */
export interface AppContext {
  store: Store;
  publicUrl: () => string;
  limits: ServerLimits;
  schemaDir: string;
}

/**
 * Builds the Fastify app with every route. Errors leave as
 * `{"error": {"code", "message"}}` with a stable code; unexpected ones are
 * logged and reported as INTERNAL without their details.
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const context: AppContext = {
    store: options.store,
    publicUrl: () => {
      const url = typeof options.publicUrl === "function" ? options.publicUrl() : options.publicUrl;
      return url.replace(/\/+$/, "");
    },
    limits,
    schemaDir: options.schemaDir ?? new URL("../../schema/", import.meta.url).pathname,
  };

  const fastifyOptions: FastifyServerOptions = {
    bodyLimit: limits.jsonBodyBytes,
    // Bookmark names contain `/`; they travel percent-encoded in one path segment.
    routerOptions: { ignoreDuplicateSlashes: false, maxParamLength: 1024 },
  };
  const app: FastifyInstance = Fastify({
    ...fastifyOptions,
    ...(options.logger
      ? {
          loggerInstance: options.logger.child(
            {},
            { serializers: { req: requestSummary } },
          ) as FastifyBaseLogger,
        }
      : { logger: false }),
  });

  // Blob bodies stream straight to the object store, which counts and
  // hashes them, so these parsers hand over the raw stream.
  for (const type of ["application/octet-stream", PACK_CONTENT_TYPE]) {
    app.addContentTypeParser(type, (_request, payload, done) => done(null, payload));
  }

  app.decorateRequest("principal", undefined);
  app.addHook("onRequest", async (request) => {
    request.principal = await authenticate(context.store, request);
  });

  app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
    if (error instanceof ApiError) {
      if (error.status >= 500) request.log.error({ err: error }, "request failed");
      return reply
        .status(error.status)
        .send({ error: { code: error.code, message: error.message } });
    }
    const mapped = mapFastifyError(error as FastifyError);
    if (mapped)
      return reply
        .status(mapped.status)
        .send({ error: { code: mapped.code, message: mapped.message } });
    request.log.error({ err: error }, "request failed");
    return reply
      .status(500)
      .send({ error: { code: "INTERNAL", message: "internal server error; see the server log" } });
  });

  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({
      error: {
        code: "NOT_FOUND",
        message: `no route for ${request.method} ${request.url.split("?")[0]}`,
      },
    });
  });

  app.get("/healthz", async () => ({ ok: true }));
  registerUserRoutes(app, context);
  registerRepositoryRoutes(app, context);
  registerObjectRoutes(app, context);
  registerArchiveRoutes(app, context);
  registerSchemaRoutes(app, context);
  registerCiRoutes(app, context, options.ci);
  registerSecretRoutes(app, context, options.ci);
  registerWebRoutes(app, context, options.web);
  return app;
}

function mapFastifyError(error: FastifyError): ApiError | undefined {
  switch (error.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new ApiError(
        413,
        "BODY_TOO_LARGE",
        "the request body is larger than the server accepts",
      );
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new ApiError(
        415,
        "UNSUPPORTED_MEDIA_TYPE",
        `unsupported Content-Type; send application/json`,
      );
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return new ApiError(400, "INVALID_REQUEST", "the JSON body is empty");
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return new ApiError(400, "INVALID_JSON", `the body is not valid JSON: ${error.message}`);
    default:
      if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
        return new ApiError(error.statusCode, "INVALID_REQUEST", error.message);
      }
      return undefined;
  }
}

/** Summarises a request for the log with the `token` query parameter hidden. */
function requestSummary(request: { method: string; url: string; ip?: string }) {
  return {
    method: request.method,
    url: request.url.replace(/([?&]token=)[^&]*/gi, "$1***"),
    remoteAddress: request.ip,
  };
}
