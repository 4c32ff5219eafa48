/**
 * The vocabulary of the config schema: a small declarative description of
 * keys, types, required keys, enums, patterns and descriptions. The
 * validator walks it, and the JSON Schema and XSD generators print it, so
 * all three agree by construction.
 */

/**
 * TextFormat names a text rule that needs code rather than a regular
 * expression. Each has a JSON Schema pattern where one can express it.
 */
export type TextFormat =
  | "http-url"
  | "go-duration"
  | "absolute-path"
  | "bookmark-pattern"
  | "image";

/**
 * TextSchema is a text value. Numbers and booleans are accepted and kept as
 * written in the file (`PORT: 3306` is "3306"), except where `stringsOnly`
 * is set: there a number or boolean could never satisfy the enum, pattern
 * or format, and saying "must be text" is the clearer message.
 */
export interface TextSchema {
  kind: "text";
  description: string;
  enum?: readonly string[];
  /** Regular expression the whole value must match. */
  pattern?: string;
  /** Describes `pattern` in words for error messages. */
  patternHint?: string;
  format?: TextFormat;
  stringsOnly?: boolean;
  /** False where a template would make no sense, such as a task `type`. */
  templates?: boolean;
  /** True where the runner replaces `${NAME}` with the repository secret NAME. */
  secrets?: boolean;
}

/** IntegerSchema is a whole number written as a number, never as quoted text. */
export interface IntegerSchema {
  kind: "integer";
  description: string;
  minimum?: number;
  maximum?: number;
  const?: number;
}

/** ListSchema is a YAML sequence; a single value is never promoted to a list. */
export interface ListSchema {
  kind: "list";
  description: string;
  items: Schema;
  /** Names one item in messages, such as "task". */
  itemName: string;
  minItems?: number;
  /** Key of the item objects whose values must differ, such as a service `name`. */
  uniqueKey?: string;
  /** Names the unique value in messages, such as "service name". */
  uniqueLabel?: string;
}

/** PropertySchema is one key of an object. */
export interface PropertySchema {
  schema: Schema;
  required?: boolean;
}

/** ObjectSchema is a mapping with a fixed set of keys; any other key is an error. */
export interface ObjectSchema {
  kind: "object";
  /** Type name used by the XSD and in messages (`webhook`, `service`). */
  name: string;
  description: string;
  properties: Record<string, PropertySchema>;
  /** At least this many of the properties must be present. */
  minProperties?: number;
}

/** MapSchema is a mapping from free-form keys (header or variable names) to values. */
export interface MapSchema {
  kind: "map";
  description: string;
  keyPattern: string;
  keyHint: string;
  values: Schema;
}

/**
 * TaskSchema is a mapping holding exactly one body key out of `variants`,
 * optionally named by the `tag` key (`type: webhook` with a `webhook:`
 * body). Without the tag the single body decides the kind.
 */
export interface TaskSchema {
  kind: "task";
  name: string;
  description: string;
  tag: string;
  variants: Record<string, ObjectSchema>;
}

export type Schema =
  | TextSchema
  | IntegerSchema
  | ListSchema
  | ObjectSchema
  | MapSchema
  | TaskSchema;
