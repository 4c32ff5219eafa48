/**
 * Writes schema/schema.json and schema/schema.xsd from the schema defined
 * in src/config/schema.ts. Run `npm run schema` after changing it; a test
 * fails while the committed files are stale.
 */
import { writeFileSync } from "node:fs";
import { jsonSchemaText, xsdText } from "../src/config/schema-files.js";

const folder = new URL("../schema/", import.meta.url);
writeFileSync(new URL("schema.json", folder), jsonSchemaText());
writeFileSync(new URL("schema.xsd", folder), xsdText());
process.stdout.write("wrote schema/schema.json and schema/schema.xsd\n");
