import { timeElement } from "../format.js";
import { html, path } from "../html.js";
import type { PageContext, RepositorySummary } from "../model.js";
import { layout } from "./layout.js";

/** Renders the list of repositories the viewer may read. */
export function repositoriesPage(
  context: PageContext,
  repositories: readonly RepositorySummary[],
): string {
  const hint = context.viewer
    ? html``
    : html`<p class="meta">Only public repositories are listed. <a href="/ui/sign-in">Sign in</a> to see yours.</p>`;
  const body =
    repositories.length === 0
      ? html`<p class="empty">No repositories yet. Create one with <code>pogo init --create NAME</code>.</p>`
      : html`<table class="stack">
<thead><tr><th scope="col">Name</th><th scope="col">Visibility</th><th scope="col">Owner</th><th scope="col">Created</th></tr></thead>
<tbody>
${repositories.map(
  (repository) => html`<tr>
<td class="first wrap" data-label="Name"><a href="${path`/ui/repositories/${repository.name}`}">${repository.name}</a></td>
<td data-label="Visibility">${repository.isPrivate ? "private" : "public"}</td>
<td data-label="Owner">${repository.owner ?? ""}</td>
<td class="num" data-label="Created">${timeElement(repository.createdAt)}</td>
</tr>
`,
)}</tbody>
</table>`;
  return layout(context, "Repositories", html`<h1>Repositories</h1>${hint}${body}`);
}
