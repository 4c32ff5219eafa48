import { ansiToHtml } from "../ansi.js";
import { durationText, statusPill, timeElement } from "../format.js";
import { html, path, raw, type SafeHtml } from "../html.js";
import {
  isActive,
  type LogLineView,
  type PageContext,
  type PipelineDetail,
  type RunPage,
  type TaskDetail,
} from "../model.js";
import { layout } from "./layout.js";

/**
 * MAX_PAGE_LOG_LINES is the most lines of one log a run page shows: the
 * last ones, after a link to the whole log as text. The run store keeps
 * every line a task printed, so a chatty task would make a page too large.
 */
export const MAX_PAGE_LOG_LINES = 5000;

/** Renders one log line as the `span.l` element the run page and the live stream use. */
export function logLineHtml(line: LogLineView): SafeHtml {
  const kind = line.stream === "stderr" ? " err" : line.stream === "info" ? " info" : "";
  return html`<span class="l${kind}">${raw(ansiToHtml(line.text))}</span>`;
}

/** Renders a run: each pipeline with its tasks, their status, codes, times and logs. */
export function runPage(context: PageContext, page: RunPage, now: number): string {
  const { repository, run } = page;
  const runUrl = path`/ui/repositories/${repository.name}/runs/${run.id}`;
  const live = isActive(run.status);
  const pipelines = run.pipelines.map((pipeline) =>
    pipelineSection(context, page, pipeline, runUrl, now),
  );
  const empty =
    run.pipelines.length === 0
      ? html`<p class="empty">${live ? "Waiting for the pipelines to start." : "No config matched this event."}</p>`
      : html``;
  return layout(
    context,
    `Run ${run.id.slice(0, 12)} · ${repository.name}`,
    html`<p class="crumbs"><a href="/ui/">Repositories</a> / <a href="${path`/ui/repositories/${repository.name}`}">${repository.name}</a> / <a href="${path`/ui/repositories/${repository.name}/runs`}">CI runs</a> /</p>
<h1>Run <code>${run.id.slice(0, 12)}</code> <span id="run-status">${statusPill(run.status)}</span></h1>
<p class="meta"><span>${run.event} of <strong>${run.bookmark}</strong></span><span>revision <code title="${run.revisionId}">${run.revisionId.slice(0, 12)}</code></span><span>${timeElement(run.createdAt)}</span>${run.startedAt !== null ? html`<span>${durationText(run.startedAt, run.finishedAt, now)}</span>` : html``}</p>
<div id="run" data-run-status="${run.status}"${live ? html` data-live-url="${runUrl}/live"` : html``}>
<p class="live" id="live-state" aria-live="polite">${live ? "This run is in progress; the page follows it live." : ""}</p>
${empty}${pipelines}
</div>`,
  );
}

function pipelineSection(
  context: PageContext,
  page: RunPage,
  pipeline: PipelineDetail,
  runUrl: string,
  now: number,
): SafeHtml {
  const id = `pipeline-${pipeline.index}`;
  const cancel =
    page.canCancel && context.viewer && isActive(pipeline.status)
      ? html`<form method="post" action="${runUrl}/cancel" class="cancel">
<input type="hidden" name="csrf" value="${context.viewer.csrfToken}">
<input type="hidden" name="pipeline" value="${pipeline.index}">
<button type="submit" class="danger">Cancel pipeline</button>
</form>`
      : html``;
  const warnings = pipeline.warnings.map(
    (warning) => html`<p class="reason">Warning: ${warning}</p>`,
  );
  const pipelineLog =
    pipeline.log.length === 0
      ? html``
      : logBlock(
          `${id}-log`,
          pipeline.log,
          `${runUrl}/log.txt?pipeline=${pipeline.index}`,
          html``,
          {},
        );
  return html`<section class="pipeline" id="${id}" data-pipeline="${pipeline.index}" data-status="${pipeline.status}" aria-labelledby="${id}-title">
<header>
<h2 id="${id}-title" class="wrap"><code>${pipeline.file}</code></h2>
<span class="pill">${statusPill(pipeline.status)}</span>
<span class="when">${pipeline.pattern !== null ? html`pattern <code>${pipeline.pattern}</code> · ` : html``}${pipeline.startedAt !== null ? html`started ${timeElement(pipeline.startedAt)}` : html`not started`}<span class="duration">${pipeline.startedAt !== null ? html` · ${durationText(pipeline.startedAt, pipeline.finishedAt, now)}` : html``}</span></span>
${cancel}
</header>
<p class="reason pipeline-reason"${pipeline.reason ? html`` : html` hidden`}>${pipeline.reason ?? ""}</p>
${warnings}${pipelineLog}
<div class="tasks">
${pipeline.tasks.map((task) => taskBlock(pipeline.index, task, runUrl, now))}</div>
</section>
`;
}

/**
 * Renders a log as `pre.log`. A log longer than MAX_PAGE_LOG_LINES shows its
 * last lines; `data-skipped` and the counter start keep line numbers true.
 */
function logBlock(
  id: string,
  log: readonly LogLineView[],
  textUrl: string,
  trailer: SafeHtml,
  options: { label?: string },
): SafeHtml {
  const skipped = Math.max(0, log.length - MAX_PAGE_LOG_LINES);
  const shown = skipped === 0 ? log : log.slice(skipped);
  const label = options.label ? html` tabindex="0" aria-label="${options.label}"` : html``;
  const head =
    skipped === 0
      ? html``
      : html`<span class="more">${skipped} earlier lines are not shown; <a href="${textUrl}">open the whole log as text</a></span>`;
  const start = skipped === 0 ? html`` : html` style="counter-reset:line ${skipped}"`;
  return html`<pre class="log" id="${id}" data-skipped="${skipped}"${start}${label}>${head}${shown.map(logLineHtml)}${trailer}</pre>`;
}

function taskBlock(pipeline: number, task: TaskDetail, runUrl: string, now: number): SafeHtml {
  const id = `pipeline-${pipeline}-task-${task.index}`;
  const open = task.status === "running" || task.status === "failed" || task.status === "timeout";
  const dropped =
    task.droppedLogLines > 0
      ? html`<span class="more">${task.droppedLogLines} more lines were not kept</span>`
      : html``;
  return html`<div class="task" id="${id}" data-task="${task.index}" data-status="${task.status}">
<details${open ? html` open` : html``}>
<summary><span class="name">${task.index + 1}. ${task.type} <code class="wrap">${task.name}</code></span><span class="pill">${statusPill(task.status)}</span><span class="facts">${taskFactsHtml(task, now)}</span></summary>
<p class="reason task-reason"${task.reason ? html`` : html` hidden`}>${task.reason ?? ""}</p>
${logBlock(`${id}-log`, task.log, `${runUrl}/log.txt?pipeline=${pipeline}&task=${task.index}`, dropped, { label: `Log of task ${task.index + 1}` })}
</details>
</div>
`;
}

/** Renders the codes and times of a task; the live script renders the same facts from updates. */
export function taskFactsHtml(task: TaskDetail, now: number): SafeHtml {
  const facts: SafeHtml[] = [];
  if (task.exitCode !== null) facts.push(html`<span>exit code ${task.exitCode}</span>`);
  if (task.httpStatus !== null) facts.push(html`<span>HTTP ${task.httpStatus}</span>`);
  if (task.startedAt !== null) {
    facts.push(html`<span>started ${timeElement(task.startedAt)}</span>`);
    facts.push(html`<span>${durationText(task.startedAt, task.finishedAt, now)}</span>`);
  }
  return html`${facts}`;
}
