import type { DiagnosticCode } from "../../src/config/index.js";
import { yaml } from "./dedent.js";

/**
 * InvalidCase is a config with exactly one defect, the position the error
 * must point at, and words the message must contain so a user can act on it.
 */
export interface InvalidCase {
  name: string;
  text: string;
  line: number;
  column: number;
  code: DiagnosticCode;
  message: string;
  /** Set when the defect is in the YAML text itself, before any data exists for a JSON Schema to check. */
  yamlLevel?: true;
  /** Set when JSON Schema cannot express the rule; the reason is documented in the schema test. */
  schemaGap?: string;
}

const webhookTask = `
  - type: webhook
    webhook:
      url: https://ci.example.net/hook
      method: POST`;

export const invalidCases: InvalidCase[] = [
  // The file as a whole.
  {
    name: "empty file",
    text: "",
    line: 1,
    column: 1,
    code: "EMPTY_FILE",
    message: "the file is empty",
    yamlLevel: true,
  },
  {
    name: "comments only",
    text: "# nothing here yet\n# version: 1\n",
    line: 1,
    column: 1,
    code: "EMPTY_FILE",
    message: "only comments",
    yamlLevel: true,
  },
  {
    name: "top-level list",
    text: yaml`
      - version: 1
      - do: []
    `,
    line: 1,
    column: 1,
    code: "WRONG_TYPE",
    message: "the file must be a mapping with `version`, `on` and `do`, not a list",
  },
  {
    name: "second document",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:${webhookTask}
      ---
      version: 1
    `,
    line: 10,
    column: 1,
    code: "MULTIPLE_DOCUMENTS",
    message: "a second YAML document starts here",
    yamlLevel: true,
  },
  {
    name: "unclosed quote",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: ["main]
      do:${webhookTask}
    `,
    line: 4,
    column: 17,
    code: "UNCLOSED_QUOTE",
    message: "never closed; add the closing quote",
    yamlLevel: true,
  },
  {
    name: "unclosed single quote in a value",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        - webhook:
            url: 'https://ci.example.net/hook
            method: POST
    `,
    line: 7,
    column: 12,
    code: "UNCLOSED_QUOTE",
    message: "never closed",
    yamlLevel: true,
  },
  {
    name: "unclosed bracket",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main
      do:${webhookTask}
    `,
    line: 4,
    column: 16,
    code: "YAML_SYNTAX",
    message: "this `[` list is never closed; add `]`",
    yamlLevel: true,
  },
  {
    name: "extra closing bracket",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]]
      do:${webhookTask}
    `,
    line: 4,
    column: 22,
    code: "YAML_SYNTAX",
    message: "unexpected `]`; check the brackets",
    yamlLevel: true,
  },
  {
    name: "tab indentation",
    text: "version: 1\non:\n\tpush:\n    bookmarks: [main]\ndo:\n  - webhook: {url: 'https://x.test', method: GET}\n",
    line: 3,
    column: 1,
    code: "YAML_SYNTAX",
    message: "tabs are not allowed as indentation",
    yamlLevel: true,
  },
  {
    name: "duplicate key",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:${webhookTask}
      version: 1
    `,
    line: 10,
    column: 1,
    code: "DUPLICATE_KEY",
    message: "duplicate key `version`; it is already set on line 1",
    yamlLevel: true,
  },
  {
    name: "alias without anchor",
    text: yaml`
      version: 1
      on:
        push: *triggers
      do:${webhookTask}
    `,
    line: 3,
    column: 9,
    code: "INVALID_VALUE",
    message: "alias `*triggers` refers to no anchor",
    yamlLevel: true,
  },
  {
    name: "merge key of a scalar",
    text: yaml`
      version: 1
      on:
        push:
          <<: main
          bookmarks: [main]
      do:${webhookTask}
    `,
    line: 4,
    column: 9,
    code: "WRONG_TYPE",
    message: "a merge key `<<` takes a mapping",
    yamlLevel: true,
  },

  {
    name: "merge key including its own mapping",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        - container: &box
            image: alpine:3.20
            <<: *box
    `,
    line: 8,
    column: 11,
    code: "INVALID_VALUE",
    message: "a merge key `<<` cannot merge the mapping it is part of",
    yamlLevel: true,
  },
  {
    name: "alias to its own parent",
    text: yaml`
      version: 1
      on: &events
        push: *events
      do:${webhookTask}
    `,
    line: 3,
    column: 9,
    code: "INVALID_VALUE",
    message: "`on.push` refers to itself through an alias",
    yamlLevel: true,
  },

  // Top-level keys.
  {
    name: "missing version",
    text: yaml`
      on:
        push:
          bookmarks: [main]
      do:${webhookTask}
    `,
    line: 1,
    column: 1,
    code: "MISSING_KEY",
    message: "missing required key `version`; add `version: 1`",
  },
  {
    name: "missing on",
    text: yaml`
      version: 1
      do:${webhookTask}
    `,
    line: 1,
    column: 1,
    code: "MISSING_KEY",
    message: "missing required key `on`",
  },
  {
    name: "missing do",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
    `,
    line: 1,
    column: 1,
    code: "MISSING_KEY",
    message: "missing required key `do`",
  },
  {
    name: "version as text",
    text: yaml`
      version: "1"
      on:
        push:
          bookmarks: [main]
      do:${webhookTask}
    `,
    line: 1,
    column: 10,
    code: "WRONG_TYPE",
    message: 'must be a number, not the text "1"; remove the quotes',
  },
  {
    name: "version 2",
    text: yaml`
      version: 2
      on:
        push:
          bookmarks: [main]
      do:${webhookTask}
    `,
    line: 1,
    column: 10,
    code: "INVALID_VALUE",
    message: "unsupported `version` 2; the only supported version is 1",
  },
  {
    name: "unknown top-level key",
    text: yaml`
      version: 1
      name: release
      on:
        push:
          bookmarks: [main]
      do:${webhookTask}
    `,
    line: 2,
    column: 1,
    code: "UNKNOWN_KEY",
    message: "unknown key `name` at the top level; expected `version`, `on`, `do`",
  },
  {
    name: "do empty",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do: []
    `,
    line: 5,
    column: 5,
    code: "INVALID_VALUE",
    message: "`do` is empty; add at least one task",
  },
  {
    name: "do without value",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
    `,
    line: 5,
    column: 1,
    code: "WRONG_TYPE",
    message: "`do` has no value; expected a list",
  },
  {
    name: "do as mapping",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        webhook:
          url: https://ci.example.net/hook
          method: POST
    `,
    line: 6,
    column: 3,
    code: "WRONG_TYPE",
    message: "`do` must be a list, not a mapping",
  },

  // Events and patterns.
  {
    name: "on without events",
    text: yaml`
      version: 1
      on: {}
      do:${webhookTask}
    `,
    line: 2,
    column: 1,
    code: "MISSING_KEY",
    message: "`on` must name at least one of `push:` or `remove:`",
  },
  {
    name: "unknown event",
    text: yaml`
      version: 1
      on:
        pushed:
          bookmarks: [main]
      do:${webhookTask}
    `,
    line: 3,
    column: 3,
    code: "UNKNOWN_KEY",
    message: "unknown key `pushed` in `on`; did you mean `push`?",
  },
  {
    name: "bookmarks as a string",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: main
      do:${webhookTask}
    `,
    line: 4,
    column: 16,
    code: "WRONG_TYPE",
    message: '`on.push.bookmarks` must be a list, not the text "main"; write `["main"]`',
  },
  {
    name: "bookmarks empty",
    text: yaml`
      version: 1
      on:
        remove:
          bookmarks: []
      do:${webhookTask}
    `,
    line: 4,
    column: 16,
    code: "INVALID_VALUE",
    message: "`on.remove.bookmarks` is empty; add at least one pattern",
  },
  {
    name: "trigger without bookmarks",
    text: yaml`
      version: 1
      on:
        push: {}
      do:${webhookTask}
    `,
    line: 3,
    column: 3,
    code: "MISSING_KEY",
    message: "`on.push` is missing the required key `bookmarks`",
  },
  {
    name: "bookmarks misspelled",
    text: yaml`
      version: 1
      on:
        push:
          branches: [main]
      do:${webhookTask}
    `,
    line: 4,
    column: 5,
    code: "UNKNOWN_KEY",
    message: "did you mean `bookmarks`?",
  },
  {
    name: "unclosed class in pattern",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: ["main", "release-[0-9"]
      do:${webhookTask}
    `,
    line: 4,
    column: 25,
    code: "BAD_PATTERN",
    message: "invalid bookmark pattern `release-[0-9`: a `[` class is not closed with `]`",
    schemaGap: "glob syntax",
  },
  {
    name: "trailing backslash in pattern",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: ['v\\']
      do:${webhookTask}
    `,
    line: 4,
    column: 17,
    code: "BAD_PATTERN",
    message: "ends with a lone `\\`",
    schemaGap: "glob syntax",
  },
  {
    name: "range without end in pattern",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: ["v[1-]"]
      do:${webhookTask}
    `,
    line: 4,
    column: 17,
    code: "BAD_PATTERN",
    message: "needs a character on each side",
    schemaGap: "glob syntax",
  },
  {
    name: "template in pattern",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: ["{{.Rev}}"]
      do:${webhookTask}
    `,
    line: 4,
    column: 17,
    code: "INVALID_VALUE",
    message: "cannot hold a template",
  },

  // Tasks.
  {
    name: "task without body",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        - {}
    `,
    line: 6,
    column: 5,
    code: "MISSING_KEY",
    message: "`do[0]` needs a `webhook:` or `container:` body",
  },
  {
    name: "type without body",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        - type: container
    `,
    line: 6,
    column: 5,
    code: "MISSING_KEY",
    message: "`do[0]` has `type: container` but no `container:` body",
  },
  {
    name: "type disagrees with body",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        - type: webhook
          container:
            image: alpine:3.20
    `,
    line: 6,
    column: 11,
    code: "TYPE_MISMATCH",
    message:
      "`type: webhook` does not match the `container:` body of `do[0]`; change `type` to `container`",
  },
  {
    name: "second body with type",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        - type: webhook
          webhook:
            url: https://ci.example.net/hook
            method: POST
          container:
            image: alpine:3.20
    `,
    line: 10,
    column: 5,
    code: "MULTIPLE_BODIES",
    message: "cannot also have a `container:` body; move it to a task of its own",
  },
  {
    name: "two bodies without type",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        - container:
            image: alpine:3.20
          webhook:
            url: https://ci.example.net/hook
            method: POST
    `,
    line: 8,
    column: 5,
    code: "MULTIPLE_BODIES",
    message: "has both `container:` and `webhook:`; a task has one body",
  },
  {
    name: "unknown task type",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        - type: docker
          container:
            image: alpine:3.20
    `,
    line: 6,
    column: 11,
    code: "INVALID_VALUE",
    message: "`do[0].type` `docker` is not one of `webhook`, `container`",
  },
  {
    name: "template in type",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        - type: "{{.EventType}}"
          container:
            image: alpine:3.20
    `,
    line: 6,
    column: 11,
    code: "INVALID_VALUE",
    message: "`do[0].type` cannot hold a template",
  },
  {
    name: "container key outside its body",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        - type: container
          container:
            image: alpine:3.20
          commands: [make]
    `,
    line: 9,
    column: 5,
    code: "UNKNOWN_KEY",
    message: "`commands` belongs inside the `container:` body",
  },

  // Webhooks.
  {
    name: "webhook body without value",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        - webhook:
    `,
    line: 6,
    column: 5,
    code: "WRONG_TYPE",
    message: "`do[0].webhook` has no value; expected a mapping with `url` and `method`",
  },
  {
    name: "empty task",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        -
    `,
    line: 6,
    column: 4,
    code: "WRONG_TYPE",
    message: "`do[0]` has no value; expected a mapping with a `webhook:` or `container:` body",
  },
  {
    name: "webhook without url",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        - webhook:
            method: POST
    `,
    line: 6,
    column: 5,
    code: "MISSING_KEY",
    message: "`do[0].webhook` is missing the required key `url`",
  },
  {
    name: "webhook without method",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        - webhook:
            url: https://ci.example.net/hook
    `,
    line: 6,
    column: 5,
    code: "MISSING_KEY",
    message: "`do[0].webhook` is missing the required key `method`",
  },
  {
    name: "method in lower case",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        - webhook:
            url: https://ci.example.net/hook
            method: post
    `,
    line: 8,
    column: 15,
    code: "INVALID_VALUE",
    message: "must be upper case: write `POST` instead of `post`",
  },
  {
    name: "unknown method",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        - webhook:
            url: https://ci.example.net/hook
            method: FETCH
    `,
    line: 8,
    column: 15,
    code: "INVALID_VALUE",
    message:
      "`do[0].webhook.method` `FETCH` is not one of `GET`, `HEAD`, `POST`, `PUT`, `PATCH`, `DELETE`, `OPTIONS`",
  },
  {
    name: "url with ftp scheme",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        - webhook:
            url: ftp://files.example.net/drop
            method: PUT
    `,
    line: 7,
    column: 12,
    code: "INVALID_VALUE",
    message: "`do[0].webhook.url` must use http or https, not `ftp`",
  },
  {
    name: "url without scheme",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        - webhook:
            url: ci.example.net/hook
            method: POST
    `,
    line: 7,
    column: 12,
    code: "INVALID_VALUE",
    message: "`ci.example.net/hook` is not a valid URL",
  },
  {
    name: "url as a number",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        - webhook:
            url: 8080
            method: POST
    `,
    line: 7,
    column: 12,
    code: "WRONG_TYPE",
    message: "`do[0].webhook.url` must be text, not the number 8080",
  },
  {
    name: "max_attempts zero",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        - webhook:
            url: https://ci.example.net/hook
            method: POST
            retry_policy:
              max_attempts: 0
    `,
    line: 10,
    column: 23,
    code: "INVALID_VALUE",
    message: "must be a whole number from 1 to 10, not 0",
  },
  {
    name: "max_attempts eleven",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        - webhook:
            url: https://ci.example.net/hook
            method: POST
            retry_policy:
              max_attempts: 11
    `,
    line: 10,
    column: 23,
    code: "INVALID_VALUE",
    message: "must be a whole number from 1 to 10, not 11",
  },
  {
    name: "max_attempts as text",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        - webhook:
            url: https://ci.example.net/hook
            method: POST
            retry_policy:
              max_attempts: "3"
    `,
    line: 10,
    column: 23,
    code: "WRONG_TYPE",
    message: 'must be a number, not the text "3"; remove the quotes: `max_attempts: 3`',
  },
  {
    name: "max_attempts fraction",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        - webhook:
            url: https://ci.example.net/hook
            method: POST
            retry_policy:
              max_attempts: 2.5
    `,
    line: 10,
    column: 23,
    code: "INVALID_VALUE",
    message: "must be a whole number, not 2.5",
  },
  {
    name: "retry_policy without max_attempts",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        - webhook:
            url: https://ci.example.net/hook
            method: POST
            retry_policy: {}
    `,
    line: 9,
    column: 7,
    code: "MISSING_KEY",
    message: "`do[0].webhook.retry_policy` is missing the required key `max_attempts`",
  },
  {
    name: "headers as a list",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        - webhook:
            url: https://ci.example.net/hook
            method: POST
            headers:
              - "Content-Type: application/json"
    `,
    line: 10,
    column: 9,
    code: "WRONG_TYPE",
    message: "`do[0].webhook.headers` must be a mapping, not a list",
  },
  {
    name: "header without value",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        - webhook:
            url: https://ci.example.net/hook
            method: POST
            headers:
              Authorization:
    `,
    line: 10,
    column: 9,
    code: "WRONG_TYPE",
    message: '`do[0].webhook.headers.Authorization` has no value; write "" for an empty value',
  },
  {
    name: "header name with a space",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        - webhook:
            url: https://ci.example.net/hook
            method: POST
            headers:
              "Content Type": application/json
    `,
    line: 10,
    column: 9,
    code: "INVALID_VALUE",
    message: "invalid key `Content Type` in `do[0].webhook.headers`; expected an HTTP header name",
  },
  {
    name: "body as a mapping",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        - webhook:
            url: https://ci.example.net/hook
            method: POST
            body:
              version: "{{.Rev}}"
    `,
    line: 10,
    column: 9,
    code: "WRONG_TYPE",
    message: "`do[0].webhook.body` must be text, not a mapping",
  },
  {
    name: "timeout without unit",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        - webhook:
            url: https://ci.example.net/hook
            method: POST
            timeout: "30"
    `,
    line: 9,
    column: 16,
    code: "INVALID_VALUE",
    message: 'missing unit in duration "30"); add a unit, such as `30s`',
  },
  {
    name: "timeout with unknown unit",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        - webhook:
            url: https://ci.example.net/hook
            method: POST
            timeout: 5min
    `,
    line: 9,
    column: 16,
    code: "INVALID_VALUE",
    message: 'unknown unit "min" in duration "5min"',
  },
  {
    name: "template syntax error",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        - webhook:
            url: https://ci.example.net/hook
            method: POST
            body: '{"rev": "{{.Rev"}'
    `,
    line: 9,
    column: 25,
    code: "TEMPLATE_SYNTAX",
    message: "invalid template in `do[0].webhook.body`: bad character U+0022",
    schemaGap: "templates are text to JSON Schema",
  },
  {
    name: "template syntax error in block",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        - webhook:
            url: https://ci.example.net/hook
            method: POST
            body: |
              {
                "version": "{{.Rev}}",
                "archive": "{{.ArchiveUrl"
              }
    `,
    line: 12,
    column: 25,
    code: "TEMPLATE_SYNTAX",
    message: "invalid template in `do[0].webhook.body`: bad character U+0022",
    schemaGap: "templates are text to JSON Schema",
  },

  // Containers and services.
  {
    name: "container without image",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        - container:
            commands: [make]
    `,
    line: 6,
    column: 5,
    code: "MISSING_KEY",
    message: "`do[0].container` is missing the required key `image`",
  },
  {
    name: "commands as a string",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        - container:
            image: alpine:3.20
            commands: make test
    `,
    line: 8,
    column: 17,
    code: "WRONG_TYPE",
    message: '`do[0].container.commands` must be a list, not the text "make test"',
  },
  {
    name: "commands misspelled",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        - container:
            image: alpine:3.20
            comands: [make]
    `,
    line: 8,
    column: 7,
    code: "UNKNOWN_KEY",
    message: "unknown key `comands` in `do[0].container`; did you mean `commands`?",
  },
  {
    name: "commands empty",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        - container:
            image: alpine:3.20
            commands: []
    `,
    line: 8,
    column: 17,
    code: "INVALID_VALUE",
    message: "`do[0].container.commands` is empty; add at least one command",
  },
  {
    name: "relative working_dir",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        - container:
            image: alpine:3.20
            working_dir: workspace/app
    `,
    line: 8,
    column: 20,
    code: "INVALID_VALUE",
    message: "must be an absolute path starting with `/`, not `workspace/app`",
  },
  {
    name: "workdir synonym",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        - container:
            image: alpine:3.20
            workdir: /src
    `,
    line: 8,
    column: 7,
    code: "UNKNOWN_KEY",
    message: "did you mean `working_dir`?",
  },
  {
    name: "Dockerfile outside the repository",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        - container:
            image: ../shared/Dockerfile
    `,
    line: 7,
    column: 14,
    code: "OUTSIDE_REPOSITORY",
    message: "`../shared/Dockerfile` leaves the repository",
    schemaGap: "path containment",
  },
  {
    name: "Dockerfile escaping through a subfolder",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        - container:
            image: ./docker/../../Dockerfile
    `,
    line: 7,
    column: 14,
    code: "OUTSIDE_REPOSITORY",
    message: "leaves the repository",
    schemaGap: "path containment",
  },
  {
    name: "image with a space",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        - container:
            image: node 20
    `,
    line: 7,
    column: 14,
    code: "INVALID_VALUE",
    message: "must not contain spaces",
  },
  {
    name: "environment as a list",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        - container:
            image: alpine:3.20
            environment:
              - NODE_ENV=test
    `,
    line: 9,
    column: 9,
    code: "WRONG_TYPE",
    message: "`do[0].container.environment` must be a mapping, not a list",
  },
  {
    name: "environment value without value",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        - container:
            image: alpine:3.20
            environment:
              NODE_ENV:
    `,
    line: 9,
    column: 9,
    code: "WRONG_TYPE",
    message: '`do[0].container.environment.NODE_ENV` has no value; write "" for an empty value',
  },
  {
    name: "environment value as a list",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        - container:
            image: alpine:3.20
            environment:
              PATHS: [/a, /b]
    `,
    line: 9,
    column: 16,
    code: "WRONG_TYPE",
    message: "`do[0].container.environment.PATHS` must be text, not a list",
  },
  {
    name: "container timeout zero",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        - container:
            image: alpine:3.20
            timeout: 0s
    `,
    line: 8,
    column: 16,
    code: "INVALID_VALUE",
    message: "`do[0].container.timeout` must be longer than zero, not `0s`",
  },
  {
    name: "service name in upper case",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        - container:
            image: node:20-alpine
            services:
              - name: Postgres
                image: postgres:16-alpine
    `,
    line: 9,
    column: 17,
    code: "INVALID_VALUE",
    message:
      "`do[0].container.services[0].name` `Postgres` is invalid; expected lower-case letters",
  },
  {
    name: "service name too long",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        - container:
            image: node:20-alpine
            services:
              - name: ${"a".repeat(64)}
                image: postgres:16-alpine
    `,
    line: 9,
    column: 17,
    code: "INVALID_VALUE",
    message: "at most 63 characters",
  },
  {
    name: "service name ending with a dash",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        - container:
            image: node:20-alpine
            services:
              - name: db-
                image: postgres:16-alpine
    `,
    line: 9,
    column: 17,
    code: "INVALID_VALUE",
    message: "not ending with `-`",
  },
  {
    name: "duplicate service name",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        - container:
            image: node:20-alpine
            services:
              - name: db
                image: postgres:16-alpine
              - name: db
                image: redis:7-alpine
    `,
    line: 11,
    column: 17,
    code: "DUPLICATE_SERVICE",
    message: "duplicate service name `db` in `do[0].container.services` (first used on line 9)",
    schemaGap: "uniqueness of one key across list items",
  },
  {
    name: "service without image",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        - container:
            image: node:20-alpine
            services:
              - name: db
    `,
    line: 9,
    column: 11,
    code: "MISSING_KEY",
    message: "`do[0].container.services[0]` is missing the required key `image`",
  },
  {
    name: "service without name",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        - container:
            image: node:20-alpine
            services:
              - image: redis:7-alpine
    `,
    line: 9,
    column: 11,
    code: "MISSING_KEY",
    message: "`do[0].container.services[0]` is missing the required key `name`",
  },
  {
    name: "services as a mapping",
    text: yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        - container:
            image: node:20-alpine
            services:
              db:
                image: postgres:16-alpine
    `,
    line: 9,
    column: 9,
    code: "WRONG_TYPE",
    message: "`do[0].container.services` must be a list, not a mapping",
  },
];
