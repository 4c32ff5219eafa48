// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${NAME}` secret references are the subject here.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  type ContainerTaskConfig,
  formatDiagnostic,
  loadConfig,
  renderConfig,
  type TemplateEnv,
  templateData,
  type WebhookTaskConfig,
} from "../../src/config/index.js";
import { resolveSecretReferences, secretSource } from "../../src/runner/secrets.js";
import { yaml } from "./dedent.js";

const data = templateData({
  Rev: "v1.2.0",
  ArchiveUrl: "https://pogo.test/repository/app/archive/3f2a.zip",
  Description: "fix: quoting\n- item # not a comment",
  RepositoryID: 7,
  EventType: "push",
});

const env: TemplateEnv = {
  now: () => new Date("2026-01-02T03:04:05Z"),
  secret: (name) => {
    if (name === "API_KEY") return "k-123";
    throw new Error(`secret ${JSON.stringify(name)} is not set`);
  },
};

function webhook(fields: string): string {
  return `version: 1\non:\n  push:\n    bookmarks: ["v*"]\ndo:\n  - webhook:\n${fields}`;
}

describe("renderConfig", () => {
  it("renders the webhook example's values", () => {
    const text = readFileSync(
      new URL("../fixtures/config/seed/webhook-task.yaml", import.meta.url),
      "utf8",
    );
    const rendered = renderConfig("webhook-task.yaml", text, data, env);
    expect(rendered.diagnostics).toEqual([]);
    expect(rendered.config?.do[0]).toMatchObject({
      webhook: {
        body: '{"VERSION": "v1.2.0", "ZIP": "https://pogo.test/repository/app/archive/3f2a.zip"}',
        headers: { Authorization: "Bearer ${DEPLOY_TOKEN}" },
      },
    });
  });

  it("keeps template output inside its value", () => {
    const rendered = renderConfig(
      "ci.yaml",
      webhook(
        "      url: https://hooks.example.com/x\n      method: POST\n      body: '{{.Description}}'\n",
      ),
      data,
      env,
    );
    expect(rendered.config?.do[0]).toMatchObject({
      webhook: { body: "fix: quoting\n- item # not a comment" },
    });
  });

  it("renders numbers, now and secret through the engine", () => {
    const rendered = renderConfig(
      "ci.yaml",
      yaml`
        version: 1
        on:
          push:
            bookmarks: ["v*"]
        do:
          - container:
              image: alpine:3.20
              environment:
                REPO_ID: "{{.RepositoryID}}"
                DAY: '{{ now.Format "2006-01-02" }}'
                KEY: '{{ secret "API_KEY" | toUpper }}'
      `,
      data,
      env,
    );
    expect(rendered.diagnostics).toEqual([]);
    expect(rendered.config?.do[0]).toMatchObject({
      container: { environment: { REPO_ID: "7", DAY: "2026-01-02", KEY: "K-123" } },
    });
  });

  it("renders unquoted templates as a whole", () => {
    const rendered = renderConfig(
      "ci.yaml",
      webhook("      url: {{.ArchiveUrl}}\n      method: POST\n"),
      data,
      env,
    );
    expect(rendered.config?.do[0]).toMatchObject({
      webhook: { url: "https://pogo.test/repository/app/archive/3f2a.zip" },
    });
    expect(rendered.warnings.map(formatDiagnostic)).toEqual([
      "ci.yaml:7:12: warning: unquoted template `{{.ArchiveUrl}}`: the whole file is rendered before it is read as YAML, so a value could change its structure; put this value in quotes",
    ]);
  });

  it("renders conditional tasks per event", () => {
    const text =
      'version: 1\non:\n  push:\n    bookmarks: ["*"]\ndo:\n  - container:\n      image: alpine:3.20\n' +
      '{{- if eq .Rev "main" }}\n  - webhook:\n      url: https://deploy.example.com/x\n      method: POST\n{{- end }}\n';
    const main = renderConfig("ci.yaml", text, templateData({ Rev: "main" }), env);
    const dev = renderConfig("ci.yaml", text, templateData({ Rev: "dev" }), env);
    expect(main.config?.do.map((task) => task.type)).toEqual(["container", "webhook"]);
    expect(dev.config?.do.map((task) => task.type)).toEqual(["container"]);
  });

  it("points exec errors at the action", () => {
    const rendered = renderConfig(
      "ci.yaml",
      webhook(
        "      url: https://hooks.example.com/x\n      method: POST\n      body: 'rev {{.Rev.Name}}'\n",
      ),
      data,
      env,
    );
    expect(rendered.config).toBeUndefined();
    expect(rendered.diagnostics.map(formatDiagnostic)).toEqual([
      'ci.yaml:9:24: rendering `do[0].webhook.body` failed: executing "ci.yaml" at <.Rev.Name>: can\'t evaluate field Name in type string',
    ]);
  });

  it("reports a missing secret as a rendering error", () => {
    const rendered = renderConfig(
      "ci.yaml",
      webhook(
        "      url: https://hooks.example.com/x\n      method: POST\n      body: '{{ secret \"NOPE\" }}'\n",
      ),
      data,
      env,
    );
    expect(rendered.diagnostics[0]?.code).toBe("TEMPLATE_EXEC");
    expect(rendered.diagnostics[0]?.message).toContain('secret "NOPE" is not set');
  });

  it("rechecks a rendered URL", () => {
    const rendered = renderConfig(
      "ci.yaml",
      webhook("      url: '{{.Rev}}'\n      method: POST\n"),
      data,
      env,
    );
    expect(rendered.diagnostics.map(formatDiagnostic)).toEqual([
      "ci.yaml:7:12: after rendering, `do[0].webhook.url` `v1.2.0` is not a valid URL; write a full URL such as https://ci.example.com/hook",
    ]);
  });

  it("rechecks a rendered Dockerfile path", () => {
    const rendered = renderConfig(
      "ci.yaml",
      "version: 1\non:\n  push:\n    bookmarks: [main]\ndo:\n  - container:\n      image: './{{.EventType}}/../../Dockerfile'\n",
      data,
      env,
    );
    expect(rendered.diagnostics[0]?.message).toContain("leaves the repository");
  });

  it("returns validation errors without rendering", () => {
    const rendered = renderConfig("ci.yaml", "version: 2\n", data, env);
    expect(rendered.config).toBeUndefined();
    expect(rendered.diagnostics.map((d) => d.code)).toEqual([
      "MISSING_KEY",
      "MISSING_KEY",
      "INVALID_VALUE",
    ]);
  });
});

describe("template syntax at validation", () => {
  it.each([
    ["plain value", "      body: rev-{{.Rev | nofunc}}\n", 9, 26],
    ["double-quoted value with escapes", '      body: "tab\\t{{ nofunc }}"\n', 9, 22],
    ["folded block", "      body: >\n        first line\n        second {{ nofunc }}\n", 11, 19],
  ])("points into a %s", (_, body, line, column) => {
    const loaded = loadConfig(
      "ci.yaml",
      webhook(`      url: https://hooks.example.com/x\n      method: POST\n${body}`),
    );
    expect(loaded.diagnostics.map((d) => `${d.line}:${d.column} ${d.code}`)).toEqual([
      `${line}:${column} TEMPLATE_SYNTAX`,
    ]);
    expect(loaded.diagnostics[0]?.message).toContain('function "nofunc" not defined');
  });
});

describe("secret references in rendered values", () => {
  const hostile = templateData({
    Rev: "main",
    Description: "leak ${DEPLOY_TOKEN} and $${ESCAPED}",
  });
  const secrets = secretSource({ DEPLOY_TOKEN: "tok-secret-value", API_KEY: "k-123" });

  function resolve(text: string): string {
    return resolveSecretReferences(text, secrets, () => {});
  }

  it("escapes references from event data", () => {
    const rendered = renderConfig(
      "ci.yaml",
      webhook(
        "      url: https://hooks.example.com/x\n      method: POST\n      body: '${API_KEY} {{.Description}}'\n",
      ),
      hostile,
      env,
    );
    const body = (rendered.config!.do[0] as { webhook: { body: string } }).webhook.body;
    expect(body).toBe("${API_KEY} leak $${DEPLOY_TOKEN} and $$${ESCAPED}");
    expect(resolve(body)).toBe("k-123 leak ${DEPLOY_TOKEN} and $${ESCAPED}");
  });

  it("leaves commands unescaped", () => {
    const rendered = renderConfig(
      "ci.yaml",
      "version: 1\non:\n  push:\n    bookmarks: [main]\ndo:\n  - container:\n      image: alpine:3.20\n      commands: ['echo \"{{.Description}}\"']\n",
      hostile,
      env,
    );
    expect(rendered.config?.do[0]).toMatchObject({
      container: { commands: ['echo "leak ${DEPLOY_TOKEN} and $${ESCAPED}"'] },
    });
  });

  it("escapes them in whole-file rendering", () => {
    const text = yaml`
      version: 1
      on:
        push:
          bookmarks: [main]
      do:
        - webhook:
            url: {{.ArchiveUrl}}
            method: POST
            headers:
              Authorization: Bearer \${API_KEY}
            body: "{{.Description}}"
        - container:
            image: alpine:3.20
            commands: ["echo {{.Description}}"]
    `;
    const rendered = renderConfig(
      "ci.yaml",
      text,
      { ...hostile, ArchiveUrl: "https://pogo.test/a.zip" },
      env,
    );
    expect(rendered.warnings).toHaveLength(1);
    const [hook, box] = rendered.config!.do as [WebhookTaskConfig, ContainerTaskConfig];
    expect(resolve(hook.webhook.headers!.Authorization!)).toBe("Bearer k-123");
    expect(resolve(hook.webhook.body!)).toBe("leak ${DEPLOY_TOKEN} and $${ESCAPED}");
    expect(box.container.commands).toEqual(["echo leak ${DEPLOY_TOKEN} and $${ESCAPED}"]);
  });

  it("places whole-file errors in the source", () => {
    const text = [
      "version: 1",
      "on:",
      "  push:",
      '    bookmarks: ["*"]',
      "do:",
      "  - container:",
      "      image: alpine:3.20",
      '{{- if eq .Rev "main" }}',
      "  - webhook:",
      "      url: https://deploy.example.com/main",
      "      method: POST",
      "{{- else }}",
      "  - webhook:",
      "      url: {{.ArchiveUrl}}",
      "      method: TRACE",
      "{{- end }}",
      "",
    ].join("\n");
    const rendered = renderConfig("whole.yaml", text, templateData({ Rev: "v1" }), env);
    expect(rendered.diagnostics.map(formatDiagnostic)).toEqual([
      'whole.yaml:1:1: after rendering the whole file, at line 9, column 7 of the rendered text: `do[1].webhook.url` has no value; write "" for an empty value',
      expect.stringMatching(/^whole\.yaml:15:15: after rendering the whole file: /),
    ]);
  });
});
