/**
 * Debug logging for the engine layer, silent unless `DEBUG` names
 * `pogo:engine` (or `pogo:*`). Each engine call is logged before, after and
 * on failure, with a short container or object id.
 */
export interface DebugLog {
  enabled: boolean;
  (message: string, fields?: Record<string, unknown>): void;
}

export function createDebugLog(namespace: string): DebugLog {
  const enabled = isEnabled(namespace, process.env.DEBUG ?? "");
  const log = ((message: string, fields?: Record<string, unknown>) => {
    if (!enabled) return;
    const suffix = fields ? ` ${formatFields(fields)}` : "";
    process.stderr.write(`${new Date().toISOString()} ${namespace} ${message}${suffix}\n`);
  }) as DebugLog;
  log.enabled = enabled;
  return log;
}

export const engineLog = createDebugLog("pogo:engine");

/** Cuts an engine id to the 12 characters `docker ps` shows. */
export function shortId(id: string): string {
  return id.startsWith("sha256:") ? id.slice(7, 19) : id.slice(0, 12);
}

function isEnabled(namespace: string, setting: string): boolean {
  return setting
    .split(/[\s,]+/)
    .filter((pattern) => pattern !== "")
    .some((pattern) => {
      const regex = new RegExp(
        `^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`,
      );
      return regex.test(namespace);
    });
}

function formatFields(fields: Record<string, unknown>): string {
  return Object.entries(fields)
    .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(" ");
}
