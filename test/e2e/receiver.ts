import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One request the receiver got. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A webhook receiver on 127.0.0.1 that stores every request and answers
 * 200. Tests wait for the next request with `next()`.
 */
export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  /** Requests no `next()` call has taken yet, oldest first. */
  private readonly pending: ReceivedRequest[] = [];
  private readonly waiters: Array<(request: ReceivedRequest) => void> = [];
  private server: Server | undefined;
  private port = 0;

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const received: ReceivedRequest = {
          method: request.method ?? "",
          path: request.url ?? "",
          headers: request.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        };
        this.requests.push(received);
        response.writeHead(200, { "content-type": "text/plain" }).end("received\n");
        const waiter = this.waiters.shift();
        if (waiter) waiter(received);
        else this.pending.push(received);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** The receiver's base URL, `http://127.0.0.1:PORT`. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Resolves with the next request not yet taken, or rejects after `timeoutMs`. */
  next(timeoutMs = 60_000): Promise<ReceivedRequest> {
    const request = this.pending.shift();
    if (request) return Promise.resolve(request);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(new Error(`no webhook request reached ${this.url} within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = (request: ReceivedRequest) => {
        clearTimeout(timer);
        resolve(request);
      };
      this.waiters.push(waiter);
    });
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }
}
