import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  api,
  type CiTestServer,
  commitFiles,
  startCiTestServer,
  waitFor,
} from "../support/ci-server.js";
import { backends } from "../support/databases.js";
import { BUSYBOX_IMAGE, ensureTestImages, HTTPD_IMAGE } from "../support/images.js";

const CONTAINER_CONFIG = `version: 1
on:
  push:
    bookmarks: ["main"]
do:
  - type: container
    container:
      image: ${BUSYBOX_IMAGE}
      services:
        - name: web
          image: ${HTTPD_IMAGE}
          environment:
            GREETING: hello from the service
      environment:
        PASSWORD: \${DB_PASSWORD}
      commands:
        - cat /workspace/README.md
        - wget -q -O - http://web/
        - echo "password is $PASSWORD"
        - echo "rev {{.Rev}} at $POGO_REVISION"
`;

describe("container pipelines on the server", () => {
  let ci: CiTestServer;

  beforeAll(async () => {
    await ensureTestImages();
    ci = await startCiTestServer(backends[0]!);
  });
  afterAll(async () => {
    await ci.close();
  });

  it("runs in the revision's checkout with a service", async () => {
    const repository = await ci.server.store.createRepository("app", ci.admin, false);
    await api(ci, "PUT", "/repository/app/secrets/DB_PASSWORD", { value: "hunter2-but-longer" });
    const revision = await commitFiles(ci.server.store, repository, {
      ".pogo/ci/build.yaml": CONTAINER_CONFIG,
      "README.md": "readme of the pushed revision\n",
    });
    await api(ci, "PUT", "/repository/app/bookmarks/main", { revision: revision.id });
    const run = await waitFor(
      async () => {
        const { runs } = await api<{ runs: Array<{ id: string; status: string }> }>(
          ci,
          "GET",
          "/repository/app/runs",
        );
        return runs[0] && !["queued", "running"].includes(runs[0].status) ? runs[0] : undefined;
      },
      60_000,
      "the container run",
    );
    const log = await api<{ lines: Array<{ text: string }> }>(
      ci,
      "GET",
      `/repository/app/runs/${run.id}/pipelines/0/tasks/0/log`,
    );
    const text = log.lines.map((line) => line.text).join("\n");
    expect(text).toContain("readme of the pushed revision");
    expect(text).toContain("hello from the service");
    expect(text).toContain("password is ***");
    expect(text).not.toContain("hunter2-but-longer");
    expect(text).toContain(`rev main at ${revision.id}`);
    expect(run.status).toBe("success");
  });
});
