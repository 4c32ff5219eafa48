import { EngineCallError } from "./errors.js";
import { engineLog } from "./log.js";

/**
 * Runs one engine request with a debug line before, after and on failure,
 * and rethrows a failure as EngineCallError naming the action. `tolerate`
 * turns expected failures ("not found" during teardown) into `undefined`.
 */
export async function engineCall<T>(
  action: string,
  fields: Record<string, unknown>,
  request: () => Promise<T>,
  tolerate?: (error: unknown) => boolean,
): Promise<T | undefined> {
  engineLog(`${action}…`, fields);
  try {
    const result = await request();
    engineLog(`${action}: done`, fields);
    return result;
  } catch (error) {
    if (tolerate?.(error)) {
      engineLog(`${action}: nothing to do`, fields);
      return undefined;
    }
    engineLog(`failed to ${action}`, { ...fields, error: String(error) });
    throw new EngineCallError(action, error);
  }
}

/** Runs a request that always yields a value unless it throws. */
export async function engineRequest<T>(
  action: string,
  fields: Record<string, unknown>,
  request: () => Promise<T>,
): Promise<T> {
  return (await engineCall(action, fields, request)) as T;
}
