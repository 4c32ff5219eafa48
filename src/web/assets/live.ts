// The one script of the web UI, served at /ui/assets/live.js. It follows a
// running run over Server-Sent Events and submits cancel forms without a
// page load; every page works without it. Markup it inserts comes from the
// server, which escapes it; text it sets goes through textContent.

export const LIVE_JS = `"use strict";
(function () {
  var state = document.getElementById("live-state");
  function say(text) { if (state) state.textContent = text; }
  function pill(status) {
    var span = document.createElement("span");
    span.className = "st st-" + status;
    span.setAttribute("data-status", status);
    span.textContent = status;
    return span;
  }
  function setPill(holder, status) {
    if (!holder) return;
    holder.textContent = "";
    holder.appendChild(pill(status));
  }
  var ACTIVE = { queued: 1, running: 1, pending: 1 };

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || !form.classList || !form.classList.contains("cancel")) return;
    event.preventDefault();
    var button = form.querySelector("button");
    button.disabled = true;
    button.textContent = "Cancelling…";
    fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      headers: { accept: "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      say("Cancel requested.");
    }).catch(function (error) {
      button.disabled = false;
      button.textContent = "Cancel pipeline";
      say("Cancelling failed (" + error.message + "); try again.");
    });
  });

  var run = document.getElementById("run");
  if (!run || !run.getAttribute("data-live-url") || !window.EventSource) return;
  var liveUrl = run.getAttribute("data-live-url");
  var runUrl = liveUrl.replace(/\\/live$/, "");

  function logOf(pipeline, task) {
    var id = "pipeline-" + pipeline + (task === null || task === undefined ? "" : "-task-" + task) + "-log";
    var pre = document.getElementById(id);
    if (!pre && (task === null || task === undefined)) {
      var section = document.getElementById("pipeline-" + pipeline);
      if (!section) return null;
      pre = document.createElement("pre");
      pre.className = "log";
      pre.id = id;
      section.insertBefore(pre, section.querySelector(".tasks"));
    }
    return pre;
  }
  // Line numbers count the lines a long log leaves off the page.
  function countOf(pre) {
    return Number(pre.getAttribute("data-skipped") || 0) + pre.querySelectorAll(".l").length;
  }
  function append(pre, html) {
    var follow = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
    var last = pre.lastElementChild;
    if (last && last.className === "more") last.insertAdjacentHTML("beforebegin", html);
    else pre.insertAdjacentHTML("beforeend", html);
    trim(pre);
    if (follow) pre.scrollTop = pre.scrollHeight;
  }
  // A page left open on a long task keeps at most this many lines.
  var MAX_LINES = 10000;
  function trim(pre) {
    var lines = pre.querySelectorAll(".l");
    if (lines.length <= MAX_LINES) return;
    var drop = lines.length - MAX_LINES + 1000;
    for (var index = 0; index < drop; index++) lines[index].remove();
    var skipped = Number(pre.getAttribute("data-skipped") || 0) + drop;
    pre.setAttribute("data-skipped", String(skipped));
    pre.style.counterReset = "line " + skipped;
  }
  var pending = new Map();
  function fill(pre, pipeline, task) {
    var from = countOf(pre) + 1;
    pending.set(pre, []);
    var url = runUrl + "/log?pipeline=" + pipeline + (task === null || task === undefined ? "" : "&task=" + task) + "&from=" + from;
    fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    }).then(function (body) {
      body.lines.forEach(function (line) { if (line.number === countOf(pre) + 1) append(pre, line.html); });
    }).catch(function () { location.reload(); }).then(function () {
      var queued = pending.get(pre) || [];
      pending.delete(pre);
      queued.forEach(function (line) { if (line.number === countOf(pre) + 1) append(pre, line.html); });
    });
  }
  function onLog(data) {
    var pre = logOf(data.pipeline, data.task);
    if (!pre) { location.reload(); return; }
    if (pending.has(pre)) { pending.get(pre).push(data); return; }
    var count = countOf(pre);
    if (data.number <= count) return;
    if (data.number > count + 1) { pending.set(pre, [data]); fill(pre, data.pipeline, data.task); return; }
    append(pre, data.html);
  }
  function onCount(data) {
    var pre = logOf(data.pipeline, data.task);
    if (!pre) { location.reload(); return; }
    if (!pending.has(pre) && countOf(pre) < data.count) fill(pre, data.pipeline, data.task);
  }
  function onTask(data) {
    var block = document.getElementById("pipeline-" + data.pipeline + "-task-" + data.task);
    if (!block) { location.reload(); return; }
    block.setAttribute("data-status", data.status);
    setPill(block.querySelector("summary .pill"), data.status);
    var facts = block.querySelector("summary .facts");
    if (facts) facts.innerHTML = data.factsHtml;
    var reason = block.querySelector(".task-reason");
    if (reason) { reason.textContent = data.reason || ""; reason.hidden = !data.reason; }
    if (data.status === "running") block.querySelector("details").open = true;
  }
  function onPipeline(data) {
    var section = document.getElementById("pipeline-" + data.pipeline);
    if (!section) { location.reload(); return; }
    section.setAttribute("data-status", data.status);
    setPill(section.querySelector("header .pill"), data.status);
    var duration = section.querySelector("header .duration");
    if (duration) duration.textContent = data.duration ? " · " + data.duration : "";
    var reason = section.querySelector(".pipeline-reason");
    if (reason) { reason.textContent = data.reason || ""; reason.hidden = !data.reason; }
    if (!ACTIVE[data.status]) {
      var form = section.querySelector("form.cancel");
      if (form) form.remove();
    }
  }
  // Live lines can reach the page before the server stores them, so a
  // line missed around connecting is fetched again once the run ends.
  function catchUp() {
    var logs = document.querySelectorAll("pre.log[id]");
    for (var index = 0; index < logs.length; index++) {
      var match = /^pipeline-(d+)(?:-task-(d+))?-log$/.exec(logs[index].id);
      if (match && !pending.has(logs[index])) fill(logs[index], match[1], match[2]);
    }
  }
  function onRun(data) {
    run.setAttribute("data-run-status", data.status);
    setPill(document.getElementById("run-status"), data.status);
    if (!ACTIVE[data.status]) {
      source.close();
      catchUp();
      say("This run finished: " + data.status + ".");
    }
  }

  var source = new EventSource(liveUrl);
  var broken = false;
  function on(name, handler) {
    source.addEventListener(name, function (event) { handler(JSON.parse(event.data)); });
  }
  on("log", onLog);
  on("count", onCount);
  on("task", onTask);
  on("pipeline", onPipeline);
  on("run", onRun);
  on("reload", function () { location.reload(); });
  source.addEventListener("open", function () {
    if (broken) { location.reload(); return; }
    say("This run is in progress; the page follows it live.");
  });
  source.addEventListener("error", function () {
    if (source.readyState === EventSource.CLOSED) say("Live updates stopped; reload the page to see the latest state.");
    else { broken = true; say("Live updates interrupted; reconnecting…"); }
  });
})();
`;
