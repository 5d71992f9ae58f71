// The /status page: reads /status/feed every two seconds and draws it. Every text from the feed
// goes in with textContent (an error message is data, never markup). No library, no build step.
"use strict";

const FEED = "/status/feed";
const EVERY_MS = 2000;
const TOKEN_KEY = "netra.status.token";
const SVG = "http://www.w3.org/2000/svg";

function $(id) { return document.getElementById(id); }

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function svg(tag, attributes, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

function ms(value) {
  if (value === null || value === undefined) return "–";
  return value >= 1000 ? (value / 1000).toFixed(2) + " s" : value.toFixed(1) + " ms";
}

function badge(state) { return el("span", state.replace("_", " "), "badge " + state); }

function fillRows(tableId, items, cells, rowClass) {
  const body = $(tableId).querySelector("tbody");
  body.replaceChildren();
  if (items.length === 0) {
    const row = el("tr");
    const cell = el("td", "none", "muted");
    cell.colSpan = $(tableId).querySelectorAll("th").length;
    row.append(cell);
    body.append(row);
    return;
  }
  for (const item of items) {
    const row = el("tr", null, rowClass ? rowClass(item) : "");
    for (const cell of cells(item)) row.append(cell instanceof Node ? wrap(cell) : el("td", cell));
    body.append(row);
  }
}

function wrap(node) {
  if (node.tagName === "TD") return node;
  const cell = el("td");
  cell.append(node);
  return cell;
}

function drawComponents(feed) {
  fillRows("components", feed.startup.components, (c) => [
    el("td", c.name),
    el("td", c.criticality),
    badge(c.state),
    // Start-up makes max_attempts; a degraded component goes on trying in the background.
    c.attempts,
    ms(c.took_ms),
    el("td", c.error || c.reason || "", c.error ? "error" : "muted"),
  ], (c) => c.state);
}

// The start-up timeline: one bar per component from its first attempt to ready (or now), after
// a grey stretch of waiting for what it requires; the critical chain's bars are marked.
function drawGantt(feed) {
  const startup = feed.startup;
  const chain = new Set(startup.critical_chain.map((hop) => hop.name));
  const components = startup.components.filter((c) => c.started_at_ms !== null);
  const end = Math.max(startup.elapsed_ms, 1, ...components.map((c) => c.started_at_ms + c.took_ms));
  const label = 150, width = 720, row = 22, top = 22;
  const chart = $("gantt");
  chart.replaceChildren();
  chart.setAttribute("viewBox", `0 0 ${label + width + 60} ${top + row * components.length + 6}`);
  const x = (t) => label + (t / end) * width;
  for (const fraction of [0, 0.25, 0.5, 0.75, 1]) {
    chart.append(svg("line", { x1: x(end * fraction), x2: x(end * fraction), y1: top - 6,
                               y2: top + row * components.length, class: "axis" }));
    chart.append(svg("text", { x: x(end * fraction), y: 12, "text-anchor": "middle" },
                     ms(end * fraction)));
  }
  components.forEach((c, i) => {
    const y = top + i * row;
    const name = svg("text", { x: 0, y: y + 14 }, (chain.has(c.name) ? "▸ " : "") + c.name);
    chart.append(name);
    if (c.started_at_ms > 0) {
      chart.append(svg("rect", { x: x(0), y: y + 4, width: Math.max(x(c.started_at_ms) - x(0), 1),
                                 height: 12, fill: "#d0d7de" }));
    }
    const color = c.state === "failed" ? "#cf222e"
                : c.state === "degraded" || c.state === "skipped" ? "#bf8700"
                : chain.has(c.name) ? "#8250df" : "#54aeff";
    const bar = svg("rect", { x: x(c.started_at_ms), y: y + 2, height: 16, fill: color,
                              width: Math.max(x(c.started_at_ms + c.took_ms) - x(c.started_at_ms), 2) });
    bar.append(svg("title", {}, `${c.name}: ${c.state}, started at ${ms(c.started_at_ms)}, took ${ms(c.took_ms)}`));
    chart.append(bar);
    chart.append(svg("text", { x: x(c.started_at_ms + c.took_ms) + 4, y: y + 14 }, ms(c.took_ms)));
  });
  const chainText = startup.critical_chain.map((hop) => hop.name).join(" ← ");
  $("startup-summary").textContent =
    `${startup.outcome} in ${ms(startup.elapsed_ms)}` + (chainText ? `; critical chain: ${chainText}` : "");
}

function drawTables(feed) {
  fillRows("breakers", feed.breakers, (b) => [
    el("td", b.name + (b.critical ? " (critical)" : "")), badge(b.state), b.recent_calls,
    b.recent_failures, b.times_opened,
  ], (b) => b.state);
  fillRows("pools", feed.pools, (p) => [p.name, p.in_use, p.idle, p.waiting, p.max],
           (p) => (p.waiting > 0 ? "degraded" : ""));
  fillRows("loops", feed.loops, (l) => [l.loop, ms(l.last_ms), ms(l.recent_max_ms)],
           (l) => (l.recent_max_ms > 100 ? "degraded" : ""));
  const jobs = feed.details.background_tasks;
  $("jobs").textContent = jobs ? JSON.stringify(jobs, null, 2) : "none in this process";
  const warnings = $("warnings");
  warnings.replaceChildren();
  if (feed.warnings.length === 0) warnings.append(el("li", "none", "muted"));
  for (const w of feed.warnings) {
    const since = new Date(w.since * 1000).toISOString().replace("T", " ").slice(0, 19);
    warnings.append(el("li", `${w.kind}: ${w.message} (since ${since})`, "warning"));
  }
  const problems = $("problems");
  problems.replaceChildren();
  if (!feed.problems) {
    problems.append(el("li", "shown to administrators only", "muted"));
  } else if (feed.problems.length === 0) {
    problems.append(el("li", "none since start", "muted"));
  }
  for (const p of (feed.problems || []).slice().reverse()) {
    const when = new Date(p.time * 1000).toISOString().replace("T", " ").slice(0, 19);
    problems.append(el("li", `${when} ${p.level} [${p.logger}] ${p.message}`, p.level));
  }
}

function draw(feed) {
  $("instance").textContent = `${feed.instance.version} (${feed.instance.commit})`;
  const overall = $("overall");
  overall.textContent = feed.ready ? feed.status : `${feed.status}, not ready`;
  overall.className = "badge " + (feed.ready ? feed.status : "not_ready");
  const problem = $("problem");
  const troubled = feed.startup.components.filter((c) => ["failed", "degraded", "skipped"].includes(c.state));
  const lines = feed.reasons.concat(troubled.map((c) => `${c.name} is ${c.state}${c.error ? ": " + c.error : ""}`));
  problem.hidden = lines.length === 0;
  problem.replaceChildren(...lines.map((line) => el("div", line)));
  drawComponents(feed);
  drawGantt(feed);
  drawTables(feed);
  $("updated").textContent = "updated " + new Date().toLocaleTimeString();
}

function askForToken(why) {
  $("sign-in").hidden = false;
  $("sign-in-why").textContent = why;
}

async function refresh() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const headers = token ? { Authorization: "Bearer " + token } : {};
  try {
    const answer = await fetch(FEED, { headers, cache: "no-store" });
    if (answer.status === 401 || answer.status === 403) {
      const body = await answer.json().catch(() => ({}));
      askForToken((body.error && body.error.message) || `the feed answered ${answer.status}`);
      $("overall").textContent = "sign-in needed";
      $("overall").className = "badge pending";
      return;
    }
    if (!answer.ok) throw new Error(`the feed answered ${answer.status}`);
    $("sign-in").hidden = true;
    draw(await answer.json());
  } catch (error) {
    // The instance itself may be down: say so, keep the last picture.
    $("overall").textContent = "unreachable";
    $("overall").className = "badge failed";
    $("updated").textContent = `${error.message} at ${new Date().toLocaleTimeString()}`;
  }
}

function start() {
  // A token handed over in the fragment (never sent to the server, never in its logs) is kept
  // for this tab and taken out of the address bar.
  const fragment = new URLSearchParams(location.hash.slice(1));
  if (fragment.get("token")) {
    sessionStorage.setItem(TOKEN_KEY, fragment.get("token"));
    history.replaceState(null, "", location.pathname + location.search);
  }
  $("token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $("token").value.trim());
    $("token").value = "";
    refresh();
  });
  refresh();
  setInterval(refresh, EVERY_MS);
}

start();
