import { randomBytes, timingSafeEqual } from "node:crypto";

/** SESSION_COOKIE is the name of the cookie holding a web session id. */
export const SESSION_COOKIE = "pogo_session";

/** Session is one signed-in browser: who it acts as and the token it signed in with. */
export interface Session {
  id: string;
  userId: number;
  /** The user token given at sign-in; revoking it ends the session. */
  tokenId: number;
  /** Token that POST forms must carry. */
  csrfToken: string;
  expiresAt: number;
}

export interface SessionStoreOptions {
  /** How long a session lasts after sign-in, in milliseconds (default 12 hours). */
  ttlMs?: number;
  /** Most sessions kept at once; the oldest is dropped past it (default 10,000). */
  maxSessions?: number;
  now?: () => number;
}

/**
 * SessionStore keeps web sessions in the server's memory, keyed by a random
 * 256-bit id. The cookie contains only that id, so the API token given at
 * sign-in never leaves the server. Sessions end at sign-out, at expiry, or
 * when the process stops.
 *
 * NOTE: sessions do not survive a restart and are not shared between two
 * servers on one database. A sessions table in the store would fix both.
 */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private readonly ttlMs: number;
  private readonly maxSessions: number;
  private readonly now: () => number;

  constructor(options: SessionStoreOptions = {}) {
    this.ttlMs = options.ttlMs ?? 12 * 60 * 60 * 1000;
    this.maxSessions = options.maxSessions ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** Starts a session; it never outlives the token it was made from. */
  create(userId: number, tokenId: number, tokenExpiresAt: number | null): Session {
    this.prune();
    const expiresAt = Math.min(this.now() + this.ttlMs, tokenExpiresAt ?? Number.POSITIVE_INFINITY);
    const session: Session = {
      id: randomBytes(32).toString("base64url"),
      userId,
      tokenId,
      csrfToken: randomBytes(24).toString("base64url"),
      expiresAt,
    };
    this.sessions.set(session.id, session);
    return session;
  }

  /** Returns the live session with this id, or undefined (unknown, malformed or expired). */
  get(id: string): Session | undefined {
    const session = this.sessions.get(id);
    if (!session) return undefined;
    if (session.expiresAt <= this.now()) {
      this.sessions.delete(id);
      return undefined;
    }
    return session;
  }

  delete(id: string): void {
    this.sessions.delete(id);
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Seconds until `session` expires, for the cookie's Max-Age. */
  maxAgeSeconds(session: Session): number {
    return Math.max(0, Math.floor((session.expiresAt - this.now()) / 1000));
  }

  private prune(): void {
    const now = this.now();
    for (const [id, session] of this.sessions) {
      if (session.expiresAt <= now) this.sessions.delete(id);
    }
    // Map keeps insertion order, so the first entries are the oldest.
    while (this.sessions.size >= this.maxSessions) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.sessions.delete(oldest);
    }
  }
}

/** Returns true when `given` equals the session's CSRF token, compared in constant time. */
export function checkCsrf(session: Session, given: unknown): boolean {
  if (typeof given !== "string") return false;
  const expected = Buffer.from(session.csrfToken);
  const actual = Buffer.from(given);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** Returns the value of cookie `name` from a Cookie header, or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const separator = part.indexOf("=");
    if (separator < 0) continue;
    if (part.slice(0, separator).trim() === name) return part.slice(separator + 1).trim();
  }
  return undefined;
}

/** Builds the Set-Cookie value for a session id; `maxAge` 0 deletes the cookie. */
export function sessionCookie(value: string, maxAge: number, secure: boolean): string {
  const parts = [
    `${SESSION_COOKIE}=${value}`,
    "Path=/",
    `Max-Age=${maxAge}`,
    "HttpOnly",
    "SameSite=Lax",
  ];
  if (secure) parts.push("Secure");
  return parts.join("; ");
}
