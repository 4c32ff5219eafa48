import type { FastifyRequest } from "fastify";
import { invalid } from "../store/errors.js";

/** Returns the JSON request body as an object, or throws INVALID_REQUEST. */
export function bodyObject(request: FastifyRequest): Record<string, unknown> {
  const body = request.body;
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw invalid(
      "INVALID_REQUEST",
      "the request body must be a JSON object (Content-Type: application/json)",
    );
  }
  return body as Record<string, unknown>;
}

export function stringField(body: Record<string, unknown>, name: string): string;
export function stringField(
  body: Record<string, unknown>,
  name: string,
  optional: true,
): string | undefined;
export function stringField(
  body: Record<string, unknown>,
  name: string,
  optional = false,
): string | undefined {
  const value = body[name];
  if (value === undefined && optional) return undefined;
  if (typeof value !== "string") throw invalid("INVALID_REQUEST", `\`${name}\` must be a string`);
  return value;
}

export function booleanField(body: Record<string, unknown>, name: string): boolean | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (typeof value !== "boolean")
    throw invalid("INVALID_REQUEST", `\`${name}\` must be true or false`);
  return value;
}

export function numberField(body: Record<string, unknown>, name: string): number | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw invalid("INVALID_REQUEST", `\`${name}\` must be a positive number`);
  }
  return value;
}
