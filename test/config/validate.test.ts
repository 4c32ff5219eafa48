import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { formatDiagnostic, loadConfig } from "../../src/config/index.js";
import { yaml } from "./dedent.js";
import { invalidCases } from "./invalid-cases.js";

const fixtures = new URL("../fixtures/config/", import.meta.url);
const seedDir = new URL("seed/", fixtures);
const fragmentDir = new URL("seed-fragments/", fixtures);

function read(dir: URL, name: string): string {
  return readFileSync(new URL(name, dir), "utf8");
}

describe("seed examples", () => {
  const names = readdirSync(seedDir).sort();

  it("are all present", () => {
    expect(names).toHaveLength(8);
  });

  it.each(names)("%s validates as written", (name) => {
    const loaded = loadConfig(name, read(seedDir, name));
    expect(loaded.diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(loaded.warnings).toEqual([]);
    expect(loaded.config?.version).toBe(1);
  });

  // Three examples show only part of a file; each validates in the place it belongs.
  it.each(["push-events.yaml", "remove-events.yaml"])(
    "fragment %s validates as the `on` section",
    (name) => {
      const text = `version: 1\n${read(fragmentDir, name)}do:\n  - container:\n      image: alpine:3.20\n`;
      const loaded = loadConfig(name, text);
      expect(loaded.diagnostics.map(formatDiagnostic)).toEqual([]);
    },
  );

  it("commands fragment validates in a container", () => {
    const fragment = read(fragmentDir, "services-wait-commands.yaml");
    const indented = fragment.replace(/^(?=.)/gm, "      ");
    const text = `version: 1\non:\n  push:\n    bookmarks: [main]\ndo:\n  - container:\n      image: node:20-alpine\n${indented}`;
    const loaded = loadConfig("services-wait-commands.yaml", text);
    expect(loaded.diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(loaded.config?.do[0]).toMatchObject({
      container: { commands: expect.arrayContaining(["npm test"]) },
    });
  });

  it("webhook example stays unrendered", () => {
    const loaded = loadConfig("webhook-task.yaml", read(seedDir, "webhook-task.yaml"));
    expect(loaded.config?.do[0]).toEqual({
      type: "webhook",
      webhook: {
        url: "https://ci.example.net/job/deploy-release/buildWithParameters",
        method: "POST",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a secret reference, kept unresolved.
        headers: { "Content-Type": "application/json", Authorization: "Bearer ${DEPLOY_TOKEN}" },
        body: '{"VERSION": "{{.Rev}}", "ZIP": "{{.ArchiveUrl}}"}',
        retry_policy: { max_attempts: 3 },
      },
    });
  });
});

describe("invalid configs", () => {
  it("cover at least 40 defects", () => {
    expect(invalidCases.length).toBeGreaterThanOrEqual(40);
    expect(new Set(invalidCases.map((c) => c.name)).size).toBe(invalidCases.length);
  });

  it.each(invalidCases.map((c) => [c.name, c] as const))("%s", (_, c) => {
    const loaded = loadConfig("ci.yaml", c.text);
    expect(loaded.config).toBeUndefined();
    expect(loaded.diagnostics).toHaveLength(1);
    const [diagnostic] = loaded.diagnostics;
    expect(`${diagnostic!.line}:${diagnostic!.column}`).toBe(`${c.line}:${c.column}`);
    expect(diagnostic!.code).toBe(c.code);
    expect(diagnostic!.message).toContain(c.message);
    expect(diagnostic!.severity).toBe("error");
  });
});

describe("loadConfig", () => {
  it("reports every error of a file at once", () => {
    const loaded = loadConfig(
      "ci.yaml",
      yaml`
        version: "1"
        on:
          push:
            bookmarks: main
        do:
          - webhook:
              url: ftp://x.test
              method: post
      `,
    );
    expect(loaded.diagnostics.map(formatDiagnostic)).toEqual([
      'ci.yaml:1:10: `version` must be a number, not the text "1"; remove the quotes: `version: 1`',
      'ci.yaml:4:16: `on.push.bookmarks` must be a list, not the text "main"; write `["main"]` for a list of one',
      "ci.yaml:7:12: `do[0].webhook.url` must use http or https, not `ftp`",
      "ci.yaml:8:15: `do[0].webhook.method` must be upper case: write `POST` instead of `post`",
    ]);
  });

  it("tells how to keep an unquoted `a: b` command text", () => {
    const loaded = loadConfig(
      "ci.yaml",
      yaml`
        version: 1
        on:
          push:
            bookmarks: [main]
        do:
          - container:
              image: alpine:3.20
              commands:
                - printf 'a: b'
      `,
    );
    expect(loaded.diagnostics.map(formatDiagnostic)).toEqual([
      "ci.yaml:9:11: `do[0].container.commands[0]` must be text, not a mapping; quote the whole value if it contains `: `",
    ]);
  });

  it("keeps numbers and booleans as written", () => {
    const loaded = loadConfig(
      "ci.yaml",
      yaml`
        version: 1
        on:
          push:
            bookmarks: [2024, v1]
        do:
          - container:
              image: mysql:8
              environment:
                PORT: 3306
                RATIO: 3.10
                MASK: 0x1F
                DEBUG: true
                EMPTY: ""
              commands: [42]
      `,
    );
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.config?.on.push?.bookmarks).toEqual(["2024", "v1"]);
    expect(loaded.config?.do[0]).toEqual({
      type: "container",
      container: {
        image: "mysql:8",
        environment: { PORT: "3306", RATIO: "3.10", MASK: "0x1F", DEBUG: "true", EMPTY: "" },
        commands: ["42"],
      },
    });
  });

  it("infers the task type from its single body", () => {
    const loaded = loadConfig(
      "ci.yaml",
      yaml`
        version: 1
        on:
          remove:
            bookmarks: ["temp-*"]
        do:
          - webhook:
              url: https://cleanup.example.com/hook
              method: DELETE
      `,
    );
    expect(loaded.config?.do[0]?.type).toBe("webhook");
  });

  it("applies anchors, aliases and merge keys", () => {
    const loaded = loadConfig(
      "ci.yaml",
      yaml`
        version: 1
        on:
          push: &triggers
            bookmarks: [main]
          remove: *triggers
        do:
          - container: &node
              image: node:20-alpine
              environment: &env
                NODE_ENV: test
                CI_LEVEL: 1
              commands: [npm test]
          - container:
              <<: *node
              image: node:22-alpine
              environment:
                <<: *env
                CI_LEVEL: 2
      `,
    );
    expect(loaded.diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(loaded.config?.on.remove?.bookmarks).toEqual(["main"]);
    expect(loaded.config?.do[1]).toEqual({
      type: "container",
      container: {
        image: "node:22-alpine",
        environment: { NODE_ENV: "test", CI_LEVEL: "2" },
        commands: ["npm test"],
      },
    });
  });

  it("takes earlier merge sources over later ones", () => {
    const loaded = loadConfig(
      "ci.yaml",
      yaml`
        version: 1
        on:
          push:
            bookmarks: [main]
        do:
          - container:
              <<: [{image: "first:1"}, {image: "second:1", working_dir: /src}]
      `,
    );
    expect(loaded.config?.do[0]).toEqual({
      type: "container",
      container: { image: "first:1", working_dir: "/src" },
    });
  });

  it("reports merged unknown keys at the anchor", () => {
    const loaded = loadConfig(
      "ci.yaml",
      yaml`
        version: 1
        on:
          push:
            bookmarks: [main]
        do:
          - container: &base
              image: alpine:3.20
              comand: [ls]
          - container:
              <<: *base
      `,
    );
    expect(loaded.diagnostics.map(formatDiagnostic)).toEqual([
      "ci.yaml:8:7: unknown key `comand` in `do[0].container`; did you mean `commands`?",
      "ci.yaml:8:7: unknown key `comand` in `do[1].container`; did you mean `commands`?",
    ]);
  });

  it("accepts the Go duration forms for timeouts", () => {
    for (const timeout of ["30s", "1h30m", "2.5s", "300ms", "1m0.5s"]) {
      const loaded = loadConfig(
        "ci.yaml",
        `version: 1\non:\n  push:\n    bookmarks: [main]\ndo:\n  - container:\n      image: a\n      timeout: ${timeout}\n`,
      );
      expect(loaded.diagnostics, timeout).toEqual([]);
    }
  });

  it("accepts templates and secrets in a URL", () => {
    for (const url of [
      "'{{.ServerUrl}}/hooks/{{.Repository}}'",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a secret reference, resolved at run time.
      "${HOOK_URL}",
      "https://{{.Rev}}.preview.example.com/",
    ]) {
      const loaded = loadConfig(
        "ci.yaml",
        `version: 1\non:\n  push:\n    bookmarks: [main]\ndo:\n  - webhook:\n      url: ${url}\n      method: GET\n`,
      );
      expect(loaded.diagnostics.map(formatDiagnostic), url).toEqual([]);
    }
  });

  it("warns about unquoted templates", () => {
    const loaded = loadConfig(
      "ci.yaml",
      yaml`
        version: 1
        on:
          push:
            bookmarks: [main]
        do:
          - webhook:
              url: {{.ArchiveUrl}}
              method: POST
      `,
    );
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.renderWholeFile).toBe(true);
    expect(loaded.warnings.map(formatDiagnostic)).toEqual([
      "ci.yaml:7:12: warning: unquoted template `{{.ArchiveUrl}}`: the whole file is rendered before it is read as YAML, so a value could change its structure; put this value in quotes",
    ]);
    expect(loaded.config?.do[0]).toMatchObject({ webhook: { url: "{{.ArchiveUrl}}" } });
  });

  it("checks structural templates with sample data", () => {
    const loaded = loadConfig(
      "ci.yaml",
      yaml`
        version: 1
        on:
          push:
            bookmarks: ["*"]
        do:
          - container:
              image: alpine:3.20
        {{- if eq .Rev "main" }}
          - webhook:
              url: https://deploy.example.com/{{ .Rev }}
              method: POST
        {{- end }}
      `,
    );
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.renderWholeFile).toBe(true);
    expect(loaded.warnings.map((w) => `${w.line}:${w.column} ${w.code}`)).toEqual([
      "8:1 UNQUOTED_TEMPLATE",
    ]);
    expect(loaded.warnings[0]!.message).toContain("checked it with sample data only");
  });

  it("keeps errors templates cannot explain", () => {
    const loaded = loadConfig(
      "ci.yaml",
      yaml`
        version: 1
        on:
          push:
            bookmarks: [main]
        do:
          - webhook:
              url: {{.ArchiveUrl}}
              method: TRACE
      `,
    );
    expect(loaded.renderWholeFile).toBe(false);
    expect(loaded.diagnostics.map((d) => d.code)).toEqual(["WRONG_TYPE", "INVALID_VALUE"]);
  });

  it("reports unknown event fields", () => {
    const loaded = loadConfig(
      "ci.yaml",
      yaml`
        version: 1
        on:
          push:
            bookmarks: [main]
        do:
          - container:
              image: alpine:3.20
              commands:
                - echo "{{.NoSuchField}}"
                - echo {{ if eq $.Revv "main" }}yes{{ end }}
                - echo {{ with .Rev }}{{ .Anything }}{{ $.Authr }}{{ else }}{{ .Nope }}{{ end }}
                - echo {{ .Rev }} {{ $.RepositoryID }} {{ range $i, $c := .Description }}{{ .X }}{{ end }}
      `,
    );
    expect(loaded.diagnostics.map(formatDiagnostic)).toEqual([
      "ci.yaml:9:19: in `do[0].container.commands[0]`: unknown field `NoSuchField` in the event data; use one of Rev, ArchiveUrl, Author, Description, AccessToken, ServerUrl, RepositoryID, Repository, RevisionId, EventType",
      "ci.yaml:10:26: in `do[0].container.commands[1]`: unknown field `Revv` in the event data; did you mean `Rev`?",
      "ci.yaml:11:50: in `do[0].container.commands[2]`: unknown field `Authr` in the event data; did you mean `Author`?",
      "ci.yaml:11:72: in `do[0].container.commands[2]`: unknown field `Nope` in the event data; use one of Rev, ArchiveUrl, Author, Description, AccessToken, ServerUrl, RepositoryID, Repository, RevisionId, EventType",
    ]);
  });

  it("reports unknown fields in a whole-file template", () => {
    const loaded = loadConfig(
      "ci.yaml",
      yaml`
        version: 1
        on:
          push:
            bookmarks: [main]
        do:
          - webhook:
              url: {{.ArchiveURL}}
              method: POST
      `,
    );
    expect(loaded.diagnostics.map(formatDiagnostic)).toEqual([
      "ci.yaml:7:14: unknown field `ArchiveURL` in the event data; did you mean `ArchiveUrl`?",
    ]);
  });

  it("reports unknown fields under structural templates", () => {
    const loaded = loadConfig(
      "ci.yaml",
      yaml`
        version: 1
        on:
          push:
            bookmarks: ["*"]
        do:
          - container:
              image: alpine:3.20
        {{- if eq .Bookmark "main" }}
          - webhook:
              url: https://deploy.example.com/
              method: POST
        {{- end }}
      `,
    );
    expect(loaded.diagnostics.map(formatDiagnostic)).toEqual([
      "ci.yaml:8:11: unknown field `Bookmark` in the event data; use one of Rev, ArchiveUrl, Author, Description, AccessToken, ServerUrl, RepositoryID, Repository, RevisionId, EventType",
    ]);
  });

  it("rejects deep nesting in one line", () => {
    const text = `version: 1\non:\n  push:\n    bookmarks: ${"[".repeat(100_000)}\n`;
    const { diagnostics } = loadConfig("deep.yaml", text);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]!.line).toBe(4);
    expect(diagnostics[0]!.message).toBe(
      "invalid YAML: lists or mappings are nested too deeply to read; a pipeline needs only a few levels",
    );
  });

  it("records the triggers of a file broken elsewhere", () => {
    const loaded = loadConfig(
      "ci.yaml",
      yaml`
        version: 1
        on:
          push:
            bookmarks: ["v*"]
        do: []
      `,
    );
    expect(loaded.config).toBeUndefined();
    expect(loaded.triggers).toEqual({ push: { bookmarks: ["v*"] } });
  });
});
