import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { notFound } from "../store/errors.js";
import type { AppContext } from "./app.js";

const SCHEMAS = [
  { file: "schema.json", contentType: "application/schema+json" },
  { file: "schema.xsd", contentType: "application/xml" },
];

/** Serves the committed CI config schemas at `/schemas/ci/schema.json` and `.xsd`. */
export function registerSchemaRoutes(app: FastifyInstance, { schemaDir }: AppContext): void {
  for (const schema of SCHEMAS) {
    app.get(`/schemas/ci/${schema.file}`, async (_request, reply) => {
      let content: Buffer;
      try {
        content = await readFile(join(schemaDir, schema.file));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
        throw notFound(
          "SCHEMA_NOT_FOUND",
          `this server was built without ${schema.file}; it is generated into schema/ by the config module`,
        );
      }
      return reply.header("content-type", `${schema.contentType}; charset=utf-8`).send(content);
    });
  }
}
