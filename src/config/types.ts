/**
 * The config model: one `.pogo/ci/*.yaml` file after validation. Keys keep
 * the spelling users write in YAML (`working_dir`, `retry_policy`), so a
 * rendered config prints back in the user's own terms.
 */

export type HttpMethod = "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS";

export const HTTP_METHODS: readonly HttpMethod[] = [
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "PATCH",
  "DELETE",
  "OPTIONS",
];

/** BookmarkTrigger lists the Go `path.Match` patterns of one event type. */
export interface BookmarkTrigger {
  bookmarks: string[];
}

export interface PipelineConfig {
  version: 1;
  on: { push?: BookmarkTrigger; remove?: BookmarkTrigger };
  do: TaskConfig[];
}

export type TaskConfig = WebhookTaskConfig | ContainerTaskConfig;

export interface WebhookTaskConfig {
  type: "webhook";
  webhook: WebhookSpec;
}

export interface ContainerTaskConfig {
  type: "container";
  container: ContainerSpec;
}

export interface WebhookSpec {
  url: string;
  method: HttpMethod;
  headers?: Record<string, string>;
  body?: string;
  retry_policy?: { max_attempts: number };
  /** Per-attempt request timeout as a Go duration (`30s`, `2m`); default 30 s. */
  timeout?: string;
}

export interface ContainerSpec {
  /** A registry reference, or a Dockerfile path in the repository when it starts with `./`, `../` or `/`. */
  image: string;
  commands?: string[];
  environment?: Record<string, string>;
  working_dir?: string;
  services?: ServiceSpec[];
  /** Limit on the whole task as a Go duration (`10m`, `1h30m`); default 1 h. */
  timeout?: string;
}

export interface ServiceSpec {
  name: string;
  image: string;
  environment?: Record<string, string>;
}
