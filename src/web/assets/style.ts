// The one stylesheet of the web UI, served at /ui/assets/style.css. System
// fonts only, so no page loads anything from another origin.

const ANSI_PALETTE = [
  "#3b3b3b",
  "#f2777a",
  "#99cc99",
  "#ffcc66",
  "#6699cc",
  "#cc99cc",
  "#66cccc",
  "#d3d0c8",
  "#747369",
  "#ff9da4",
  "#b9f18d",
  "#ffeead",
  "#99c2ff",
  "#ebbbff",
  "#99ffff",
  "#ffffff",
];

function ansiRules(): string {
  return ANSI_PALETTE.map(
    (color, index) => `.a-f${index}{color:${color}}.a-b${index}{background-color:${color}}`,
  ).join("\n");
}

export const STYLE_CSS = `
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#fff;--soft:#f6f8fa;--link:#0b57d0;--focus:#0b57d0;
--ok:#1a7f37;--bad:#c62828;--run:#0b57d0;--warn:#9a6700;--off:#59636e}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
a{color:var(--link)}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,summary:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.skip{position:absolute;left:-9999px}
.skip:focus{left:8px;top:8px;background:#fff;padding:4px 8px;z-index:10}
header.top{display:flex;flex-wrap:wrap;align-items:center;gap:8px 16px;padding:10px 16px;border-bottom:1px solid var(--line);background:var(--soft)}
header.top .brand{font-weight:700;text-decoration:none;color:var(--fg);font-size:17px}
header.top nav{display:flex;gap:16px;align-items:center;margin-left:auto}
header.top form{margin:0}
main{max-width:1100px;margin:0 auto;padding:16px}
h1{font-size:22px;margin:8px 0 4px;overflow-wrap:anywhere}
h2{font-size:18px;margin:24px 0 8px}
h3{font-size:16px;margin:0}
.crumbs{color:var(--muted);margin:0;font-size:14px;overflow-wrap:anywhere}
.crumbs a{color:var(--muted)}
.meta{color:var(--muted);font-size:14px;margin:4px 0 12px}
.meta span+span::before{content:" · "}
p.empty{color:var(--muted);padding:16px;border:1px dashed var(--line);border-radius:6px}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:8px 10px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:13px;color:var(--muted);font-weight:600}
td.num{font-variant-numeric:tabular-nums;white-space:nowrap}
time{white-space:nowrap}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:13px}
.wrap{overflow-wrap:break-word}
.desc{color:var(--muted);font-size:14px;white-space:pre-wrap;overflow-wrap:anywhere;margin:2px 0 0}
.st{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;color:#fff;white-space:nowrap}
.st-success{background:var(--ok)}.st-failed,.st-timeout{background:var(--bad)}
.st-running,.st-queued,.st-pending{background:var(--run)}
.st-cancelled,.st-skipped{background:var(--off)}.st-interrupted{background:var(--warn)}
.st-none{background:#8c959f}
.st-running::before{content:"";display:inline-block;width:7px;height:7px;margin-right:5px;border-radius:50%;background:#fff;vertical-align:1px;animation:pulse 1.2s ease-in-out infinite}
@keyframes pulse{50%{opacity:.3}}
@media (prefers-reduced-motion:reduce){.st-running::before{animation:none}}
.button,button{display:inline-block;font:inherit;font-size:14px;padding:6px 14px;border:1px solid var(--line);border-radius:6px;background:var(--soft);color:var(--fg);cursor:pointer;text-decoration:none;min-height:36px}
button.danger{background:#fff;border-color:var(--bad);color:var(--bad)}
button.danger:hover{background:var(--bad);color:#fff}
button.link{border:0;background:none;color:var(--link);padding:0;min-height:0;text-decoration:underline}
button:disabled{opacity:.6;cursor:default}
form.filters{display:flex;flex-wrap:wrap;gap:8px 12px;align-items:end;margin:8px 0 12px}
form.filters label{display:flex;flex-direction:column;font-size:13px;color:var(--muted)}
input,select{font:inherit;font-size:15px;padding:6px 8px;border:1px solid #8c959f;border-radius:6px;background:#fff;color:var(--fg);min-height:36px}
input.snippet{width:100%;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:13px}
.signin{max-width:420px;margin:48px auto;padding:24px;border:1px solid var(--line);border-radius:8px}
.signin label{display:block;font-weight:600;margin:12px 0 4px}
.signin input{width:100%}
.signin p.hint{color:var(--muted);font-size:14px}
.error{color:var(--bad);font-weight:600}
.pager{display:flex;gap:12px;align-items:center;margin:12px 0;flex-wrap:wrap}
.pager .disabled{color:var(--muted)}
section.pipeline{border:1px solid var(--line);border-radius:8px;margin:16px 0;overflow:hidden}
section.pipeline>header{display:flex;flex-wrap:wrap;gap:6px 12px;align-items:center;padding:10px 12px;background:var(--soft);border-bottom:1px solid var(--line)}
section.pipeline>header h2{margin:0;font-size:15px}
section.pipeline>header .when{color:var(--muted);font-size:13px}
section.pipeline>header form{margin:0 0 0 auto}
.reason{margin:8px 12px;overflow-wrap:anywhere}
.pipeline-reason{color:var(--bad)}
.task{border-top:1px solid var(--line)}
.task:first-of-type{border-top:0}
.task>details>summary{display:flex;flex-wrap:wrap;gap:4px 12px;align-items:center;padding:8px 12px;cursor:pointer;list-style:none}
.task>details>summary::-webkit-details-marker{display:none}
.task>details>summary .name::before{content:"▸ ";color:var(--muted)}
.task>details[open]>summary .name::before{content:"▾ "}
.task .facts{color:var(--muted);font-size:13px}
.task .facts span+span::before{content:" · "}
pre.log{counter-reset:line;margin:0;padding:8px 0;background:#1d1f21;color:#d3d0c8;overflow:auto;max-height:70vh;font-size:13px;line-height:1.45}
pre.log:empty{display:none}
pre.log .l{display:block;position:relative;padding:0 12px 0 5.5em;white-space:pre-wrap;overflow-wrap:anywhere;counter-increment:line}
pre.log .l::before{content:counter(line);position:absolute;left:0;width:4.5em;text-align:right;color:#6b6b6b;user-select:none}
pre.log .l.err{color:#f2b8b5}
pre.log .l.info{color:#9ecbff}
pre.log .more{display:block;color:#999;padding:0 12px;font-style:italic}
.a-bold{font-weight:700}.a-dim{opacity:.7}.a-italic{font-style:italic}.a-underline{text-decoration:underline}
${ansiRules()}
.live{font-size:13px;color:var(--muted)}
@media (max-width:700px){
  main{padding:12px}
  header.top nav{margin-left:0;width:100%}
  table.stack thead{position:absolute;left:-9999px}
  table.stack tr{display:block;border:1px solid var(--line);border-radius:8px;margin:0 0 10px;padding:6px 10px}
  table.stack td{display:flex;gap:12px;border:0;padding:3px 0}
  table.stack td::before{content:attr(data-label);flex:0 0 6.5em;color:var(--muted);font-size:13px}
  table.stack td.first{font-weight:600}
  table.stack td.first::before{display:none}
  pre.log .l{padding-left:3.6em}
  pre.log .l::before{width:3em}
  table.stack td>.cell{min-width:0}
}
`;
