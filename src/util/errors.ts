/**
 * PogoError is the base of every error Pogo reports on purpose. `code` is a
 * stable identifier that callers, the HTTP API and tests match on instead of
 * the message text.
 */
export class PogoError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** UsageError is a mistake in how a command was invoked; the CLI exits with status 2. */
export class UsageError extends PogoError {
  constructor(message: string) {
    super("USAGE", message);
  }
}

/** Returns the message of any thrown value, for logs and one-line CLI errors. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
