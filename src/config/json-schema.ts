import { DYNAMIC_JSON_ALTERNATIVE, FORMAT_PATTERNS } from "./format-patterns.js";
import type { ObjectSchema, Schema, TextSchema } from "./schema-model.js";

type JsonSchema = Record<string, unknown>;

/** Prints the config schema as JSON Schema draft-07, the draft editors' YAML plugins support best. */
export function toJsonSchema(root: ObjectSchema): JsonSchema {
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    title: "Pogo CI pipeline",
    ...convert(root),
  };
}

function convert(schema: Schema): JsonSchema {
  switch (schema.kind) {
    case "text":
      return text(schema);
    case "integer": {
      const result: JsonSchema = { description: schema.description, type: "integer" };
      if (schema.const !== undefined) result.const = schema.const;
      if (schema.minimum !== undefined) result.minimum = schema.minimum;
      if (schema.maximum !== undefined) result.maximum = schema.maximum;
      return result;
    }
    case "list": {
      const result: JsonSchema = {
        description: schema.description,
        type: "array",
        items: convert(schema.items),
      };
      if (schema.minItems !== undefined) result.minItems = schema.minItems;
      return result;
    }
    case "object": {
      const result: JsonSchema = {
        description: schema.description,
        type: "object",
        properties: Object.fromEntries(
          Object.entries(schema.properties).map(([name, property]) => [
            name,
            convert(property.schema),
          ]),
        ),
        additionalProperties: false,
      };
      const required = Object.entries(schema.properties)
        .filter(([, property]) => property.required)
        .map(([name]) => name);
      if (required.length > 0) result.required = required;
      if (schema.minProperties !== undefined) result.minProperties = schema.minProperties;
      return result;
    }
    case "map":
      return {
        description: schema.description,
        type: "object",
        propertyNames: { pattern: schema.keyPattern },
        additionalProperties: convert(schema.values),
      };
    case "task": {
      // One alternative per body; `type`, when present, must name that body.
      const variants = Object.entries(schema.variants).map(([name, body]) => ({
        properties: {
          [schema.tag]: {
            const: name,
            description: `The task kind; \`${name}\` for a \`${name}:\` body.`,
          },
          [name]: convert(body),
        },
        required: [name],
        additionalProperties: false,
      }));
      return { description: schema.description, type: "object", oneOf: variants };
    }
  }
}

function text(schema: TextSchema): JsonSchema {
  const constrained = schema.stringsOnly || schema.enum !== undefined;
  const result: JsonSchema = {
    description: schema.description,
    type: constrained ? "string" : ["string", "number", "boolean"],
  };
  if (schema.enum) result.enum = [...schema.enum];
  const templates = schema.templates !== false;
  if (schema.pattern) {
    result.pattern = templates ? schema.pattern + DYNAMIC_JSON_ALTERNATIVE : schema.pattern;
  }
  const formatPattern = schema.format ? FORMAT_PATTERNS[schema.format].json : undefined;
  if (formatPattern) result.pattern = formatPattern;
  if (schema.format === "bookmark-pattern") result.minLength = 1;
  if (!templates && !schema.enum) result.not = { type: "string", pattern: "\\{\\{" };
  return result;
}
