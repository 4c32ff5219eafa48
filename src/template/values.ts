/**
 * Go values as the template executor represents them. The common kinds stay plain
 * JavaScript values so rendering allocates little:
 *
 * - `string` is a Go string, `boolean` a bool;
 * - `number` (always an integer) or `bigint` is a Go `int`;
 * - `undefined` is the invalid value: an untyped nil, or "no value";
 * - `GoNumber` is any other numeric type (int32, int64, uint8, float64, the
 *   named integers time.Month, time.Weekday and time.Duration);
 * - `GoComplex`, `GoTime`, `GoLocation` and `GoStruct` cover the rest.
 */

import type { TemplateData } from "../config/event.js";
import type { GoTime } from "./gotime.js";

/**
 * GoLocation is a `*time.Location` with one fixed zone: `name` is what
 * Location.String prints, `abbreviation` what the "MST" layout prints.
 */
export class GoLocation {
  constructor(
    readonly name: string,
    readonly abbreviation: string,
    readonly offset: number,
  ) {}
  static readonly UTC = new GoLocation("UTC", "UTC", 0);
  /** Local is time.Local; the reference machine's local zone is UTC (Etc/UTC). */
  static readonly Local = new GoLocation("Local", "UTC", 0);
  /** Returns an unnamed zone, as time.Parse makes for an offset that is not local. */
  static fixed(offset: number): GoLocation {
    return new GoLocation("", "", offset);
  }
}

/** NumberKind groups Go's numeric types the way comparisons and formatting need. */
export type NumberKind = "int" | "uint" | "float";

const NUMBER_KINDS: Readonly<Record<string, NumberKind>> = {
  int8: "int",
  int16: "int",
  int32: "int",
  int64: "int",
  "time.Month": "int",
  "time.Weekday": "int",
  "time.Duration": "int",
  uint: "uint",
  uint8: "uint",
  uint16: "uint",
  uint32: "uint",
  uint64: "uint",
  uintptr: "uint",
  float32: "float",
  float64: "float",
};

/** GoNumber is a typed number other than `int`: integers as bigint, floats as number. */
export class GoNumber {
  readonly kind: NumberKind;
  constructor(
    readonly type: string,
    readonly value: bigint | number,
  ) {
    this.kind = NUMBER_KINDS[type] ?? "int";
  }
  static float64(value: number): GoNumber {
    return new GoNumber("float64", value);
  }
  get bigint(): bigint {
    return typeof this.value === "bigint" ? this.value : BigInt(Math.trunc(this.value));
  }
}

/** GoComplex is a complex128. */
export class GoComplex {
  constructor(
    readonly re: number,
    readonly im: number,
  ) {}
}

/** GoStruct is the event data: a struct with named fields, in declaration order. */
export class GoStruct {
  constructor(
    readonly type: string,
    readonly fields: readonly StructField[],
    readonly data: Record<string, unknown>,
  ) {}
  field(name: string): StructField | undefined {
    return this.fields.find((f) => f.name === name);
  }
  get(field: StructField): GoValue {
    const raw = this.data[field.name];
    if (field.type === "string") return typeof raw === "string" ? raw : "";
    const n = typeof raw === "number" ? raw : 0;
    return new GoNumber(field.type, BigInt(Math.trunc(n)));
  }
}

/** StructField is one field of a GoStruct and its Go type. */
export interface StructField {
  name: string;
  type: "string" | "int32";
}

const EVENT_FIELDS: readonly StructField[] = [
  { name: "Rev", type: "string" },
  { name: "ArchiveUrl", type: "string" },
  { name: "Author", type: "string" },
  { name: "Description", type: "string" },
  { name: "AccessToken", type: "string" },
  { name: "ServerUrl", type: "string" },
  { name: "RepositoryID", type: "int32" },
  { name: "Repository", type: "string" },
  { name: "RevisionId", type: "string" },
  { name: "EventType", type: "string" },
];

/** Wraps the event data as the Go struct `main.Event` the reference implementation uses. */
export function eventStruct(data: TemplateData): GoStruct {
  return new GoStruct("main.Event", EVENT_FIELDS, data as unknown as Record<string, unknown>);
}

/** GoValue is any value a template can hold. */
export type GoValue =
  | string
  | boolean
  | number
  | bigint
  | undefined
  | GoNumber
  | GoComplex
  | GoTime
  | GoLocation
  | GoStruct;

/** Kind mirrors reflect.Kind for the kinds templates can produce. */
export type Kind = "invalid" | "string" | "bool" | NumberKind | "complex" | "struct" | "ptr";

/** Returns the reflect kind of a value. */
export function kindOf(v: GoValue): Kind {
  switch (typeof v) {
    case "string":
      return "string";
    case "boolean":
      return "bool";
    case "number":
    case "bigint":
      return "int";
    case "undefined":
      return "invalid";
  }
  if (v instanceof GoNumber) return v.kind;
  if (v instanceof GoComplex) return "complex";
  if (v instanceof GoLocation) return "ptr";
  return "struct";
}

/** Returns the Go type name of a value, as `%T` and error messages print it. */
export function typeName(v: GoValue): string {
  switch (typeof v) {
    case "string":
      return "string";
    case "boolean":
      return "bool";
    case "number":
    case "bigint":
      return "int";
    case "undefined":
      return "<nil>";
  }
  if (v instanceof GoNumber) return v.type;
  if (v instanceof GoComplex) return "complex128";
  if (v instanceof GoLocation) return "*time.Location";
  if (v instanceof GoStruct) return v.type;
  return "time.Time";
}

/** Returns an integer value (int or any integer type) as a bigint. */
export function intValue(v: GoValue): bigint {
  if (typeof v === "number") return BigInt(v);
  if (typeof v === "bigint") return v;
  if (v instanceof GoNumber) return v.bigint;
  return 0n;
}

/** Normalizes a bigint to the representation of a Go int: a number when it is exact. */
export function goInt(n: bigint): number | bigint {
  return n >= -9007199254740991n && n <= 9007199254740991n ? Number(n) : n;
}

/**
 * Reports whether a value is "true" for if, with, and, or and not: not the
 * zero value of its type. Structs and pointers to them are always true.
 */
export function isTrue(v: GoValue): boolean {
  switch (typeof v) {
    case "string":
      return v.length > 0;
    case "boolean":
      return v;
    case "number":
      return v !== 0;
    case "bigint":
      return v !== 0n;
    case "undefined":
      return false;
  }
  if (v instanceof GoNumber) return v.value !== 0 && v.value !== 0n;
  if (v instanceof GoComplex) return v.re !== 0 || v.im !== 0;
  return true;
}
