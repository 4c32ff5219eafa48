// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${NAME}` is the secret syntax under test.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Agent } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HttpReceiver, refusedPort } from "../../test/helpers/http-receiver.js";
import { startStalledListener } from "../../test/helpers/stalled-listener.js";
import { templateData } from "../config/event.js";
import type { WebhookSpec } from "../config/types.js";
import type { LogLine } from "../runner/log-sink.js";
import { MaskingLogSink } from "../runner/log-sink.js";
import { SecretMasker } from "../runner/masker.js";
import { resolveTaskSecrets, secretSource } from "../runner/secrets.js";
import type { TaskContext } from "./task.js";
import { maskUrlPassword, parseRetryAfter, WebhookExecutor } from "./webhook.js";

let receiver: HttpReceiver;
let executor: WebhookExecutor;
let lines: LogLine[];
let masker: SecretMasker;

function context(signal: AbortSignal = new AbortController().signal): TaskContext {
  return {
    runId: "test-run",
    pipeline: "hook.yaml",
    taskIndex: 0,
    log: new MaskingLogSink(masker, (line) => lines.push(line)),
    signal,
    timeoutMs: 60_000,
    data: templateData(),
  };
}

function logText(): string {
  return lines.map((line) => line.text).join("\n");
}

beforeEach(async () => {
  receiver = await new HttpReceiver().start();
  executor = new WebhookExecutor({ backoffBaseMs: 20, backoffMaxMs: 100, random: () => 0.5 });
  lines = [];
  masker = new SecretMasker();
});

afterEach(async () => {
  await executor.close();
  await receiver.close();
});

describe("WebhookExecutor", () => {
  it("sends method, headers and body", async () => {
    const spec: WebhookSpec = {
      url: `${receiver.url}/job/build?x=1`,
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Trace": "abc" },
      body: '{"VERSION": "v1"}',
    };
    const result = await executor.run(spec, context());

    expect(result.status).toBe("success");
    expect(result.httpStatus).toBe(200);
    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    expect(request!.method).toBe("POST");
    expect(request!.url).toBe("/job/build?x=1");
    expect(request!.headers["content-type"]).toBe("application/json");
    expect(request!.headers["x-trace"]).toBe("abc");
    expect(request!.body.toString()).toBe('{"VERSION": "v1"}');
    expect(logText()).toContain(`attempt 1/1: POST ${receiver.url}/job/build?x=1 returned 200 OK`);
    expect(logText()).toContain("  ok");
  });

  it.each(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const)(
    "sends a %s request",
    async (method) => {
      const result = await executor.run({ url: receiver.url, method }, context());
      expect(result.status).toBe("success");
      expect(receiver.requests[0]!.method).toBe(method);
    },
  );

  it("retries 503 twice and succeeds on the third attempt", async () => {
    receiver.reply({ status: 503 }, { status: 503 }, { status: 200 });
    const spec: WebhookSpec = {
      url: receiver.url,
      method: "POST",
      retry_policy: { max_attempts: 3 },
    };
    const result = await executor.run(spec, context());

    expect(result.status).toBe("success");
    expect(result.httpStatus).toBe(200);
    expect(receiver.requests).toHaveLength(3);
    expect(logText()).toContain("attempt 1/3");
    expect(logText()).toContain("503 Service Unavailable");
    expect(logText()).toContain("attempt 3/3");
  });

  it("fails after the last 503 when attempts run out", async () => {
    receiver.replyAlways({ status: 503 });
    const spec: WebhookSpec = {
      url: receiver.url,
      method: "POST",
      retry_policy: { max_attempts: 2 },
    };
    const result = await executor.run(spec, context());

    expect(result.status).toBe("failed");
    expect(result.httpStatus).toBe(503);
    expect(result.reason).toContain("after 2 attempts");
    expect(receiver.requests).toHaveLength(2);
  });

  it("fails at once on 404", async () => {
    receiver.reply({ status: 404, body: "no such job" });
    const spec: WebhookSpec = {
      url: receiver.url,
      method: "POST",
      retry_policy: { max_attempts: 5 },
    };
    const result = await executor.run(spec, context());

    expect(result.status).toBe("failed");
    expect(result.httpStatus).toBe(404);
    expect(result.reason).toContain("404 Not Found");
    expect(receiver.requests).toHaveLength(1);
    expect(logText()).toContain("no such job");
  });

  it.each([408, 429, 500, 502])("retries status %i", async (status) => {
    receiver.reply({ status }, { status: 204 });
    const spec: WebhookSpec = {
      url: receiver.url,
      method: "GET",
      retry_policy: { max_attempts: 2 },
    };
    const result = await executor.run(spec, context());
    expect(result.status).toBe("success");
    expect(receiver.requests).toHaveLength(2);
  });

  it("treats a redirect as success without following it", async () => {
    receiver.reply({ status: 302, headers: { Location: "/elsewhere" } });
    const result = await executor.run({ url: receiver.url, method: "GET" }, context());
    expect(result.status).toBe("success");
    expect(result.httpStatus).toBe(302);
    expect(receiver.requests).toHaveLength(1);
    expect(logText()).toContain("returned 302 Found (redirect not followed) in");
  });

  it("sends URL userinfo as Basic auth and logs no password", async () => {
    receiver.reply({ status: 200 });
    const url = receiver.url.replace("http://", "http://fakeuser:fake%40pass@");
    const result = await executor.run({ url: `${url}/basicauth`, method: "GET" }, context());

    expect(result.status).toBe("success");
    const expected = `Basic ${Buffer.from("fakeuser:fake@pass").toString("base64")}`;
    expect(receiver.requests[0]!.headers.authorization).toBe(expected);
    expect(logText()).not.toContain("pass");
    expect(result.reason).not.toContain("pass");
    expect(logText()).toContain("fakeuser:***@");
  });

  it("keeps an explicit Authorization header over URL userinfo", async () => {
    receiver.reply({ status: 200 });
    const url = receiver.url.replace("http://", "http://fakeuser:fakepass@");
    const spec: WebhookSpec = { url, method: "GET", headers: { Authorization: "Bearer abcd" } };
    await executor.run(spec, context());
    expect(receiver.requests[0]!.headers.authorization).toBe("Bearer abcd");
  });

  it("times out on a server that never answers", async () => {
    receiver.replyAlways("hang");
    const spec: WebhookSpec = { url: receiver.url, method: "POST", timeout: "200ms" };
    const started = Date.now();
    const result = await executor.run(spec, context());

    expect(result.status).toBe("timeout");
    expect(result.reason).toContain("got no answer within its 200 ms timeout");
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(logText()).toMatch(/timed out after \d+ ms \(timeout 200 ms\)/);
  });

  it("times out a connection that never opens", async () => {
    const listener = await startStalledListener();
    try {
      const spec: WebhookSpec = {
        url: `http://127.0.0.1:${listener.port}/hook`,
        method: "POST",
        timeout: "200ms",
      };
      const started = Date.now();
      const result = await executor.run(spec, context());
      expect(result.status).toBe("timeout");
      expect(Date.now() - started).toBeLessThan(2_000);

      // The connect is still pending inside undici; closing must not wait for it.
      const closing = Date.now();
      await executor.close();
      expect(Date.now() - closing).toBeLessThan(1_000);
    } finally {
      await listener.close();
    }
  });

  it("rejects userinfo that is not percent-encoding", async () => {
    const url = receiver.url.replace("http://", "http://deploy:fake%zzpw@");
    const result = await executor.run({ url, method: "POST" }, context());

    expect(result.status).toBe("failed");
    expect(result.reason).toBe(
      "webhook `url` has a user name or password that is not valid percent-encoding; write a `%` in it as `%25`",
    );
    expect(receiver.requests).toHaveLength(0);
  });

  it("logs a body without its final newline as its lines", async () => {
    receiver.replyAlways({ status: 200, body: "first\nsecond\n" });
    await executor.run({ url: receiver.url, method: "GET" }, context());
    expect(lines.map((line) => line.text).slice(-3)).toEqual([
      "response body:",
      "  first",
      "  second",
    ]);
  });

  it("hides an IPv6 host in a network error", async () => {
    const port = await refusedPort();
    const result = await executor.run({ url: `http://[::1]:${port}/`, method: "GET" }, context());

    // The URL itself is shown; the host is hidden in the error's own text.
    expect(result.status).toBe("failed");
    expect(result.reason).toContain("connect ECONNREFUSED <host>:");
    expect(result.reason!.split(" failed: ")[1]).not.toContain("::1");
  });

  it("accepts a timeout longer than Node's timers", async () => {
    const spec: WebhookSpec = { url: receiver.url, method: "POST", timeout: "1000h" };
    const result = await executor.run(spec, context());
    expect(result.status).toBe("success");
  });

  it("times out a response body that never ends", async () => {
    const server = createServer((_request, response) => {
      response.writeHead(200, { "Content-Type": "text/plain" });
      response.write("partial");
      // Keeps writing a byte now and then, so no idle timeout would fire.
      const timer = setInterval(() => response.write("."), 50);
      response.on("close", () => clearInterval(timer));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const spec: WebhookSpec = {
        url: `http://127.0.0.1:${port}/`,
        method: "GET",
        timeout: "300ms",
      };
      const result = await executor.run(spec, context());
      expect(result.status).toBe("timeout");
      expect(result.httpStatus).toBe(200);
      expect(result.reason).toContain(
        "returned 200 OK, but its body did not end within its 300 ms",
      );
      expect(logText()).toMatch(
        /returned 200 OK, but its body did not end within \d+ ms \(timeout 300 ms\)/,
      );
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("retries a refused connection, then fails", async () => {
    const port = await refusedPort();
    const spec: WebhookSpec = {
      url: `http://127.0.0.1:${port}/hook`,
      method: "POST",
      retry_policy: { max_attempts: 3 },
    };
    const result = await executor.run(spec, context());

    expect(result.status).toBe("failed");
    expect(result.reason).toContain("ECONNREFUSED");
    expect(result.reason).toContain("after 3 attempts");
    expect(lines.filter((line) => line.text.startsWith("attempt "))).toHaveLength(3);
  });

  it("waits as long as Retry-After asks, in seconds", async () => {
    receiver.reply({ status: 503, headers: { "Retry-After": "1" } }, { status: 200 });
    const spec: WebhookSpec = {
      url: receiver.url,
      method: "POST",
      retry_policy: { max_attempts: 2 },
    };
    const result = await executor.run(spec, context());

    expect(result.status).toBe("success");
    const gap = receiver.requests[1]!.time - receiver.requests[0]!.time;
    expect(gap).toBeGreaterThanOrEqual(950);
    expect(logText()).toContain("(Retry-After)");
  });

  it("waits until a Retry-After date", async () => {
    receiver.reply(
      () => ({
        status: 503,
        headers: { "Retry-After": new Date(Date.now() + 2_000).toUTCString() },
      }),
      { status: 200 },
    );
    const spec: WebhookSpec = {
      url: receiver.url,
      method: "POST",
      retry_policy: { max_attempts: 2 },
    };
    const result = await executor.run(spec, context());

    expect(result.status).toBe("success");
    // HTTP-dates have whole seconds, so the wait is between one and two seconds.
    const gap = receiver.requests[1]!.time - receiver.requests[0]!.time;
    expect(gap).toBeGreaterThanOrEqual(900);
    expect(gap).toBeLessThan(3_000);
  });

  it("caps a long Retry-After", async () => {
    const capped = new WebhookExecutor({ retryAfterMaxMs: 100 });
    receiver.reply({ status: 429, headers: { "Retry-After": "3600" } }, { status: 200 });
    const spec: WebhookSpec = {
      url: receiver.url,
      method: "POST",
      retry_policy: { max_attempts: 2 },
    };
    const result = await capped.run(spec, context());
    await capped.close();

    expect(result.status).toBe("success");
    const gap = receiver.requests[1]!.time - receiver.requests[0]!.time;
    expect(gap).toBeGreaterThanOrEqual(90);
    expect(gap).toBeLessThan(2_000);
  });

  it("aborts the request on cancellation", async () => {
    receiver.replyAlways("hang");
    const controller = new AbortController();
    const running = executor.run({ url: receiver.url, method: "POST" }, context(controller.signal));
    await waitFor(() => receiver.requests.length === 1);
    controller.abort();
    const result = await running;

    expect(result.status).toBe("cancelled");
    await waitFor(() => receiver.abandoned === 1);
  });

  it("cancels the wait between attempts", async () => {
    const slow = new WebhookExecutor({ backoffBaseMs: 60_000, backoffMaxMs: 60_000 });
    receiver.replyAlways({ status: 503 });
    const controller = new AbortController();
    const spec: WebhookSpec = {
      url: receiver.url,
      method: "POST",
      retry_policy: { max_attempts: 3 },
    };
    const running = slow.run(spec, context(controller.signal));
    await waitFor(() => receiver.requests.length === 1);
    controller.abort();
    const result = await running;
    await slow.close();

    expect(result.status).toBe("cancelled");
    expect(receiver.requests).toHaveLength(1);
  });

  it("rejects a URL that is not http or https before sending", async () => {
    const result = await executor.run({ url: "ftp://127.0.0.1/x", method: "GET" }, context());
    expect(result.status).toBe("failed");
    expect(result.reason).toContain("http or https");
  });

  it("logs only the start of a large response body", async () => {
    receiver.reply({ status: 200, body: "x".repeat(10_000) });
    const small = new WebhookExecutor({ responseLogBytes: 100 });
    await small.run({ url: receiver.url, method: "GET" }, context());
    await small.close();

    expect(logText()).toContain("first 100 bytes of 10000 bytes");
    expect(logText()).not.toContain("x".repeat(101));
  });

  it.each([
    { name: "with Content-Length", length: true, said: "first 2048 bytes of 3145728 bytes" },
    { name: "chunked", length: false, said: "first 2048 bytes of at least 1 MiB" },
  ])("reports the size of a body too large to read, $name", async ({ length, said }) => {
    const size = 3 * 1024 * 1024;
    const server = createServer((_request, response) => {
      response.writeHead(200, length ? { "Content-Length": String(size) } : {});
      response.end(Buffer.alloc(size, "x"));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    try {
      await executor.run({ url: `http://127.0.0.1:${port}/`, method: "GET" }, context());
      expect(logText()).toContain(`response body (${said}):`);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("sends secrets in URL, header and body but never logs them", async () => {
    const token = "s3cr3t-token-value";
    const key = "query-key-9876";
    receiver.reply({ status: 500, body: `echo ${token}` }, { status: 200, body: `hello ${key}` });
    const secrets = secretSource({ TOKEN: token, KEY: key });
    const task = resolveTaskSecrets(
      {
        type: "webhook",
        webhook: {
          url: `${receiver.url}/hook?key=\${KEY}`,
          method: "POST",
          headers: { Authorization: "Bearer ${TOKEN}" },
          body: '{"token": "${TOKEN}", "literal": "$${TOKEN}"}',
          retry_policy: { max_attempts: 2 },
        },
      },
      secrets,
      (value) => masker.add(value),
    );
    if (task.type !== "webhook") throw new Error("expected a webhook task");
    const result = await executor.run(task.webhook, context());

    expect(result.status).toBe("success");
    const request = receiver.requests[1]!;
    expect(request.url).toBe(`/hook?key=${key}`);
    expect(request.headers.authorization).toBe(`Bearer ${token}`);
    expect(request.body.toString()).toBe(`{"token": "${token}", "literal": "\${TOKEN}"}`);
    expect(logText()).not.toContain(token);
    expect(logText()).not.toContain(key);
    expect(logText()).toContain("/hook?key=***");
    expect(logText()).toContain("echo ***");
  });
});

describe("WebhookExecutor with secrets in awkward places", () => {
  function resolved(spec: WebhookSpec, values: Record<string, string>): WebhookSpec {
    const task = resolveTaskSecrets(
      { type: "webhook", webhook: spec },
      secretSource(values),
      (value) => masker.add(value),
    );
    if (task.type !== "webhook") throw new Error("expected a webhook task");
    return task.webhook;
  }

  it("masks a secret with a backslash in the invalid-URL reason", async () => {
    const spec = resolved(
      { url: "http://fakeuser:${PASS}@127.0.0.1:1/ui", method: "GET" },
      { PASS: "fake\\back-pass" },
    );
    const result = await executor.run(spec, context());
    const reason = masker.mask(result.reason ?? "");
    expect(reason).toContain("is not a valid URL");
    expect(reason).not.toContain("back-pass");
  });

  it("leaves a secret fragment used as host out of a DNS error", async () => {
    // A lookup that fails as getaddrinfo does, so no query leaves the machine.
    const lookup = (hostname: string, _options: unknown, callback: (error: Error) => void) => {
      const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
        code: "ENOTFOUND",
        hostname,
      });
      process.nextTick(() => callback(error));
    };
    const dispatcher = new Agent({ connect: { lookup: lookup as never } });
    const dns = new WebhookExecutor({ dispatcher });
    try {
      const spec = resolved(
        { url: "http://${PASS}:18081/h", method: "GET" },
        { PASS: 'fake"quote\\back' },
      );
      const result = await dns.run(spec, context());
      expect(result.status).toBe("failed");
      expect(result.reason).toContain("ENOTFOUND");
      expect(masker.mask(result.reason ?? "")).not.toContain("quote");
      expect(logText()).not.toContain("quote");
    } finally {
      await dispatcher.close();
    }
  });
});

describe("maskUrlPassword", () => {
  it.each([
    ["http://u:pw@h/x", "http://u:***@h/x"],
    ["http://u:p@w@h/x?a=b:c@d", "http://u:***@h/x?a=b:c@d"],
    ["http://u:${PASS}@h/", "http://u:${PASS}@h/"],
    ["http://u@h/", "http://u@h/"],
    ["http://h:80/a:b@c", "http://h:80/a:b@c"],
    ["not a url", "not a url"],
  ])("shows %s as %s", (input, output) => {
    expect(maskUrlPassword(input)).toBe(output);
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");

  it("reads delay seconds", () => {
    expect(parseRetryAfter("120", now)).toBe(120_000);
  });

  it("reads an HTTP-date", () => {
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:05 GMT", now)).toBe(5_000);
  });

  it("turns a past date into no wait", () => {
    expect(parseRetryAfter("Wed, 31 Dec 2025 23:00:00 GMT", now)).toBe(0);
  });

  it("ignores an unreadable value", () => {
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it.each(["1.5", "-5", "+3"])("ignores the number %s", (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
