import type { MapSchema, ObjectSchema, TaskSchema, TextSchema } from "./schema-model.js";
import { HTTP_METHODS } from "./types.js";

/**
 * The one schema of a `.pogo/ci/*.yaml` file. Validation, `schema.json`
 * and `schema.xsd` all derive from this value; change it here and run
 * `npm run schema`.
 */

/** A service name becomes a hostname on the task's network, so it follows DNS label rules. */
export const SERVICE_NAME_PATTERN = "^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$";

const environment: MapSchema = {
  kind: "map",
  description:
    // biome-ignore lint/suspicious/noTemplateCurlyInString: `${NAME}` is the secret syntax users write.
    "Environment variables. Numbers and booleans are kept as written; `${NAME}` is replaced by the repository secret NAME.",
  keyPattern: "^[^=\\s]+$",
  keyHint: "a variable name without `=` or spaces",
  values: { kind: "text", description: "Variable value.", secrets: true },
};

const image: TextSchema = {
  kind: "text",
  description:
    "Image reference pulled from a registry (`node:20-alpine`), or a Dockerfile path in the repository when it starts with `./`, `../` or `/`.",
  format: "image",
};

const bookmarkPatterns: TextSchema = {
  kind: "text",
  description:
    "Bookmark pattern with Go `path.Match` syntax: `*` and `?` do not cross `/`, `[a-z]` and `[^a-z]` are classes, `\\` escapes.",
  format: "bookmark-pattern",
  // Patterns are matched before anything renders, so a template could never apply.
  templates: false,
};

const trigger: ObjectSchema = {
  kind: "object",
  name: "trigger",
  description: "Bookmarks whose change fires the pipeline.",
  properties: {
    bookmarks: {
      required: true,
      schema: {
        kind: "list",
        description: "Bookmark patterns; the pipeline fires once when any of them matches.",
        items: bookmarkPatterns,
        itemName: "pattern",
        minItems: 1,
      },
    },
  },
};

const webhook: ObjectSchema = {
  kind: "object",
  name: "webhook",
  description: "An HTTP request to an external service.",
  properties: {
    url: {
      required: true,
      schema: {
        kind: "text",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: `${NAME}` is the secret syntax users write.
        description: "The http or https URL to call; `${NAME}` is replaced by the secret NAME.",
        format: "http-url",
        secrets: true,
        stringsOnly: true,
      },
    },
    method: {
      required: true,
      schema: {
        kind: "text",
        description: "HTTP method, in upper case.",
        enum: HTTP_METHODS,
        stringsOnly: true,
        templates: false,
      },
    },
    headers: {
      schema: {
        kind: "map",
        description: "HTTP request headers.",
        keyPattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$",
        keyHint: "an HTTP header name (letters, digits and `-`)",
        values: { kind: "text", description: "Header value.", secrets: true },
      },
    },
    body: { schema: { kind: "text", description: "Request body.", secrets: true } },
    retry_policy: {
      schema: {
        kind: "object",
        name: "retryPolicy",
        description:
          "Retries on network errors, 408, 429 and 5xx responses, with exponential backoff.",
        properties: {
          max_attempts: {
            required: true,
            schema: {
              kind: "integer",
              description: "Attempts in total, counting the first one (1 to 10).",
              minimum: 1,
              maximum: 10,
            },
          },
        },
      },
    },
    timeout: {
      schema: {
        kind: "text",
        description: "Time limit of each attempt as a Go duration (`30s`, `2m`); 30s by default.",
        format: "go-duration",
        stringsOnly: true,
      },
    },
  },
};

const service: ObjectSchema = {
  kind: "object",
  name: "service",
  description: "A container started before the task, reachable by its name.",
  properties: {
    name: {
      required: true,
      schema: {
        kind: "text",
        description:
          "Hostname of the service on the task's network: lower-case letters, digits and `-`, starting with a letter, at most 63 characters.",
        pattern: SERVICE_NAME_PATTERN,
        patternHint:
          "lower-case letters, digits and `-`, starting with a letter, not ending with `-`, at most 63 characters",
        stringsOnly: true,
      },
    },
    image: { required: true, schema: image },
    environment: { schema: environment },
  },
};

const container: ObjectSchema = {
  kind: "object",
  name: "container",
  description: "Commands run in a container, with the revision's files in `/workspace`.",
  properties: {
    image: { required: true, schema: image },
    commands: {
      schema: {
        kind: "list",
        description:
          "Shell commands run in order with `sh -c`; without them the image's entrypoint runs.",
        items: { kind: "text", description: "One shell command." },
        itemName: "command",
        minItems: 1,
      },
    },
    environment: { schema: environment },
    working_dir: {
      schema: {
        kind: "text",
        description: "Absolute working directory; `/workspace` by default.",
        format: "absolute-path",
        stringsOnly: true,
      },
    },
    services: {
      schema: {
        kind: "list",
        description: "Containers started first, on a network of the task's own.",
        items: service,
        itemName: "service",
        minItems: 1,
        uniqueKey: "name",
        uniqueLabel: "service name",
      },
    },
    timeout: {
      schema: {
        kind: "text",
        description:
          "Time limit of the whole task as a Go duration (`10m`, `1h30m`); 1h by default.",
        format: "go-duration",
        stringsOnly: true,
      },
    },
  },
};

const task: TaskSchema = {
  kind: "task",
  name: "task",
  description:
    "One task: a `webhook` or a `container` body. `type` names the kind; without it, the single body decides.",
  tag: "type",
  variants: { webhook, container },
};

/** The root of the schema: one pipeline per file. */
export const pipelineSchema: ObjectSchema = {
  kind: "object",
  name: "pipeline",
  description: "A Pogo CI pipeline: the events that fire it and the tasks it runs in order.",
  properties: {
    version: {
      required: true,
      schema: { kind: "integer", description: "Config format version; always 1.", const: 1 },
    },
    on: {
      required: true,
      schema: {
        kind: "object",
        name: "events",
        description: "Bookmark events that fire the pipeline.",
        minProperties: 1,
        properties: {
          push: { schema: { ...trigger, description: "A bookmark is created or moved." } },
          remove: { schema: { ...trigger, description: "A bookmark is removed." } },
        },
      },
    },
    do: {
      required: true,
      schema: {
        kind: "list",
        description: "Tasks run in order; the first failure skips the rest.",
        items: task,
        itemName: "task",
        minItems: 1,
      },
    },
  },
};
