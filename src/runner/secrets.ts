import type { ContainerSpec, ServiceSpec, TaskConfig, WebhookSpec } from "../config/types.js";
import { PogoError } from "../util/errors.js";

/**
 * SecretSource looks up repository secrets by name. The server reads them
 * from its encrypted store; `pogo ci test` from the environment and
 * `--secret NAME=VALUE`. It returns undefined for a name that is not set.
 */
export interface SecretSource {
  get(name: string): string | undefined;
}

/** Builds a SecretSource over a map or plain object; later entries win over earlier ones. */
export function secretSource(
  ...layers: Array<ReadonlyMap<string, string> | Record<string, string | undefined>>
): SecretSource {
  const merged = new Map<string, string>();
  for (const layer of layers) {
    const entries = layer instanceof Map ? layer.entries() : Object.entries(layer);
    for (const [name, value] of entries) {
      if (typeof value === "string") merged.set(name, value);
    }
  }
  return { get: (name) => merged.get(name) };
}

/** MissingSecretError is raised when `${NAME}` or `secret "NAME"` names a secret that is not set. */
export class MissingSecretError extends PogoError {
  readonly secretName: string;

  constructor(name: string, where?: string) {
    const place = where ? ` (used in ${where})` : "";
    super("SECRET_NOT_FOUND", `secret \`${name}\` is not set${place}`);
    this.secretName = name;
  }
}

// `$${NAME}` is the escape for a literal `${NAME}`; it is matched first so
// its inner `${NAME}` is never resolved. Names follow shell variable rules.
const REFERENCE = /\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Replaces every `${NAME}` in `text` with the secret NAME and every
 * `$${NAME}` with the literal `${NAME}`. Each resolved value is passed to
 * `onResolved`, so the caller can mask it. Throws MissingSecretError for the
 * first unknown name; `where` names the field in that message.
 */
export function resolveSecretReferences(
  text: string,
  secrets: SecretSource,
  onResolved: (value: string) => void,
  where?: string,
): string {
  if (!text.includes("${")) return text;
  return text.replace(REFERENCE, (_match, escaped: string, name: string) => {
    if (escaped) return `\${${name}}`;
    const value = secrets.get(name);
    if (value === undefined) throw new MissingSecretError(name, where);
    onResolved(value);
    return value;
  });
}

/** Lists the secret names that `text` references with `${NAME}`, without the escaped ones. */
export function secretReferences(text: string): string[] {
  const names: string[] = [];
  for (const match of text.matchAll(REFERENCE)) {
    if (!match[1]) names.push(match[2]!);
  }
  return names;
}

/**
 * Returns a copy of `task` with `${NAME}` resolved in the fields where
 * secrets are allowed: the webhook `url`, header values and `body`, and
 * container and service `environment` values. Commands are shell and see the
 * container's environment, so they are left alone.
 */
export function resolveTaskSecrets(
  task: TaskConfig,
  secrets: SecretSource,
  onResolved: (value: string) => void,
): TaskConfig {
  if (task.type === "webhook") {
    return { ...task, webhook: resolveWebhook(task.webhook, secrets, onResolved) };
  }
  return { ...task, container: resolveContainer(task.container, secrets, onResolved) };
}

function resolveWebhook(
  spec: WebhookSpec,
  secrets: SecretSource,
  onResolved: (value: string) => void,
): WebhookSpec {
  const resolved: WebhookSpec = {
    ...spec,
    url: resolveSecretReferences(spec.url, secrets, onResolved, "webhook `url`"),
  };
  if (spec.headers) {
    resolved.headers = resolveValues(
      spec.headers,
      secrets,
      onResolved,
      (key) => `webhook header \`${key}\``,
    );
  }
  if (spec.body !== undefined) {
    resolved.body = resolveSecretReferences(spec.body, secrets, onResolved, "webhook `body`");
  }
  return resolved;
}

function resolveContainer(
  spec: ContainerSpec,
  secrets: SecretSource,
  onResolved: (value: string) => void,
): ContainerSpec {
  const resolved: ContainerSpec = { ...spec };
  if (spec.environment) {
    resolved.environment = resolveValues(
      spec.environment,
      secrets,
      onResolved,
      (key) => `environment variable \`${key}\``,
    );
  }
  if (spec.services) {
    resolved.services = spec.services.map(
      (service): ServiceSpec =>
        service.environment
          ? {
              ...service,
              environment: resolveValues(
                service.environment,
                secrets,
                onResolved,
                (key) => `environment variable \`${key}\` of service \`${service.name}\``,
              ),
            }
          : service,
    );
  }
  return resolved;
}

function resolveValues(
  values: Record<string, string>,
  secrets: SecretSource,
  onResolved: (value: string) => void,
  describeField: (key: string) => string,
): Record<string, string> {
  const resolved: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    // Numbers and booleans are accepted where text is expected, so a value may not be a string.
    resolved[key] =
      typeof value === "string"
        ? resolveSecretReferences(value, secrets, onResolved, describeField(key))
        : value;
  }
  return resolved;
}
