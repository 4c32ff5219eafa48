import { describe, expect, it } from "vitest";
import { checkCsrf, readCookie, SessionStore, sessionCookie } from "./sessions.js";

describe("SessionStore", () => {
  it("creates and finds a session", () => {
    const store = new SessionStore();
    const session = store.create(1, 2, null);
    expect(store.get(session.id)).toEqual(session);
    expect(session.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("expires sessions", () => {
    let now = 1000;
    const store = new SessionStore({ ttlMs: 500, now: () => now });
    const session = store.create(1, 2, null);
    now = 1499;
    expect(store.get(session.id)).toBeDefined();
    now = 1500;
    expect(store.get(session.id)).toBeUndefined();
  });

  it("never outlives the token", () => {
    const now = 1000;
    const store = new SessionStore({ ttlMs: 10_000, now: () => now });
    expect(store.create(1, 2, 3000).expiresAt).toBe(3000);
  });

  it("drops the oldest past the limit", () => {
    const store = new SessionStore({ maxSessions: 2 });
    const first = store.create(1, 1, null);
    store.create(1, 2, null);
    store.create(1, 3, null);
    expect(store.size).toBe(2);
    expect(store.get(first.id)).toBeUndefined();
  });

  it("deletes on sign-out", () => {
    const store = new SessionStore();
    const session = store.create(1, 2, null);
    store.delete(session.id);
    expect(store.get(session.id)).toBeUndefined();
  });
});

describe("checkCsrf", () => {
  it("accepts only the session's token", () => {
    const session = new SessionStore().create(1, 2, null);
    expect(checkCsrf(session, session.csrfToken)).toBe(true);
    expect(checkCsrf(session, `${session.csrfToken}x`)).toBe(false);
    expect(checkCsrf(session, undefined)).toBe(false);
  });
});

describe("cookies", () => {
  it("reads one cookie among several", () => {
    expect(readCookie("a=1; pogo_session=abc; b=2", "pogo_session")).toBe("abc");
    expect(readCookie("a=1", "pogo_session")).toBeUndefined();
    expect(readCookie(undefined, "pogo_session")).toBeUndefined();
  });

  it("sets HttpOnly, SameSite and Secure", () => {
    expect(sessionCookie("v", 60, false)).toBe(
      "pogo_session=v; Path=/; Max-Age=60; HttpOnly; SameSite=Lax",
    );
    expect(sessionCookie("v", 60, true)).toContain("; Secure");
  });
});
