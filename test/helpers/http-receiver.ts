import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** ReceivedRequest is one request as the receiver saw it, body bytes included. */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: Buffer;
  time: number;
}

/** Reply decides the answer to one request; returning "hang" never answers. */
export type Reply =
  | { status: number; headers?: Record<string, string>; body?: string }
  | "hang"
  | ((request: ReceivedRequest) => {
      status: number;
      headers?: Record<string, string>;
      body?: string;
    });

/**
 * HttpReceiver is a real HTTP server on 127.0.0.1 that records every request
 * and answers from a script of replies, then with the fallback reply.
 */
export class HttpReceiver {
  readonly requests: ReceivedRequest[] = [];
  private readonly script: Reply[] = [];
  private fallback: Reply = { status: 200, body: "ok" };
  private readonly hanging = new Set<ServerResponse>();
  private closedConnections = 0;
  private server?: Server;

  /** Queues replies for the next requests, in order. */
  reply(...replies: Reply[]): this {
    this.script.push(...replies);
    return this;
  }

  /** Sets the reply used once the script is exhausted. */
  replyAlways(reply: Reply): this {
    this.fallback = reply;
    return this;
  }

  get url(): string {
    const address = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${address.port}`;
  }

  /** Number of requests whose client went away before an answer was sent. */
  get abandoned(): number {
    return this.closedConnections;
  }

  async start(): Promise<this> {
    this.server = createServer((request, response) => this.handle(request, response));
    this.server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return this;
  }

  async close(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const received: ReceivedRequest = {
        method: request.method ?? "",
        url: request.url ?? "",
        headers: request.headers,
        body: Buffer.concat(chunks),
        time: Date.now(),
      };
      this.requests.push(received);
      const reply = this.script.shift() ?? this.fallback;
      if (reply === "hang") {
        this.hanging.add(response);
        response.on("close", () => {
          if (!response.writableEnded) this.closedConnections++;
          this.hanging.delete(response);
        });
        return;
      }
      const answer = typeof reply === "function" ? reply(received) : reply;
      response.writeHead(answer.status, answer.headers);
      response.end(answer.body ?? "");
    });
  }
}

/** Returns a loopback port that nothing listens on, by opening and closing a server. */
export async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
