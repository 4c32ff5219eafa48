import { PogoError } from "../util/errors.js";

/**
 * ApiError is a failure the caller caused or can act on. `status` is the
 * HTTP status of the response, and `code` the stable identifier in its JSON
 * body (`{"error": {"code", "message"}}`).
 */
export class ApiError extends PogoError {
  readonly status: number;

  constructor(status: number, code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.status = status;
  }
}

export function invalid(code: string, message: string): ApiError {
  return new ApiError(400, code, message);
}

export function notFound(code: string, message: string): ApiError {
  return new ApiError(404, code, message);
}

export function conflict(code: string, message: string): ApiError {
  return new ApiError(409, code, message);
}
