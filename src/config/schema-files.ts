import { toJsonSchema } from "./json-schema.js";
import { pipelineSchema } from "./schema.js";
import { toXsd } from "./xsd.js";

/** Returns `schema.json` as committed and served at `/schemas/ci/schema.json`. */
export function jsonSchemaText(): string {
  return `${JSON.stringify(toJsonSchema(pipelineSchema), null, 2)}\n`;
}

/** Returns `schema.xsd` as committed and served at `/schemas/ci/schema.xsd`. */
export function xsdText(): string {
  return toXsd(pipelineSchema);
}
