// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${NAME}` is the secret syntax under test.
import { describe, expect, it } from "vitest";
import { type CiEvent, loadConfig, templateData } from "../config/index.js";
import { SecretMasker } from "./masker.js";
import { planEvent, templateEnv } from "./plan.js";
import { resolveTaskSecrets, secretSource } from "./secrets.js";
import type { ReadyPlan } from "./types.js";

const WEBHOOK = `version: 1
on:
  push:
    bookmarks: ["main", "v*"]
do:
  - type: webhook
    webhook:
      url: https://ci.example.net/job/{{.Rev}}
      method: POST
      headers:
        Authorization: Bearer \${DEPLOY_TOKEN}
      body: '{"VERSION": "{{.Rev}}", "NOTE": "{{.Description}}", "KEY": "{{secret "API_KEY"}}"}'
`;

function pushEvent(
  bookmark: string,
  fields: Partial<Parameters<typeof templateData>[0]> = {},
): CiEvent {
  return {
    type: "push",
    bookmark,
    data: templateData({ Rev: bookmark, EventType: "push", ...fields }),
  };
}

const secrets = secretSource({ DEPLOY_TOKEN: "deploy-token-1", API_KEY: "api-key-42" });

describe("planEvent", () => {
  it("renders a matching config", () => {
    const masker = new SecretMasker();
    const plans = planEvent(
      [loadConfig(".pogo/ci/hook.yaml", WEBHOOK)],
      pushEvent("v1.2.0"),
      templateEnv(secrets, masker),
    );

    expect(plans).toHaveLength(1);
    const plan = plans[0] as ReadyPlan;
    expect(plan.pattern).toBe("v*");
    const task = plan.config.do[0]!;
    if (task.type !== "webhook") throw new Error("expected a webhook task");
    expect(task.webhook.url).toBe("https://ci.example.net/job/v1.2.0");
    expect(task.webhook.headers).toEqual({ Authorization: "Bearer ${DEPLOY_TOKEN}" });
    expect(task.webhook.body).toBe('{"VERSION": "v1.2.0", "NOTE": "", "KEY": "api-key-42"}');
    expect(masker.mask("api-key-42")).toBe("***");
  });

  it("skips a config the event does not match", () => {
    const plans = planEvent(
      [loadConfig(".pogo/ci/hook.yaml", WEBHOOK)],
      pushEvent("feature/x"),
      templateEnv(secrets, new SecretMasker()),
    );
    expect(plans).toEqual([]);
  });

  it("carries a validation error with its position", () => {
    const text =
      "version: 1\non:\n  push:\n    bookmarks: [main]\ndo:\n  - type: webhook\n    webhook:\n      method: POST\n";
    const plans = planEvent(
      [loadConfig(".pogo/ci/bad.yaml", text)],
      pushEvent("main"),
      templateEnv(secrets, new SecretMasker()),
    );

    expect(plans).toHaveLength(1);
    expect(plans[0]).toMatchObject({ file: ".pogo/ci/bad.yaml", pattern: "main" });
    const plan = plans[0]!;
    if (!("error" in plan)) throw new Error("expected a broken plan");
    expect(plan.error).toMatch(/^\.pogo\/ci\/bad\.yaml:7:\d+: .*url/);
  });

  it("fails rendering on an unknown secret", () => {
    const plans = planEvent(
      [loadConfig(".pogo/ci/hook.yaml", WEBHOOK)],
      pushEvent("main"),
      templateEnv(secretSource({}), new SecretMasker()),
    );

    expect(plans).toHaveLength(1);
    const plan = plans[0]!;
    if (!("error" in plan)) throw new Error("expected a broken plan");
    expect(plan.error).toMatch(/^\.pogo\/ci\/hook\.yaml:\d+:\d+: /);
    expect(plan.error).toContain("API_KEY");
  });

  it("never resolves a reference that came from event data", () => {
    const masker = new SecretMasker();
    const event = pushEvent("main", { Description: "leak ${DEPLOY_TOKEN} and $${API_KEY}" });
    const [plan] = planEvent(
      [loadConfig(".pogo/ci/hook.yaml", WEBHOOK)],
      event,
      templateEnv(secrets, masker),
    ) as ReadyPlan[];

    const task = resolveTaskSecrets(plan!.config.do[0]!, secrets, (value) => masker.add(value));
    if (task.type !== "webhook") throw new Error("expected a webhook task");
    expect(task.webhook.body).toContain('"NOTE": "leak ${DEPLOY_TOKEN} and $${API_KEY}"');
    expect(task.webhook.headers).toEqual({ Authorization: "Bearer deploy-token-1" });
  });

  it("keeps private-use characters of event data", () => {
    // U+E000 and U+E001 are Nerd Font icons in a description; U+E002 is
    // in the config, so neither may stand for a `$` during rendering.
    const text = WEBHOOK.replace("job/", "job/\uE002/");
    const event = pushEvent("main", { Description: "\uE000 \uE001 ${DEPLOY_TOKEN} $5" });
    const [plan] = planEvent(
      [loadConfig(".pogo/ci/hook.yaml", text)],
      event,
      templateEnv(secrets, new SecretMasker()),
    ) as ReadyPlan[];

    const task = resolveTaskSecrets(plan!.config.do[0]!, secrets, () => {});
    if (task.type !== "webhook") throw new Error("expected a webhook task");
    expect(task.webhook.url).toBe("https://ci.example.net/job/\uE002/main");
    expect(task.webhook.body).toContain('"NOTE": "\uE000 \uE001 ${DEPLOY_TOKEN} $5"');
  });

  it("passes a `$` to template functions unchanged", () => {
    const text = `version: 1
on:
  push:
    bookmarks: ["main"]
do:
  - webhook:
      url: https://ci.example.net/{{ len .Description }}
      method: POST
      headers:
        X-Note: '{{ btoa .Description }}'
      body: '{{ urlquery (secret "PRICE") }} {{ printf "%q" .Description }}'
`;
    const event = pushEvent("main", { Description: "fix-$HOME ${X}" });
    const [plan] = planEvent(
      [loadConfig(".pogo/ci/hook.yaml", text)],
      event,
      templateEnv(secretSource({ PRICE: "cost-$5-each" }), new SecretMasker()),
    ) as ReadyPlan[];

    const task = resolveTaskSecrets(plan!.config.do[0]!, secrets, () => {});
    if (task.type !== "webhook") throw new Error("expected a webhook task");
    expect(task.webhook.url).toBe("https://ci.example.net/14");
    expect(task.webhook.headers).toEqual({
      "X-Note": Buffer.from("fix-$HOME ${X}").toString("base64"),
    });
    expect(task.webhook.body).toBe('cost-%245-each "fix-$HOME ${X}"');
  });

  it("masks Basic credentials a template encodes", () => {
    const text = `version: 1
on:
  push:
    bookmarks: ["main"]
do:
  - webhook:
      url: https://ci.example.net/
      method: POST
      headers:
        Authorization: 'Basic {{ btoa (printf "deploy:%s" (secret "API_KEY")) }}'
`;
    const masker = new SecretMasker();
    const [plan] = planEvent(
      [loadConfig(".pogo/ci/hook.yaml", text)],
      pushEvent("main"),
      templateEnv(secrets, masker),
    ) as ReadyPlan[];

    const task = plan!.config.do[0]!;
    if (task.type !== "webhook") throw new Error("expected a webhook task");
    const encoded = Buffer.from("deploy:api-key-42").toString("base64");
    expect(task.webhook.headers).toEqual({ Authorization: `Basic ${encoded}` });
    expect(masker.mask(`echoed: Basic ${encoded}`)).toBe("echoed: Basic ***");
    expect(masker.mask("Basic ZGVwbG95Om90aGVy")).toBe("Basic ZGVwbG95Om90aGVy");
  });

  it("keeps a secret value literal", () => {
    const masker = new SecretMasker();
    const tricky = secretSource({
      API_KEY: "key-${DEPLOY_TOKEN}-end",
      DEPLOY_TOKEN: "deploy-token-1",
    });
    const [plan] = planEvent(
      [loadConfig(".pogo/ci/hook.yaml", WEBHOOK)],
      pushEvent("main"),
      templateEnv(tricky, masker),
    ) as ReadyPlan[];

    const task = resolveTaskSecrets(plan!.config.do[0]!, tricky, (value) => masker.add(value));
    if (task.type !== "webhook") throw new Error("expected a webhook task");
    expect(task.webhook.body).toContain('"KEY": "key-${DEPLOY_TOKEN}-end"');
  });

  it("fixes the clock of now", () => {
    const text = `version: 1
on:
  push:
    bookmarks: [main]
do:
  - type: webhook
    webhook:
      url: http://127.0.0.1/hook
      method: POST
      body: '{{now.Unix}} {{now.Format "2006-01-02"}}'
`;
    const clock = () => new Date("2026-03-04T05:06:07Z");
    const [plan] = planEvent(
      [loadConfig(".pogo/ci/now.yaml", text)],
      pushEvent("main"),
      templateEnv(secrets, new SecretMasker(), clock),
    ) as ReadyPlan[];

    const task = plan!.config.do[0]!;
    if (task.type !== "webhook") throw new Error("expected a webhook task");
    expect(task.webhook.body).toBe("1772600767 2026-03-04");
  });
});
