import { durationText, statusPill, timeElement } from "../format.js";
import { html, path, withQuery } from "../html.js";
import { type PageContext, type PipelineSummary, RUN_STATUSES, type RunsPage } from "../model.js";
import { layout } from "./layout.js";

/** Renders the runs list of a repository: one row per pipeline, newest first, with filters and pages. */
export function runsPage(context: PageContext, page: RunsPage, now: number): string {
  const { repository, filter } = page;
  const base = path`/ui/repositories/${repository.name}/runs`;
  const pages = Math.max(1, Math.ceil(page.total / page.pageSize));
  const link = (number: number) =>
    withQuery(base, {
      status: filter.status,
      bookmark: filter.bookmark,
      page: number > 1 ? number : undefined,
    });
  const statusOptions = RUN_STATUSES.map(
    (status) =>
      html`<option value="${status}"${filter.status === status ? html` selected` : html``}>${status}</option>`,
  );
  const filtered = filter.status !== undefined || filter.bookmark !== undefined;
  const table =
    page.pipelines.length === 0
      ? html`<p class="empty">${filtered ? "No runs match these filters." : "No CI runs yet. Set a bookmark to run the pipelines in .pogo/ci/."}</p>`
      : html`<table class="stack runs">
<thead><tr><th scope="col">Config file</th><th scope="col">Event</th><th scope="col">Bookmark</th><th scope="col">Pattern</th><th scope="col">Status</th><th scope="col">Started</th><th scope="col">Duration</th></tr></thead>
<tbody>
${page.pipelines.map((pipeline) => pipelineRow(repository.name, pipeline, now))}</tbody>
</table>`;
  const first = (page.page - 1) * page.pageSize + 1;
  const last = Math.min(page.total, page.page * page.pageSize);
  const pager =
    page.total === 0
      ? html``
      : html`<nav class="pager" aria-label="Pages">
${page.page > 1 ? html`<a href="${link(page.page - 1)}" rel="prev">← Newer</a>` : html`<span class="disabled">← Newer</span>`}
<span>${first}–${last} of ${page.total} (page ${page.page} of ${pages})</span>
${page.page < pages ? html`<a href="${link(page.page + 1)}" rel="next">Older →</a>` : html`<span class="disabled">Older →</span>`}
</nav>`;
  return layout(
    context,
    `CI runs · ${repository.name}`,
    html`<p class="crumbs"><a href="/ui/">Repositories</a> / <a href="${path`/ui/repositories/${repository.name}`}">${repository.name}</a> /</p>
<h1>CI runs</h1>
<form class="filters" method="get" action="${base}" role="search" aria-label="Filter runs">
<label for="filter-status">Status<select id="filter-status" name="status"><option value="">any</option>${statusOptions}</select></label>
<label for="filter-bookmark">Bookmark<input id="filter-bookmark" name="bookmark" value="${filter.bookmark ?? ""}" placeholder="any" spellcheck="false"></label>
<button type="submit">Filter</button>
${filtered ? html`<a href="${base}">Clear filters</a>` : html``}
</form>
${table}
${pager}`,
  );
}

function pipelineRow(repository: string, pipeline: PipelineSummary, now: number) {
  const url = `${path`/ui/repositories/${repository}/runs/${pipeline.runId}`}#pipeline-${pipeline.index}`;
  return html`<tr>
<td class="first wrap" data-label="Config file"><a href="${url}"><code>${pipeline.file}</code></a></td>
<td data-label="Event">${pipeline.event}</td>
<td class="wrap" data-label="Bookmark">${pipeline.bookmark}</td>
<td class="wrap" data-label="Pattern">${pipeline.pattern === null ? "" : html`<code>${pipeline.pattern}</code>`}</td>
<td data-label="Status">${statusPill(pipeline.status)}</td>
<td class="num" data-label="Started">${timeElement(pipeline.startedAt ?? pipeline.createdAt)}</td>
<td class="num" data-label="Duration">${durationText(pipeline.startedAt, pipeline.finishedAt, now)}</td>
</tr>
`;
}
