import { durationText, firstLine, statusPill, timeElement } from "../format.js";
import { html, path, withQuery } from "../html.js";
import type { BookmarkRow, PageContext, RepositoryPage } from "../model.js";
import { layout } from "./layout.js";

/** Renders a repository: its bookmarks, the latest run of each with its badge, and archive links. */
export function repositoryPage(context: PageContext, page: RepositoryPage, now: number): string {
  const { repository } = page;
  const base = path`/ui/repositories/${repository.name}`;
  const rows = page.bookmarks.map((bookmark) => bookmarkRow(repository.name, bookmark, now));
  const bookmarks =
    page.bookmarks.length === 0
      ? html`<p class="empty">No bookmarks yet. Push with <code>pogo push --bookmark main</code>.</p>`
      : html`<table class="stack">
<thead><tr><th scope="col">Bookmark</th><th scope="col">Revision</th><th scope="col">Latest run</th><th scope="col">Archive</th></tr></thead>
<tbody>
${rows}</tbody>
</table>`;
  return layout(
    context,
    repository.name,
    html`<p class="crumbs"><a href="/ui/">Repositories</a> /</p>
<h1>${repository.name}</h1>
<p class="meta"><span>${repository.isPrivate ? "private" : "public"}</span>${repository.owner ? html`<span>owner ${repository.owner}</span>` : html``}<span><a href="${base}/runs">All CI runs</a></span></p>
<h2>Bookmarks</h2>
${bookmarks}
${badgeSnippet(page)}`,
  );
}

function bookmarkRow(repository: string, bookmark: BookmarkRow, now: number) {
  const run = bookmark.latestRun;
  const runsUrl = withQuery(path`/ui/repositories/${repository}/runs`, {
    bookmark: bookmark.name,
  });
  const latest = run
    ? html`<a href="${path`/ui/repositories/${repository}/runs/${run.id}`}">${statusPill(run.status)}</a>
<span class="meta">${run.event}, ${timeElement(run.createdAt)}${run.startedAt !== null ? html`, ${durationText(run.startedAt, run.finishedAt, now)}` : html``}</span>
<a href="${runsUrl}">history</a>`
    : statusPill("none");
  const description = firstLine(bookmark.description.trim(), 200);
  return html`<tr>
<td class="first wrap" data-label="Bookmark"><strong>${bookmark.name}</strong></td>
<td data-label="Revision"><div class="cell"><div><code title="${bookmark.revisionId}">${bookmark.revisionId.slice(0, 12)}</code> by ${bookmark.author}, ${timeElement(bookmark.updatedAt)}</div>${description === "" ? html`` : html`<p class="desc">${description}</p>`}</div></td>
<td data-label="Latest run"><div class="cell">${latest}</div></td>
<td data-label="Archive"><a href="${path`/ui/repositories/${repository}/archive/${bookmark.name}`}" download>zip</a></td>
</tr>
`;
}

/** Renders the status badge of the first bookmark with the Markdown that embeds it elsewhere. */
function badgeSnippet(page: RepositoryPage) {
  const bookmark = page.bookmarks.find((row) => row.name === "main") ?? page.bookmarks[0];
  if (!bookmark) return html``;
  const badge = withQuery(path`/repository/${page.repository.name}/badge.svg`, {
    bookmark: bookmark.name,
  });
  const runs = withQuery(path`/ui/repositories/${page.repository.name}/runs`, {
    bookmark: bookmark.name,
  });
  const markdown = `[![CI](${page.publicUrl}${badge})](${page.publicUrl}${runs})`;
  const note = page.repository.isPrivate
    ? " The badge of a private repository shows only to viewers who may read it."
    : "";
  return html`<h2>Status badge</h2>
<p><img src="${badge}" alt="CI status of ${bookmark.name}" height="20"></p>
<p class="meta"><label for="badge-markdown">Markdown for the badge of <strong>${bookmark.name}</strong>, for a README:</label>${note}</p>
<input id="badge-markdown" class="snippet" readonly value="${markdown}" spellcheck="false">`;
}
