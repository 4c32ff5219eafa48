import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { backends, openTestStore, type TestStore } from "../../test/support/databases.js";
import { loadSecretKey, SecretStore } from "./secrets.js";
import { parseRetention } from "./service.js";

describe("loadSecretKey", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "pogo-key-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("creates a key file readable by its owner only", async () => {
    const file = join(dir, "data", "secret.key");
    const key = await loadSecretKey(file);
    expect(key.length).toBe(32);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await loadSecretKey(file)).toEqual(key);
  });

  it("prefers the environment key", async () => {
    const encoded = Buffer.alloc(32, 7).toString("base64");
    expect(await loadSecretKey(join(dir, "unused.key"), encoded)).toEqual(Buffer.alloc(32, 7));
  });

  it("rejects a malformed environment key", async () => {
    await expect(loadSecretKey(join(dir, "k"), "c2hvcnQ=")).rejects.toMatchObject({
      code: "SECRET_KEY_INVALID",
    });
  });

  it("rejects a truncated key file", async () => {
    await writeFile(join(dir, "short.key"), Buffer.alloc(5));
    await expect(loadSecretKey(join(dir, "short.key"))).rejects.toMatchObject({
      code: "SECRET_KEY_INVALID",
    });
  });
});

describe.each(backends)("SecretStore on $name", (backend) => {
  if (backend.skip) {
    it.skip("needs POGO_TEST_DATABASE_URL", () => {});
    return;
  }
  let opened: TestStore;
  let repositoryId: number;
  beforeEach(async () => {
    opened = await openTestStore(backend);
    const user = await opened.store.createUser("ada");
    repositoryId = (await opened.store.createRepository("app", user, false)).id;
  });
  afterEach(async () => {
    await opened.close();
  });

  it("round-trips values and rejects another key", async () => {
    const secrets = new SecretStore(opened.store.db, Buffer.alloc(32, 1));
    expect(await secrets.set(repositoryId, "API_KEY", "value one", null)).toEqual({
      created: true,
    });
    expect(await secrets.set(repositoryId, "API_KEY", "value two ✓", null)).toEqual({
      created: false,
    });
    expect(await secrets.get(repositoryId, "API_KEY")).toBe("value two ✓");
    expect([...(await secrets.getAll(repositoryId)).entries()]).toEqual([
      ["API_KEY", "value two ✓"],
    ]);
    const other = new SecretStore(opened.store.db, Buffer.alloc(32, 2));
    await expect(other.get(repositoryId, "API_KEY")).rejects.toMatchObject({
      code: "SECRET_KEY_INVALID",
    });
  });

  it("rejects an empty value", async () => {
    const secrets = new SecretStore(opened.store.db, Buffer.alloc(32, 1));
    await expect(secrets.set(repositoryId, "API_KEY", "", null)).rejects.toMatchObject({
      code: "INVALID_SECRET_VALUE",
      status: 400,
    });
    expect(await secrets.list(repositoryId)).toEqual([]);
  });

  it("rejects names that ${NAME} cannot reach", async () => {
    const secrets = new SecretStore(opened.store.db, Buffer.alloc(32, 1));
    for (const name of ["1ABC", "A-B", "", "A B"]) {
      await expect(secrets.set(repositoryId, name, "v", null), name).rejects.toMatchObject({
        code: "INVALID_SECRET_NAME",
      });
    }
  });
});

describe("parseRetention", () => {
  it("reads days and durations", () => {
    expect(parseRetention("30")).toBe(30 * 86_400_000);
    expect(parseRetention("7d")).toBe(7 * 86_400_000);
    expect(parseRetention("36h")).toBe(36 * 3_600_000);
    expect(() => parseRetention("soon")).toThrow("invalid --ci-retention");
    expect(() => parseRetention("-1h")).toThrow("invalid --ci-retention");
    expect(() => parseRetention("0")).toThrow("invalid --ci-retention");
  });
});
