import { DYNAMIC_XSD_ALTERNATIVE, FORMAT_PATTERNS } from "./format-patterns.js";
import type { ObjectSchema, Schema, TextSchema } from "./schema-model.js";

/**
 * Prints the config schema as an XML Schema for the XML form of a config:
 * each key is an element, list items are `<item>` elements and free-form
 * mappings (headers, environment) are `<entry name="KEY">value</entry>`.
 */
export function toXsd(root: ObjectSchema): string {
  const types: string[] = [];
  const seen = new Set<string>();
  const rootType = typeFor(root, "pipeline", types, seen);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified">',
    `  <xs:element name="pipeline" type="${rootType}">`,
    documentation(root.description, "    "),
    "  </xs:element>",
    ...types,
    "</xs:schema>",
    "",
  ].join("\n");
}

/** Declares a named type for a schema node (once) and returns its name. */
function typeFor(schema: Schema, hint: string, types: string[], seen: Set<string>): string {
  const name = `${schema.kind === "object" || schema.kind === "task" ? schema.name : hint}Type`;
  if (seen.has(name)) return name;
  seen.add(name);
  const body: string[] = [];
  switch (schema.kind) {
    case "text":
      body.push(
        `  <xs:simpleType name="${name}">`,
        documentation(schema.description, "    "),
        ...textRestriction(schema),
        "  </xs:simpleType>",
      );
      break;
    case "integer": {
      body.push(
        `  <xs:simpleType name="${name}">`,
        documentation(schema.description, "    "),
        '    <xs:restriction base="xs:integer">',
      );
      const minimum = schema.const ?? schema.minimum;
      const maximum = schema.const ?? schema.maximum;
      if (minimum !== undefined) body.push(`      <xs:minInclusive value="${minimum}"/>`);
      if (maximum !== undefined) body.push(`      <xs:maxInclusive value="${maximum}"/>`);
      body.push("    </xs:restriction>", "  </xs:simpleType>");
      break;
    }
    case "list": {
      const itemType = typeFor(schema.items, `${hint}Item`, types, seen);
      body.push(
        `  <xs:complexType name="${name}">`,
        documentation(schema.description, "    "),
        "    <xs:sequence>",
        `      <xs:element name="item" type="${itemType}" minOccurs="${schema.minItems ?? 0}" maxOccurs="unbounded"/>`,
        "    </xs:sequence>",
        "  </xs:complexType>",
      );
      break;
    }
    case "object": {
      body.push(
        `  <xs:complexType name="${name}">`,
        documentation(schema.description, "    "),
        "    <xs:all>",
      );
      for (const [key, property] of Object.entries(schema.properties)) {
        const child = typeFor(property.schema, `${schema.name}${capitalize(key)}`, types, seen);
        body.push(
          `      <xs:element name="${key}" type="${child}" minOccurs="${property.required ? 1 : 0}"/>`,
        );
      }
      body.push("    </xs:all>", "  </xs:complexType>");
      break;
    }
    case "map": {
      const valueType = typeFor(schema.values, `${hint}Value`, types, seen);
      body.push(
        `  <xs:complexType name="${name}">`,
        documentation(schema.description, "    "),
        "    <xs:sequence>",
        '      <xs:element name="entry" minOccurs="0" maxOccurs="unbounded">',
        "        <xs:complexType>",
        "          <xs:simpleContent>",
        `            <xs:extension base="${valueType}">`,
        '              <xs:attribute name="name" use="required">',
        "                <xs:simpleType>",
        '                  <xs:restriction base="xs:string">',
        `                    <xs:pattern value="${escapeAttribute(toXsdPattern(schema.keyPattern))}"/>`,
        "                  </xs:restriction>",
        "                </xs:simpleType>",
        "              </xs:attribute>",
        "            </xs:extension>",
        "          </xs:simpleContent>",
        "        </xs:complexType>",
        "      </xs:element>",
        "    </xs:sequence>",
        "  </xs:complexType>",
      );
      break;
    }
    case "task": {
      const variants = Object.keys(schema.variants);
      const tagType = `${schema.name}${capitalize(schema.tag)}Type`;
      body.push(
        `  <xs:complexType name="${name}">`,
        documentation(schema.description, "    "),
        "    <xs:sequence>",
        `      <xs:element name="${schema.tag}" type="${tagType}" minOccurs="0"/>`,
        "      <xs:choice>",
      );
      for (const variant of variants) {
        const variantType = typeFor(schema.variants[variant]!, variant, types, seen);
        body.push(`        <xs:element name="${variant}" type="${variantType}"/>`);
      }
      body.push("      </xs:choice>", "    </xs:sequence>", "  </xs:complexType>");
      types.push(
        `  <xs:simpleType name="${tagType}">`,
        '    <xs:restriction base="xs:string">',
        ...variants.map((variant) => `      <xs:enumeration value="${variant}"/>`),
        "    </xs:restriction>",
        "  </xs:simpleType>",
      );
      break;
    }
  }
  types.push(...body);
  return name;
}

function textRestriction(schema: TextSchema): string[] {
  const lines = ['    <xs:restriction base="xs:string">'];
  for (const value of schema.enum ?? [])
    lines.push(`      <xs:enumeration value="${escapeAttribute(value)}"/>`);
  const templates = schema.templates !== false;
  let pattern: string | undefined;
  if (schema.pattern)
    pattern = toXsdPattern(schema.pattern) + (templates ? DYNAMIC_XSD_ALTERNATIVE : "");
  if (schema.format) pattern = FORMAT_PATTERNS[schema.format].xsd ?? pattern;
  if (schema.format === "bookmark-pattern") lines.push('      <xs:minLength value="1"/>');
  if (pattern) lines.push(`      <xs:pattern value="${escapeAttribute(pattern)}"/>`);
  lines.push("    </xs:restriction>");
  return lines;
}

/** XSD patterns are anchored implicitly and have no `^` or `$`. */
function toXsdPattern(pattern: string): string {
  return pattern
    .replace(/^\^/, "")
    .replace(/\$$/, "")
    .replace(/(?<=\[[^\]]*)-(?=\])/g, "\\-");
}

function documentation(text: string, indent: string): string {
  return `${indent}<xs:annotation><xs:documentation>${escapeText(text)}</xs:documentation></xs:annotation>`;
}

function capitalize(text: string): string {
  return text
    .split("_")
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");
}

function escapeText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function escapeAttribute(text: string): string {
  return escapeText(text).replace(/"/g, "&quot;");
}
