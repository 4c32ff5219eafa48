import { STATUS_CODES } from "node:http";
import { Agent, type Dispatcher } from "undici";
import type { WebhookSpec } from "../config/types.js";
import { formatDuration } from "../runner/duration.js";
import { parseGoDuration } from "../util/go-duration.js";
import { timerDelay } from "../util/timer.js";
import type { TaskContext, TaskExecutor, TaskResult } from "./task.js";

/** DEFAULT_WEBHOOK_TIMEOUT_MS limits one attempt when the task sets no `timeout`. */
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 30_000;

/** MAX_WEBHOOK_ATTEMPTS is the largest `retry_policy.max_attempts` the config accepts. */
export const MAX_WEBHOOK_ATTEMPTS = 10;

export interface WebhookExecutorOptions {
  /** HTTP client to send through; default a keep-alive Agent owned by the executor. */
  dispatcher?: Dispatcher;
  /** Per-attempt timeout when the task sets none; default 30 s. */
  defaultTimeoutMs?: number;
  /** First retry delay before jitter; doubled on each further retry. Default 1 s. */
  backoffBaseMs?: number;
  /** Largest retry delay from backoff; default 30 s. */
  backoffMaxMs?: number;
  /**
   * Largest wait a `Retry-After` header can ask for; default 60 s. A server
   * asking for more still gets its retry, only sooner, so one webhook cannot
   * hold a pipeline for hours.
   */
  retryAfterMaxMs?: number;
  /** How much of each response body goes to the log, in bytes; default 2 KiB. */
  responseLogBytes?: number;
  /** Random source in [0, 1) for jitter; tests fix it. */
  random?: () => number;
}

type AttemptOutcome =
  | {
      kind: "response";
      status: number;
      retryAfterMs?: number;
      body: string;
      /** Bytes read, or the Content-Length when reading stopped early. */
      bodyBytes: number;
      /** Reading stopped at MAX_DRAINED_BYTES and no Content-Length gave the full size. */
      bodySizeUnknown: boolean;
    }
  | { kind: "error"; error: unknown; retryable: boolean }
  | {
      kind: "timeout";
      /** The response's status when the headers had arrived and the body had not ended. */
      status?: number;
    }
  | { kind: "cancelled" };

// Bytes read past `responseLogBytes`, so a secret that crosses the log's
// cut is whole in the text and the cut can move before it. A longer secret
// crossing the cut still shows its first part.
const SECRET_MARGIN_BYTES = 4096;

// Reading stops at this size even when the log keeps less. Past it the
// connection is dropped, so a huge response can neither stall the pipeline
// nor fill memory.
const MAX_DRAINED_BYTES = 1024 * 1024;

// Error codes that mean the request may not have reached a working server,
// so sending it again can succeed.
const RETRYABLE_ERROR_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "EHOSTDOWN",
  "ENOTFOUND",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

/**
 * WebhookExecutor sends a webhook task's HTTP request. 2xx and 3xx responses
 * are success (redirects are not followed). Network errors, timeouts, 408,
 * 429 and 5xx are retried up to `retry_policy.max_attempts` with exponential
 * backoff and jitter, or after the server's `Retry-After`. Other 4xx responses
 * fail at once. Every attempt is logged with method, URL, status, duration
 * and the start of the response body; the runner's log sink masks secrets.
 */
export class WebhookExecutor implements TaskExecutor<WebhookSpec> {
  readonly kind = "webhook";
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly defaultTimeoutMs: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly retryAfterMaxMs: number;
  private readonly responseLogBytes: number;
  private readonly random: () => number;

  constructor(options: WebhookExecutorOptions = {}) {
    this.ownsDispatcher = options.dispatcher === undefined;
    this.dispatcher = options.dispatcher ?? new Agent({ keepAliveTimeout: 4_000 });
    this.defaultTimeoutMs = options.defaultTimeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
    this.backoffBaseMs = options.backoffBaseMs ?? 1_000;
    this.backoffMaxMs = options.backoffMaxMs ?? 30_000;
    this.retryAfterMaxMs = options.retryAfterMaxMs ?? 60_000;
    this.responseLogBytes = options.responseLogBytes ?? 2048;
    this.random = options.random ?? Math.random;
  }

  /**
   * Returns the longest a task of `spec` can take: every attempt timing out
   * plus the longest wait between attempts. The runner uses it as the task's
   * overall limit.
   */
  maxDurationMs(spec: WebhookSpec): number {
    const attempts = attemptCount(spec);
    const perAttempt = this.attemptTimeoutMs(spec);
    const wait = Math.max(this.backoffMaxMs, this.retryAfterMaxMs);
    return attempts * perAttempt + (attempts - 1) * wait + 1_000;
  }

  async run(spec: WebhookSpec, context: TaskContext): Promise<TaskResult> {
    const { log, signal } = context;
    const method = spec.method;
    const url = checkUrl(spec.url);
    if (typeof url === "string") return { status: "failed", reason: url };

    let timeoutMs: number;
    try {
      timeoutMs = this.attemptTimeoutMs(spec);
    } catch (error) {
      return { status: "failed", reason: (error as Error).message };
    }

    const attempts = attemptCount(spec);
    // Secrets are masked before the password is hidden: a secret holding
    // `@` or `/` moves where the URL's password ends, and hiding a part of
    // it first would leave the rest where the log's masker cannot match it.
    const target = `${method} ${maskUrlPassword(log.mask?.(spec.url) ?? spec.url)}`;
    const headers = withUserinfoAuth(spec.headers, url);
    if (typeof headers === "string") return { status: "failed", reason: headers };
    for (let attempt = 1; ; attempt++) {
      if (signal.aborted) return { status: "cancelled", reason: `${target} was cancelled` };
      const started = performance.now();
      const outcome = await this.attempt(spec, url, headers, timeoutMs, signal);
      const elapsed = formatDuration(performance.now() - started);
      const prefix = `attempt ${attempt}/${attempts}: ${target}`;

      switch (outcome.kind) {
        case "cancelled":
          log.info(`${prefix} cancelled after ${elapsed}`);
          return { status: "cancelled", reason: `${target} was cancelled` };
        case "timeout":
          // The line gives both the measured time and the limit, because a
          // timer fires a little after its limit on a busy event loop.
          log.info(
            outcome.status === undefined
              ? `${prefix} timed out after ${elapsed} (timeout ${formatDuration(timeoutMs)})`
              : `${prefix} returned ${statusLine(outcome.status)}, but its body did not end within ${elapsed} (timeout ${formatDuration(timeoutMs)})`,
          );
          break;
        case "error":
          log.info(`${prefix} failed after ${elapsed}: ${describeError(outcome.error, url)}`);
          if (!outcome.retryable) {
            return {
              status: "failed",
              reason: `${target} failed: ${describeError(outcome.error, url)}`,
            };
          }
          break;
        case "response": {
          const redirect = isRedirect(outcome.status) ? " (redirect not followed)" : "";
          log.info(`${prefix} returned ${statusLine(outcome.status)}${redirect} in ${elapsed}`);
          this.logBody(context, outcome);
          if (outcome.status < 400) {
            const on = attempt > 1 ? ` on attempt ${attempt}` : "";
            return {
              status: "success",
              httpStatus: outcome.status,
              reason: `${target} returned ${statusLine(outcome.status)}${redirect}${on}`,
            };
          }
          if (!isRetryableStatus(outcome.status)) {
            return {
              status: "failed",
              httpStatus: outcome.status,
              reason: `${target} returned ${statusLine(outcome.status)}, which is not retried`,
            };
          }
          break;
        }
      }

      if (attempt >= attempts) return finalFailure(target, attempts, outcome, timeoutMs, url);

      const delay = this.retryDelay(attempt, outcome);
      log.info(
        `retrying in ${formatDuration(delay.ms)}${delay.fromServer ? " (Retry-After)" : ""}`,
      );
      if (!(await sleep(delay.ms, signal))) {
        return { status: "cancelled", reason: `${target} was cancelled` };
      }
    }
  }

  /**
   * Closes the executor's own connections; a dispatcher passed in is left
   * open. Requests still pending belong to attempts that already ended (a
   * timed-out attempt whose connection is still opening), so they are
   * destroyed rather than awaited: waiting would hold the process for up to
   * undici's 10 s connect timeout.
   */
  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.destroy();
  }

  private attemptTimeoutMs(spec: WebhookSpec): number {
    return spec.timeout === undefined ? this.defaultTimeoutMs : parseGoDuration(spec.timeout);
  }

  // One attempt through undici's dispatch API: an AttemptHandler gets the
  // response as callbacks, with no response stream and no AbortController,
  // because those cost more CPU per delivery than a loopback request does.
  // The handler's one timer bounds the whole attempt, connection included.
  private attempt(
    spec: WebhookSpec,
    url: URL,
    headers: Record<string, string> | undefined,
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<AttemptOutcome> {
    return new Promise((resolve) => {
      const handler = new AttemptHandler(
        resolve,
        spec.method === "HEAD" ? 0 : this.responseLogBytes + SECRET_MARGIN_BYTES,
        timeoutMs,
        signal,
      );
      this.dispatcher.dispatch(
        {
          origin: url.origin,
          path: url.search ? `${url.pathname}${url.search}` : url.pathname,
          method: spec.method,
          headers,
          body: spec.body ?? null,
          headersTimeout: timerDelay(timeoutMs),
          bodyTimeout: timerDelay(timeoutMs),
        },
        handler,
      );
    });
  }

  private logBody(
    context: TaskContext,
    outcome: { body: string; bodyBytes: number; bodySizeUnknown: boolean },
  ): void {
    if (outcome.bodyBytes === 0) return;
    const body = this.shownBody(outcome.body, context);
    const shown = Buffer.byteLength(body);
    const total = outcome.bodySizeUnknown
      ? `at least ${MAX_DRAINED_BYTES / (1024 * 1024)} MiB`
      : `${outcome.bodyBytes} bytes`;
    const cut = shown < outcome.bodyBytes ? ` (first ${shown} bytes of ${total})` : "";
    context.log.info(`response body${cut}:`);
    const text = body.endsWith("\n") ? body.slice(0, -1) : body;
    for (const line of text.split("\n")) context.log.info(`  ${line}`);
  }

  // Cuts the kept body to `responseLogBytes`, moving the cut before a
  // secret that crosses it: the log masks whole values only, so a secret
  // cut in two would show its first characters.
  private shownBody(text: string, context: TaskContext): string {
    const bytes = Buffer.from(text);
    if (bytes.length <= this.responseLogBytes) return text;
    // A multi-byte character cut at the limit decodes to U+FFFD, which is harmless in a log.
    const limited = bytes.subarray(0, this.responseLogBytes).toString("utf8");
    const cut = context.log.safeCut?.(text, limited.length) ?? limited.length;
    return text.slice(0, cut);
  }

  private retryDelay(
    attempt: number,
    outcome: AttemptOutcome,
  ): { ms: number; fromServer: boolean } {
    if (outcome.kind === "response" && outcome.retryAfterMs !== undefined) {
      return { ms: Math.min(outcome.retryAfterMs, this.retryAfterMaxMs), fromServer: true };
    }
    // Equal jitter: half the exponential delay is fixed, half random, so
    // retries from many pipelines spread out but never collapse to zero.
    const exponential = Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** (attempt - 1));
    return { ms: exponential / 2 + (this.random() * exponential) / 2, fromServer: false };
  }
}

function attemptCount(spec: WebhookSpec): number {
  const requested = spec.retry_policy?.max_attempts ?? 1;
  return Math.min(MAX_WEBHOOK_ATTEMPTS, Math.max(1, Math.floor(requested)));
}

// Returns the parsed URL, or a reason when it cannot be sent.
function checkUrl(text: string): URL | string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `webhook \`url\` ${JSON.stringify(text)} is not a valid URL`;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return `webhook \`url\` must use http or https, not ${url.protocol.slice(0, -1)}`;
  }
  return url;
}

/**
 * Returns a webhook URL as it may be shown: a password in its userinfo is
 * replaced by `***`, so one written in the config itself (not through a
 * secret) stays out of task names and logs. A `${NAME}` reference is kept,
 * as it reveals nothing. Like the URL parser, the authority ends at the
 * first `/`, `\`, `?` or `#`, and the userinfo at its last `@`.
 */
export function maskUrlPassword(text: string): string {
  // Without an `@` there is no userinfo, and the pattern below costs more
  // than the rest of naming a task.
  if (!text.includes("@")) return text;
  const start = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/\\?#]*)/.exec(text);
  if (!start) return text;
  const [matched, scheme, authority] = start as unknown as [string, string, string];
  const at = authority.lastIndexOf("@");
  const colon = authority.indexOf(":");
  if (at < 0 || colon < 0 || colon > at) return text;
  const password = authority.slice(colon + 1, at);
  if (password === "" || /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(password)) return text;
  return `${scheme}${authority.slice(0, colon + 1)}***${authority.slice(at)}${text.slice(matched.length)}`;
}

// Turns the URL's userinfo into Basic auth, as curl and Go's net/http do,
// unless the task sets its own Authorization header. Without this, undici
// drops the userinfo silently. The userinfo is removed from `url`, so it
// is sent only in the header.
// Returns a reason instead when the userinfo is not valid percent-encoding.
function withUserinfoAuth(
  headers: Record<string, string> | undefined,
  url: URL,
): Record<string, string> | undefined | string {
  if (url.username === "" && url.password === "") return headers;
  const credentials = basicCredentials(url);
  if (credentials === undefined) {
    // The message quotes nothing of the URL, because its password may be a secret.
    return "webhook `url` has a user name or password that is not valid percent-encoding; write a `%` in it as `%25`";
  }
  url.username = "";
  url.password = "";
  const explicit = Object.keys(headers ?? {}).some(
    (name) => name.toLowerCase() === "authorization",
  );
  if (explicit) return headers;
  return { ...headers, authorization: `Basic ${credentials}` };
}

/**
 * Returns the Basic credentials (`base64(user:password)`) a webhook sends
 * for the userinfo of `url`, or undefined when it has none or it is not
 * valid percent-encoding. The runner
 * masks them, because a receiver that echoes its request would otherwise
 * put the password in the log in base64.
 */
export function basicCredentials(url: URL | string): string | undefined {
  let parsed: URL;
  try {
    parsed = typeof url === "string" ? new URL(url) : url;
  } catch {
    return undefined;
  }
  if (parsed.username === "" && parsed.password === "") return undefined;
  try {
    const pair = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
    return Buffer.from(pair).toString("base64");
  } catch {
    return undefined;
  }
}

// 3xx counts as success and is not followed, because following could send
// the request, secrets included, to another host.
function isRedirect(status: number): boolean {
  return status >= 300 && status < 400;
}

/** Reports whether an HTTP status is worth another attempt: 408, 429 and 5xx. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

const TIMEOUT_ERROR_CODES = new Set([
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_CONNECT_TIMEOUT",
]);

function isTimeoutError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === "string" && TIMEOUT_ERROR_CODES.has(code);
}

function isRetryableError(error: unknown): boolean {
  for (let current = error; current instanceof Error; current = current.cause) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && RETRYABLE_ERROR_CODES.has(code)) return true;
    if (current instanceof AggregateError) return current.errors.some(isRetryableError);
  }
  return false;
}

// Host names are left out of the description, because the attempt line
// already names the URL with secrets masked. A host parsed out of a secret
// (`http://${PASS}/` with a `\\` in PASS) is only a fragment of it, which
// the masker cannot recognise.
function describeError(error: unknown, url: URL): string {
  const hosts = new Set<string>();
  if (url.hostname) hosts.add(url.hostname);
  // Node's errors name an IPv6 address without the brackets of its URL form.
  if (url.hostname.startsWith("[")) hosts.add(url.hostname.slice(1, -1));
  collectHostnames(error, hosts);
  return hideHosts(describeErrorChain(error), hosts);
}

function collectHostnames(error: unknown, hosts: Set<string>): void {
  for (let current = error; current instanceof Error; current = current.cause) {
    const hostname = (current as { hostname?: unknown }).hostname;
    if (typeof hostname === "string" && hostname.length > 0) hosts.add(hostname);
    if (current instanceof AggregateError)
      for (const inner of current.errors) collectHostnames(inner, hosts);
  }
}

function hideHosts(text: string, hosts: Set<string>): string {
  let hidden = text;
  for (const host of [...hosts].sort((a, b) => b.length - a.length)) {
    hidden = hidden.split(host).join("<host>");
  }
  return hidden;
}

function describeErrorChain(error: unknown): string {
  const parts: string[] = [];
  for (let current = error; current instanceof Error; current = current.cause) {
    const code = (current as { code?: unknown }).code;
    const text = typeof code === "string" ? `${current.message} (${code})` : current.message;
    if (!parts.includes(text)) parts.push(text);
    if (current instanceof AggregateError && current.errors[0] instanceof Error) {
      current = current.errors[0];
      parts.push(describeErrorChain(current));
      break;
    }
  }
  return parts.length > 0 ? parts.join(": ") : String(error);
}

function statusLine(status: number): string {
  const text = STATUS_CODES[status];
  return text ? `${status} ${text}` : String(status);
}

function finalFailure(
  target: string,
  attempts: number,
  outcome: AttemptOutcome,
  timeoutMs: number,
  url: URL,
): TaskResult {
  const tries = attempts === 1 ? "" : ` after ${attempts} attempts`;
  switch (outcome.kind) {
    case "timeout":
      if (outcome.status !== undefined) {
        return {
          status: "timeout",
          httpStatus: outcome.status,
          reason: `${target} returned ${statusLine(outcome.status)}, but its body did not end within its ${formatDuration(timeoutMs)} timeout${tries}`,
        };
      }
      return {
        status: "timeout",
        reason: `${target} got no answer within its ${formatDuration(timeoutMs)} timeout${attempts === 1 ? "" : ` on each of ${attempts} attempts`}`,
      };
    case "response":
      return {
        status: "failed",
        httpStatus: outcome.status,
        reason: `${target} returned ${statusLine(outcome.status)}${tries}`,
      };
    case "error":
      return {
        status: "failed",
        reason: `${target} failed${tries}: ${describeError(outcome.error, url)}`,
      };
    case "cancelled":
      return { status: "cancelled", reason: `${target} was cancelled` };
  }
}

/**
 * Parses a `Retry-After` header, either delay seconds or an HTTP-date, into
 * milliseconds from `nowMs`. A date in the past gives 0; an unreadable value
 * gives undefined, so the usual backoff applies.
 */
export function parseRetryAfter(
  header: string | string[] | undefined,
  nowMs: number,
): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // Every HTTP-date form names its month, while Date.parse reads plain
  // numbers such as `1.5` as dates too.
  if (!/[A-Za-z]/.test(value)) return undefined;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/** AttemptTimeout is the reason an attempt is aborted with when its time is up. */
class AttemptTimeout extends Error {}

/**
 * AttemptHandler receives one attempt's response from undici and settles
 * the attempt's promise once: with the response when its body has ended or
 * MAX_DRAINED_BYTES were read, or with a timeout, a cancellation or an
 * error. It keeps the first `keep` bytes of the body as text for the log and
 * reads the rest only to reuse the connection. It is its own abort listener
 * (`handleEvent`), so an attempt allocates no closures.
 */
class AttemptHandler implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private settled = false;
  private readonly timer: NodeJS.Timeout;
  private status = 0;
  private retryAfter: string | string[] | undefined;
  private declaredLength: string | string[] | undefined;
  private readonly kept: Buffer[] = [];
  private keptBytes = 0;
  private bytes = 0;

  constructor(
    private readonly resolve: (outcome: AttemptOutcome) => void,
    private readonly keep: number,
    timeoutMs: number,
    private readonly signal: AbortSignal,
  ) {
    this.timer = setTimeout(
      () => this.stop(this.timeoutOutcome(), new AttemptTimeout()),
      timerDelay(timeoutMs),
    );
    if (signal.aborted) this.stop({ kind: "cancelled" }, signal.reason);
    else signal.addEventListener("abort", this, { once: true });
  }

  // The run's signal aborted.
  handleEvent(): void {
    this.stop({ kind: "cancelled" }, this.signal.reason);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    // undici starts the request only once a connection is ready, so a
    // timeout or cancellation during the connect is carried out here.
    if (this.settled) controller.abort(new AttemptTimeout());
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    this.status = statusCode;
    this.retryAfter = headers["retry-after"];
    this.declaredLength = headers["content-length"];
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.settled) return;
    this.bytes += chunk.length;
    if (this.keptBytes < this.keep) {
      const part = chunk.subarray(0, this.keep - this.keptBytes);
      this.kept.push(part);
      this.keptBytes += part.length;
    }
    if (this.bytes >= MAX_DRAINED_BYTES) this.respond(true);
  }

  onResponseEnd(): void {
    this.respond(false);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (error instanceof AttemptTimeout || isTimeoutError(error)) {
      this.finish(this.timeoutOutcome());
    } else {
      this.finish({ kind: "error", error, retryable: isRetryableError(error) });
    }
  }

  private timeoutOutcome(): AttemptOutcome {
    return this.status >= 200 ? { kind: "timeout", status: this.status } : { kind: "timeout" };
  }

  private respond(stopped: boolean): void {
    if (this.settled) return;
    const declared = Number(
      Array.isArray(this.declaredLength) ? this.declaredLength[0] : this.declaredLength,
    );
    const known = !stopped || (Number.isSafeInteger(declared) && declared >= this.bytes);
    this.finish({
      kind: "response",
      status: this.status,
      retryAfterMs: parseRetryAfter(this.retryAfter, Date.now()),
      // A multi-byte character cut at the limit decodes to U+FFFD, which is harmless in a log.
      body: this.kept.length === 0 ? "" : Buffer.concat(this.kept).toString("utf8"),
      bodyBytes: stopped && known ? declared : this.bytes,
      bodySizeUnknown: !known,
    });
    // Past MAX_DRAINED_BYTES the connection is dropped rather than drained.
    if (stopped) this.controller?.abort(new AttemptTimeout());
  }

  // Settles with `outcome` and aborts the request, if it has started.
  private stop(outcome: AttemptOutcome, reason: unknown): void {
    if (this.settled) return;
    this.finish(outcome);
    this.controller?.abort(reason instanceof Error ? reason : new AttemptTimeout());
  }

  private finish(outcome: AttemptOutcome): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.signal.removeEventListener("abort", this);
    this.resolve(outcome);
  }
}

// Resolves true after `ms`, or false as soon as `signal` aborts.
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
