import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  type LineCounter,
  type Node,
  type Pair,
  type Scalar,
  type YAMLMap,
} from "yaml";
import type { Diagnostic, DiagnosticCode } from "./diagnostic.js";
import { checkFormat, isDynamic } from "./format.js";
import type {
  IntegerSchema,
  ListSchema,
  MapSchema,
  ObjectSchema,
  Schema,
  TaskSchema,
  TextSchema,
} from "./schema-model.js";
import { suggestKey } from "./suggest.js";
import { hasTemplateActions } from "./template-engine.js";
import { ACTION_PLACEHOLDER } from "./whole-file.js";

/** Path of a value inside the config, as keys and list indexes (`["do", 0, "webhook", "url"]`). */
export type ValuePath = ReadonlyArray<string | number>;

/**
 * TemplateSite is a text value holding template actions: where it sits in
 * the config and in the file, so it can be checked, rendered and its errors
 * pointed at the file's own line and column.
 */
export interface TemplateSite {
  path: ValuePath;
  text: string;
  node: Scalar;
  schema: TextSchema;
}

/** Result of walking a document against the schema. */
export interface WalkResult {
  /** The config value; meaningful only when no error was reported. */
  value: unknown;
  templates: TemplateSite[];
  /** The `on` value when that part alone is valid, so a broken file can still be matched. */
  triggers?: unknown;
}

const INVALID = Symbol("invalid");
type Walked = unknown | typeof INVALID;

/** An entry of a mapping after merge keys are applied; `key` is the key's source node. */
interface Entry {
  name: string;
  key: Node;
  value: Node | null;
}

/**
 * Walks a parsed YAML document against the schema, reporting every problem
 * at the key or value the user wrote, and builds the config value.
 */
export class SchemaWalker {
  readonly templates: TemplateSite[] = [];
  private readonly active = new Set<Node>();
  /** Mappings whose entries are being collected, to catch a merge key that includes itself. */
  private readonly merging = new Set<YAMLMap>();

  constructor(
    private readonly file: string,
    private readonly doc: Document.Parsed,
    private readonly lineCounter: LineCounter,
    private readonly diagnostics: Diagnostic[],
  ) {}

  /** Walks the document root, which must be a mapping. */
  walkRoot(schema: ObjectSchema): WalkResult {
    const root = this.doc.contents;
    if (!root || !isMap(root)) {
      const offset = root?.range?.[0] ?? 0;
      this.report(
        offset,
        "WRONG_TYPE",
        `the file must be a mapping with \`version\`, \`on\` and \`do\`, not ${describeNode(root)}`,
      );
      return { value: undefined, templates: this.templates };
    }
    let triggers: unknown;
    const value = this.walkObject(root, schema, [], 0, (name, entry) => {
      if (name !== "on") return undefined;
      const before = this.errorCount();
      const walked = this.walkValue(entry.value, schema.properties.on!.schema, ["on"], entry.key);
      if (this.errorCount() === before && walked !== INVALID) triggers = walked;
      return walked;
    });
    return { value: value === INVALID ? undefined : value, templates: this.templates, triggers };
  }

  private walkValue(
    node: Node | null,
    schema: Schema,
    path: ValuePath,
    owner: Node | number,
  ): Walked {
    const resolved = this.resolve(node);
    if (resolved === INVALID) return INVALID;
    if (resolved && this.active.has(resolved)) {
      this.report(node!, "INVALID_VALUE", `${label(path)} refers to itself through an alias`);
      return INVALID;
    }
    if (resolved) this.active.add(resolved);
    try {
      switch (schema.kind) {
        case "text":
          return this.walkText(resolved, schema, path, owner);
        case "integer":
          return this.walkInteger(resolved, schema, path, owner);
        case "list":
          return this.walkList(resolved, schema, path, owner);
        case "object":
          return this.walkObject(resolved, schema, path, owner);
        case "map":
          return this.walkMap(resolved, schema, path, owner);
        case "task":
          return this.walkTask(resolved, schema, path, owner);
      }
    } finally {
      if (resolved) this.active.delete(resolved);
    }
  }

  private walkObject(
    node: Node | null,
    schema: ObjectSchema,
    path: ValuePath,
    owner: Node | number,
    override?: (name: string, entry: Entry) => Walked | undefined,
  ): Walked {
    if (!this.expectMap(node, objectShape(schema), path, owner)) return INVALID;
    const entries = this.entries(node);
    if (entries === INVALID) return INVALID;

    const allowed = Object.keys(schema.properties);
    const result: Record<string, unknown> = {};
    const suggested = new Set<string>();
    let valid = true;
    for (const entry of entries) {
      const property = schema.properties[entry.name];
      if (!property) {
        const suggestion = this.reportUnknownKey(entry, allowed, path);
        if (suggestion) suggested.add(suggestion);
        valid = false;
        continue;
      }
      const walked =
        override?.(entry.name, entry) ??
        this.walkValue(entry.value, property.schema, [...path, entry.name], entry.key);
      if (walked === INVALID) valid = false;
      else result[entry.name] = walked;
    }

    const present = new Set(entries.map((entry) => entry.name));
    for (const [name, property] of Object.entries(schema.properties)) {
      // The misspelt key's message already names the key that is missing.
      if (property.required && !present.has(name) && !suggested.has(name)) {
        this.report(owner, "MISSING_KEY", missingKeyMessage(path, name));
        valid = false;
      }
    }
    const known = entries.filter((entry) => entry.name in schema.properties).length;
    if (schema.minProperties && known < schema.minProperties && known === entries.length) {
      const names = allowed.map((name) => `\`${name}:\``).join(" or ");
      this.report(owner, "MISSING_KEY", `${label(path)} must name at least one of ${names}`);
      valid = false;
    }
    return valid ? result : INVALID;
  }

  private walkTask(
    node: Node | null,
    schema: TaskSchema,
    path: ValuePath,
    owner: Node | number,
  ): Walked {
    const bodyKeys = Object.keys(schema.variants).map((name) => `\`${name}:\``);
    if (!this.expectMap(node, `with a ${joinChoices(bodyKeys, "or")} body`, path, owner)) {
      return INVALID;
    }
    const entries = this.entries(node);
    if (entries === INVALID) return INVALID;

    const variants = Object.keys(schema.variants);
    const allowed = [schema.tag, ...variants];
    let valid = true;
    let tag: Entry | undefined;
    const bodies: Entry[] = [];
    for (const entry of entries) {
      if (entry.name === schema.tag) tag = entry;
      else if (variants.includes(entry.name)) bodies.push(entry);
      else {
        this.reportUnknownKey(entry, allowed, path, this.misplacedHint(schema, entry.name));
        valid = false;
      }
    }

    const kind = this.taskKind(schema, tag, bodies, path, owner);
    if (kind === INVALID) return INVALID;
    const body = bodies.find((entry) => entry.name === kind)!;
    const walked = this.walkValue(body.value, schema.variants[kind]!, [...path, kind], body.key);
    if (walked === INVALID || !valid) return INVALID;
    return { [schema.tag]: kind, [kind]: walked };
  }

  /** Decides a task's kind from `type` and the body keys, reporting each disagreement where it sits. */
  private taskKind(
    schema: TaskSchema,
    tag: Entry | undefined,
    bodies: Entry[],
    path: ValuePath,
    owner: Node | number,
  ): string | typeof INVALID {
    const variants = Object.keys(schema.variants);
    const bodyList = variants.map((name) => `\`${name}:\``).join(" or ");
    if (tag) {
      const tagSchema: TextSchema = {
        kind: "text",
        description: "task type",
        enum: variants,
        stringsOnly: true,
        templates: false,
      };
      const kind = this.walkValue(tag.value, tagSchema, [...path, schema.tag], tag.key);
      if (kind === INVALID) return INVALID;
      const matching = bodies.find((entry) => entry.name === kind);
      if (!matching) {
        if (bodies.length === 0) {
          this.report(
            owner,
            "MISSING_KEY",
            `${label(path)} has \`type: ${kind}\` but no \`${kind}:\` body`,
          );
        } else {
          const other = bodies[0]!.name;
          this.report(
            tag.value ?? tag.key,
            "TYPE_MISMATCH",
            `\`type: ${kind}\` does not match the \`${other}:\` body of ${label(path)}; change \`type\` to \`${other}\``,
          );
        }
        return INVALID;
      }
      let valid = true;
      for (const extra of bodies) {
        if (extra === matching) continue;
        this.report(
          extra.key,
          "MULTIPLE_BODIES",
          `${label(path)} has \`type: ${kind}\`, so it cannot also have a \`${extra.name}:\` body; move it to a task of its own`,
        );
        valid = false;
      }
      return valid ? (kind as string) : INVALID;
    }

    if (bodies.length === 0) {
      this.report(owner, "MISSING_KEY", `${label(path)} needs a ${bodyList} body`);
      return INVALID;
    }
    if (bodies.length > 1) {
      const [first, second] = bodies as [Entry, Entry];
      this.report(
        second.key,
        "MULTIPLE_BODIES",
        `${label(path)} has both \`${first.name}:\` and \`${second.name}:\`; a task has one body, so split it into two tasks`,
      );
      return INVALID;
    }
    return bodies[0]!.name;
  }

  private misplacedHint(schema: TaskSchema, key: string): string | undefined {
    for (const [name, variant] of Object.entries(schema.variants)) {
      if (key in variant.properties) return `\`${key}\` belongs inside the \`${name}:\` body`;
    }
    return undefined;
  }

  private walkMap(
    node: Node | null,
    schema: MapSchema,
    path: ValuePath,
    owner: Node | number,
  ): Walked {
    if (!this.expectMap(node, "of names to values, such as `NAME: value`", path, owner)) {
      return INVALID;
    }
    const entries = this.entries(node);
    if (entries === INVALID) return INVALID;
    const pattern = new RegExp(schema.keyPattern, "u");
    const result: Record<string, unknown> = {};
    let valid = true;
    for (const entry of entries) {
      if (!pattern.test(entry.name)) {
        this.report(
          entry.key,
          "INVALID_VALUE",
          `invalid key \`${entry.name}\` in ${label(path)}; expected ${schema.keyHint}`,
        );
        valid = false;
        continue;
      }
      const walked = this.walkValue(entry.value, schema.values, [...path, entry.name], entry.key);
      if (walked === INVALID) valid = false;
      else result[entry.name] = walked;
    }
    return valid ? result : INVALID;
  }

  private walkList(
    node: Node | null,
    schema: ListSchema,
    path: ValuePath,
    owner: Node | number,
  ): Walked {
    if (isEmpty(node)) {
      this.report(owner, "WRONG_TYPE", `${label(path)} has no value; expected a list`);
      return INVALID;
    }
    if (!isSeq(node)) {
      const example = isScalar(node)
        ? `; write \`[${JSON.stringify(scalarSource(node))}]\` for a list of one`
        : "";
      this.report(
        node!,
        "WRONG_TYPE",
        `${label(path)} must be a list, not ${describeNode(node)}${example}`,
      );
      return INVALID;
    }
    if (node.items.length < (schema.minItems ?? 0)) {
      this.report(
        node,
        "INVALID_VALUE",
        `${label(path)} is empty; add at least one ${schema.itemName}`,
      );
      return INVALID;
    }
    const result: unknown[] = [];
    let valid = true;
    node.items.forEach((item, index) => {
      const itemNode = (item as Node | null) ?? null;
      const walked = this.walkValue(itemNode, schema.items, [...path, index], itemNode ?? node);
      if (walked === INVALID) valid = false;
      else result.push(walked);
    });
    if (schema.uniqueKey && !this.checkUnique(node.items as Node[], schema, path)) valid = false;
    return valid ? result : INVALID;
  }

  /** Reports list items whose `key` repeats an earlier item's, at the repeated value. */
  private checkUnique(items: Node[], schema: ListSchema, path: ValuePath): boolean {
    const key = schema.uniqueKey!;
    const valueLabel = schema.uniqueLabel ?? key;
    const seen = new Map<string, number>();
    let unique = true;
    for (const item of items) {
      const map = this.resolveOrNull(item);
      if (!isMap(map)) continue;
      const entries = this.entries(map, false);
      if (entries === INVALID) continue;
      const entry = entries.find((candidate) => candidate.name === key);
      const valueNode = this.resolveOrNull(entry?.value ?? null);
      if (!entry || !isScalar(valueNode) || valueNode.value === null) continue;
      const value = scalarSource(valueNode);
      const first = seen.get(value);
      if (first === undefined) {
        seen.set(value, this.lineOf(valueNode));
        continue;
      }
      this.report(
        valueNode,
        "DUPLICATE_SERVICE",
        `duplicate ${valueLabel} \`${value}\` in ${label(path)} (first used on line ${first}); each ${valueLabel} must be unique`,
      );
      unique = false;
    }
    return unique;
  }

  private walkText(
    node: Node | null,
    schema: TextSchema,
    path: ValuePath,
    owner: Node | number,
  ): Walked {
    if (isEmpty(node)) {
      const hint = schema.enum
        ? `; expected one of ${schema.enum.join(", ")}`
        : '; write "" for an empty value';
      this.report(owner, "WRONG_TYPE", `${label(path)} has no value${hint}`);
      return INVALID;
    }
    if (!isScalar(node)) {
      // YAML reads an unquoted `echo a: b` as a mapping, which few people
      // expect, so the message tells how to keep it text.
      const hint = isMap(node) ? "; quote the whole value if it contains `: `" : "";
      this.report(
        node!,
        "WRONG_TYPE",
        `${label(path)} must be text, not ${describeNode(node)}${hint}`,
      );
      return INVALID;
    }
    const raw = node.value;
    if (typeof raw !== "string" && schema.stringsOnly) {
      this.report(node, "WRONG_TYPE", `${label(path)} must be text, not ${describeNode(node)}`);
      return INVALID;
    }
    const text = typeof raw === "string" ? raw : scalarSource(node);

    const placeholder = text.search(ACTION_PLACEHOLDER) >= 0;
    if (hasTemplateActions(text) || placeholder) {
      if (schema.templates === false) {
        this.report(
          node,
          "INVALID_VALUE",
          `${label(path)} cannot hold a template; write the value itself`,
        );
        return INVALID;
      }
      if (!placeholder) this.templates.push({ path, text, node, schema });
    }

    if (schema.enum && !schema.enum.includes(text)) {
      this.report(node, "INVALID_VALUE", enumMessage(path, text, schema.enum));
      return INVALID;
    }
    if (schema.pattern && !isDynamic(text) && !new RegExp(schema.pattern, "u").test(text)) {
      this.report(
        node,
        "INVALID_VALUE",
        `${label(path)} \`${text}\` is invalid; expected ${schema.patternHint ?? `text matching ${schema.pattern}`}`,
      );
      return INVALID;
    }
    if (schema.format) {
      const problem = checkFormat(schema.format, text, label(path));
      if (problem) {
        this.report(node, problem.code, problem.message);
        return INVALID;
      }
    }
    return text;
  }

  private walkInteger(
    node: Node | null,
    schema: IntegerSchema,
    path: ValuePath,
    owner: Node | number,
  ): Walked {
    const expected = integerExpectation(schema);
    if (isEmpty(node)) {
      this.report(owner, "WRONG_TYPE", `${label(path)} has no value; expected ${expected}`);
      return INVALID;
    }
    if (!isScalar(node) || typeof node.value !== "number") {
      let hint = "";
      if (
        isScalar(node) &&
        typeof node.value === "string" &&
        /^\s*[-+]?\d+(\.\d+)?\s*$/.test(node.value)
      ) {
        hint = `; remove the quotes: \`${String(path.at(-1))}: ${node.value.trim()}\``;
      }
      this.report(
        node!,
        "WRONG_TYPE",
        `${label(path)} must be a number, not ${describeNode(node)}${hint}`,
      );
      return INVALID;
    }
    const value = node.value;
    const written = scalarSource(node);
    if (!Number.isInteger(value)) {
      this.report(node, "INVALID_VALUE", `${label(path)} must be a whole number, not ${written}`);
      return INVALID;
    }
    if (schema.const !== undefined && value !== schema.const) {
      this.report(
        node,
        "INVALID_VALUE",
        `unsupported ${label(path)} ${written}; the only supported version is ${schema.const}`,
      );
      return INVALID;
    }
    if (
      (schema.minimum !== undefined && value < schema.minimum) ||
      (schema.maximum !== undefined && value > schema.maximum)
    ) {
      this.report(node, "INVALID_VALUE", `${label(path)} must be ${expected}, not ${written}`);
      return INVALID;
    }
    return value;
  }

  /** Reports an empty or non-mapping value; `shape` completes "expected a mapping ...". */
  private expectMap(
    node: Node | null,
    shape: string,
    path: ValuePath,
    owner: Node | number,
  ): node is YAMLMap {
    if (isEmpty(node)) {
      this.report(owner, "WRONG_TYPE", `${label(path)} has no value; expected a mapping ${shape}`);
      return false;
    }
    if (!isMap(node)) {
      this.report(
        node!,
        "WRONG_TYPE",
        `${label(path)} must be a mapping, not ${describeNode(node)}`,
      );
      return false;
    }
    return true;
  }

  /**
   * Lists a mapping's entries with merge keys (`<<: *base`) applied: keys
   * written out win over merged ones, and earlier merge sources win over
   * later ones. Reports duplicate keys at their second occurrence.
   */
  private entries(map: YAMLMap, report = true): Entry[] | typeof INVALID {
    this.merging.add(map);
    try {
      return this.collectEntries(map, report);
    } finally {
      this.merging.delete(map);
    }
  }

  private collectEntries(map: YAMLMap, report: boolean): Entry[] | typeof INVALID {
    const own: Entry[] = [];
    const merged: Entry[] = [];
    const firstSeen = new Map<string, Node>();
    let valid = true;
    for (const pair of map.items as Pair<Node | null, Node | null>[]) {
      const key = pair.key;
      if (isMergeKey(key)) {
        const sources = this.mergeSources(pair.value, report);
        if (sources === INVALID) valid = false;
        else for (const source of sources) merged.push(...source);
        continue;
      }
      if (!isScalar(key) || key.value === null || typeof key.value === "object") {
        if (report)
          this.report(
            key ?? map,
            "WRONG_TYPE",
            `keys must be plain text, not ${describeNode(key)}`,
          );
        valid = false;
        continue;
      }
      const name = scalarSource(key);
      const earlier = firstSeen.get(name);
      if (earlier) {
        if (report) {
          this.report(
            key,
            "DUPLICATE_KEY",
            `duplicate key \`${name}\`; it is already set on line ${this.lineOf(earlier)}`,
          );
        }
        valid = false;
        continue;
      }
      firstSeen.set(name, key);
      own.push({ name, key, value: pair.value ?? null });
    }
    if (!valid) return INVALID;
    const result = [...own];
    for (const entry of merged) {
      if (!firstSeen.has(entry.name)) {
        firstSeen.set(entry.name, entry.key);
        result.push(entry);
      }
    }
    return result;
  }

  private mergeSources(value: Node | null, report: boolean): Entry[][] | typeof INVALID {
    const nodes = isSeq(value) ? (value.items as Node[]) : [value];
    const sources: Entry[][] = [];
    for (const node of nodes) {
      const target = this.resolve(node, report);
      if (target === INVALID) return INVALID;
      if (!isMap(target)) {
        if (report)
          this.report(
            node ?? 0,
            "WRONG_TYPE",
            `a merge key \`<<\` takes a mapping or an alias of one, not ${describeNode(target)}`,
          );
        return INVALID;
      }
      if (this.merging.has(target)) {
        if (report) {
          this.report(
            node ?? 0,
            "INVALID_VALUE",
            "a merge key `<<` cannot merge the mapping it is part of",
          );
        }
        return INVALID;
      }
      const entries = this.entries(target, report);
      if (entries === INVALID) return INVALID;
      sources.push(entries);
    }
    return sources;
  }

  private resolve(node: Node | null, report = true): Node | null | typeof INVALID {
    if (!isAlias(node)) return node;
    const target = node.resolve(this.doc) as Node | undefined;
    if (!target) {
      if (report)
        this.report(
          node,
          "INVALID_VALUE",
          `alias \`*${node.source}\` refers to no anchor; define \`&${node.source}\` before it`,
        );
      return INVALID;
    }
    return target;
  }

  private resolveOrNull(node: Node | null): Node | null {
    const resolved = this.resolve(node, false);
    return resolved === INVALID ? null : resolved;
  }

  /** Reports an unknown key and returns the key suggested in its place, if any. */
  private reportUnknownKey(
    entry: Entry,
    allowed: readonly string[],
    path: ValuePath,
    hint?: string,
  ): string | undefined {
    const where = path.length === 0 ? "at the top level" : `in ${label(path)}`;
    const suggestion = suggestKey(entry.name, allowed);
    let advice: string;
    if (hint) advice = hint;
    else if (suggestion) advice = `did you mean \`${suggestion}\`?`;
    else advice = `expected ${allowed.map((key) => `\`${key}\``).join(", ")}`;
    this.report(entry.key, "UNKNOWN_KEY", `unknown key \`${entry.name}\` ${where}; ${advice}`);
    return hint ? undefined : suggestion;
  }

  private report(at: Node | number, code: DiagnosticCode, message: string): void {
    const offset = typeof at === "number" ? at : (at.range?.[0] ?? 0);
    const { line, col } = this.lineCounter.linePos(offset);
    this.diagnostics.push({ file: this.file, line, column: col, message, code, severity: "error" });
  }

  private lineOf(node: Node): number {
    return this.lineCounter.linePos(node.range?.[0] ?? 0).line;
  }

  private errorCount(): number {
    return this.diagnostics.filter((diagnostic) => diagnostic.severity === "error").length;
  }
}

/** Names a value by its path the way users write it: `do[0].webhook.url`. */
export function label(path: ValuePath): string {
  if (path.length === 0) return "the file";
  let text = "";
  for (const part of path) {
    if (typeof part === "number") text += `[${part}]`;
    else if (text === "") text = part;
    else text += `.${part}`;
  }
  return `\`${text}\``;
}

function missingKeyMessage(path: ValuePath, name: string): string {
  if (path.length === 0) {
    const example = name === "version" ? "; add `version: 1`" : "";
    return `missing required key \`${name}\`${example}`;
  }
  return `${label(path)} is missing the required key \`${name}\``;
}

function enumMessage(path: ValuePath, text: string, allowed: readonly string[]): string {
  const upper = text.toUpperCase();
  if (upper !== text && allowed.includes(upper)) {
    return `${label(path)} must be upper case: write \`${upper}\` instead of \`${text}\``;
  }
  const choices = allowed.map((value) => `\`${value}\``).join(", ");
  return `${label(path)} \`${text}\` is not one of ${choices}`;
}

function integerExpectation(schema: IntegerSchema): string {
  if (schema.const !== undefined) return `the number ${schema.const}`;
  if (schema.minimum !== undefined && schema.maximum !== undefined) {
    return `a whole number from ${schema.minimum} to ${schema.maximum}`;
  }
  return "a whole number";
}

function isMergeKey(key: unknown): boolean {
  return isScalar(key) && typeof key.value === "symbol";
}

function isEmpty(node: Node | null): boolean {
  return node === null || node === undefined || (isScalar(node) && node.value === null);
}

/** Returns a scalar as written in the file (`0x1F`, `3.10`, `true`), falling back to its value. */
export function scalarSource(node: Scalar): string {
  if (typeof node.value === "string") return node.value;
  if (node.type === "PLAIN" && typeof node.source === "string") return node.source;
  return String(node.value);
}

function describeNode(node: unknown): string {
  if (node === null || node === undefined) return "nothing";
  if (isMap(node)) return "a mapping";
  if (isSeq(node)) return "a list";
  if (isAlias(node)) return "an alias";
  if (isScalar(node)) {
    const value = node.value;
    if (value === null) return "null";
    if (typeof value === "number") return `the number ${scalarSource(node)}`;
    if (typeof value === "boolean") return `the boolean ${scalarSource(node)}`;
    if (typeof value === "string") return `the text ${JSON.stringify(value)}`;
  }
  return "this value";
}

/** Describes what an object needs: its required keys, or else a choice of its keys. */
function objectShape(schema: ObjectSchema): string {
  const quote = (key: string) => `\`${key}\``;
  const required = Object.entries(schema.properties)
    .filter(([, property]) => property.required)
    .map(([key]) => quote(key));
  if (required.length > 0) return `with ${joinChoices(required, "and")}`;
  return `with ${joinChoices(Object.keys(schema.properties).map(quote), "or")}`;
}

/** Joins choices as prose: "`a`", "`a` or `b`", "`a`, `b` or `c`". */
function joinChoices(choices: readonly string[], conjunction: string): string {
  if (choices.length <= 1) return choices.join("");
  return `${choices.slice(0, -1).join(", ")} ${conjunction} ${choices.at(-1)}`;
}
