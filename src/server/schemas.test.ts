import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends, openTestStore, type TestStore } from "../../test/support/databases.js";
import { buildApp } from "./app.js";

const committedSchemas = new URL("../../schema/", import.meta.url).pathname;

describe("schema routes", () => {
  let opened: TestStore;
  let schemaDir: string;

  beforeAll(async () => {
    opened = await openTestStore(backends[0]!);
    schemaDir = await mkdtemp(join(tmpdir(), "pogo-schemas-"));
  });

  afterAll(async () => {
    await opened.close();
    await rm(schemaDir, { recursive: true, force: true });
  });

  const inject = async (dir: string, file: string) => {
    const app = await buildApp({
      store: opened.store,
      publicUrl: "http://127.0.0.1",
      logger: false,
      schemaDir: dir,
    });
    try {
      return await app.inject({ method: "GET", url: `/schemas/ci/${file}` });
    } finally {
      await app.close();
    }
  };

  it("answers 404 with a reason when a schema is missing", async () => {
    const response = await inject(schemaDir, "schema.json");
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ error: { code: "SCHEMA_NOT_FOUND" } });
    expect(response.json().error.message).toContain("schema.json");
  });

  it("serves both schemas with their content types", async () => {
    await writeFile(join(schemaDir, "schema.json"), '{"$schema":"x"}');
    await writeFile(join(schemaDir, "schema.xsd"), "<xs:schema/>");
    const json = await inject(schemaDir, "schema.json");
    expect(json.statusCode).toBe(200);
    expect(json.headers["content-type"]).toBe("application/schema+json; charset=utf-8");
    expect(json.body).toBe('{"$schema":"x"}');
    const xsd = await inject(schemaDir, "schema.xsd");
    expect(xsd.headers["content-type"]).toBe("application/xml; charset=utf-8");
    expect(xsd.body).toBe("<xs:schema/>");
  });

  it.runIf(
    existsSync(join(committedSchemas, "schema.json")) &&
      existsSync(join(committedSchemas, "schema.xsd")),
  )("serves the committed schemas by default", async () => {
    const app = await buildApp({
      store: opened.store,
      publicUrl: "http://127.0.0.1",
      logger: false,
    });
    try {
      const json = await app.inject({ method: "GET", url: "/schemas/ci/schema.json" });
      expect(json.statusCode).toBe(200);
      expect(json.body).toBe(await readFile(join(committedSchemas, "schema.json"), "utf8"));
      expect(() => JSON.parse(json.body)).not.toThrow();
      const xsd = await app.inject({ method: "GET", url: "/schemas/ci/schema.xsd" });
      expect(xsd.statusCode).toBe(200);
      expect(xsd.body).toContain("schema");
    } finally {
      await app.close();
    }
  });
});
