// The dashboard: picks a scope and a date, shows every indicator against the plan, a yearly chart,
// the persons behind a number and the plan's measures. Plain JS and inline SVG: works offline.
// It asks the API with the session cookie set by «Вход» (never a token in the page or the address).
"use strict";

const STATUS_TEXT = { met: "цель достигнута", behind: "отставание", no_target: "цель не задана",
                      no_data: "нет данных", not_applicable: "не применяется" };
const MEASURE_TEXT = { done: "выполнено", due: "в работе", overdue: "просрочено" };
const $ = (id) => document.getElementById(id);
const state = { tree: [], indicators: [], selected: null, plan: null, run: 0, started: false };

// --- API -----------------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

// «Выйти» (or a lapsed session) ends the page's work: the requests in flight are aborted and none is started
// after, so none goes out once the session cookie is cleared (each would be answered 401, an error in the
// console). Their callers are left waiting for the page to go, with nothing more to show.
const leaving = new AbortController();
const gone = () => new Promise(() => {});

function leave() { leaving.abort(); }

async function request(path) {
  if (leaving.signal.aborted) return gone();
  let response;
  try {
    response = await fetch(path, { credentials: "same-origin", signal: leaving.signal });
  } catch (error) { if (leaving.signal.aborted) return gone(); throw error; }
  if (response.status === 401) { leave(); window.location.assign("/login"); return gone(); }
  return response;
}

async function body(response, read) {
  try { return await response[read](); } catch (error) { if (leaving.signal.aborted) return gone(); throw error; }
}

async function api(path, params) {
  const query = params ? "?" + new URLSearchParams(Object.entries(params).filter(([, v]) => v !== "" && v != null)) : "";
  const response = await request(path + query);
  if (!response.ok) {
    let detail = response.statusText;
    try { const answer = await response.json(); detail = typeof answer.detail === "string" ? answer.detail : JSON.stringify(answer.detail); } catch (e) { /* not JSON */ }
    throw new ApiError(response.status, detail);
  }
  return body(response, "json");
}

function say(text) { $("message").textContent = text || ""; }

function explain(error) {
  if (error.status === 401) return "Нужен вход: откройте страницу «Вход».";
  if (error.status === 403) return "Нет доступа: " + error.message;
  if (error.status === 503) return "Данные ещё загружаются, обновите страницу через несколько секунд.";
  return "Ошибка: " + error.message;
}

// --- formatting ----------------------------------------------------------------------------------

function formatValue(value, unit) {
  if (value === null || value === undefined) return "—";
  if (unit === "share") return (value * 100).toFixed(1).replace(".", ",") + " %";
  return String(Math.round(value * 10000) / 10000).replace(".", ",");
}

function ruDate(iso) { return iso ? iso.split("-").reverse().join(".") : ""; }

// The definition variant an answer used (SPEC §4.2), in the words of the report (report.py gives them to the page).
const WORDS = JSON.parse(document.getElementById("definition-words")?.textContent || '{"dimensions": {}, "values": {}}');

function definitionText(definition) {
  return Object.entries(definition || {}).filter(([name]) => name !== "period_start").map(([name, value]) => {
    const project = value.startsWith("project:") ? value.slice(8) : null;
    let text = project !== null ? `участники проекта «${(WORDS.projects || {})[project] || project}»` : (WORDS.values[value] || value);
    if (value === "since_period_start" && definition.period_start) text += ` (с ${ruDate(definition.period_start)})`;
    return `${WORDS.dimensions[name] || name}: ${text}`;
  }).join("; ");
}

// the date field is in Russian form (дд.мм.гггг) whatever the browser's language; the API takes ISO
function isoOf(text) {
  const match = /^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*$/.exec(text || "");
  if (!match) return "";
  const [, d, m, y] = match;
  const iso = `${y}-${m.padStart(2, "0")}-${d.padStart(2, "0")}`;
  const check = new Date(iso + "T00:00:00Z");
  return !isNaN(check) && check.toISOString().slice(0, 10) === iso ? iso : "";
}

function todayIso() {
  const now = new Date();
  return [now.getFullYear(), String(now.getMonth() + 1).padStart(2, "0"), String(now.getDate()).padStart(2, "0")].join("-");
}

function asOf() { return isoOf($("as-of").value) || todayIso(); }
function setAsOf(iso) { $("as-of").value = ruDate(iso); }

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "class") node.className = value; else if (key.startsWith("data-")) node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(child ?? ""));
  return node;
}

// --- scope pickers -------------------------------------------------------------------------------

function fill(select, items, allLabel) {
  select.replaceChildren();
  if (allLabel) select.append(el("option", { value: "" }, allLabel));
  for (const item of items) select.append(el("option", { value: item.id }, item.name));
  select.disabled = items.length === 0;
}

function currentRegion() { return state.tree.find((r) => r.id === $("region").value); }
function currentMunicipality() {
  const region = currentRegion();
  return region ? region.municipalities.find((m) => m.id === $("municipality").value) : undefined;
}

function onRegion() {
  const region = currentRegion();
  const municipalities = region ? region.municipalities : [];
  fill($("municipality"), municipalities, region && region.readable ? "— весь регион —" : null);
  if (municipalities.length === 1 || !(region && region.readable)) $("municipality").value = municipalities[0]?.id ?? "";
  onMunicipality();
}

function onMunicipality() {
  const municipality = currentMunicipality();
  const organizations = municipality ? municipality.organizations : [];
  fill($("organization"), organizations, !municipality || municipality.readable ? "— все организации —" : null);
  refresh();
}

function scope() {
  if ($("organization").value) return "organization:" + $("organization").value;
  if ($("municipality").value) return "municipality:" + $("municipality").value;
  if ($("region").value) return "region:" + $("region").value;
  return "";
}

function scopeName() {
  const pick = (select) => select.value ? select.options[select.selectedIndex].text : "";
  return pick($("organization")) || pick($("municipality")) || pick($("region"));
}

async function loadScopes() {
  try {
    const answer = await api("/api/v1/scopes");
    state.tree = answer.regions;
  } catch (error) { say(explain(error)); return; }
  if (state.tree.length === 0) { say("Пока нет ни одной организации: данные ещё не поступили."); return; }
  fill($("region"), state.tree, null);
  onRegion();
}

// --- indicator cards -----------------------------------------------------------------------------

// The plan's targets of the year for the scope's municipality, by indicator (a school compares with them).
function planTargets(year) {
  const found = {};
  if (!state.plan) return found;
  for (const t of state.plan.targets) if (t.year === year) found[t.indicator] = t.value;
  return found;
}

function planTargetYears() {
  const byCode = {};
  if (!state.plan) return byCode;
  for (const t of state.plan.targets) (byCode[t.indicator] = byCode[t.indicator] || {})[t.year] = t.value;
  return byCode;
}

// When no plan has a target for today's year, open on the latest year that has one, and say so.
async function chooseStartDate() {
  const municipality = $("municipality").value;
  if (state.started || !municipality) return;
  state.started = true;
  let list;
  try { list = await api("/api/v1/plans", { municipality }); } catch (error) { return; }
  if (!list.plans.length) return;
  const today = todayIso();
  const thisYear = Number(today.slice(0, 4));
  let latest = 0;
  let title = "";
  for (const summary of list.plans) {
    const plan = await api("/api/v1/plans/" + encodeURIComponent(summary.plan_id), { as_of: today });
    const years = plan.targets.map((t) => t.year);
    if (years.includes(thisYear)) return;
    const last = Math.max(0, ...years.filter((y) => y < thisYear));
    if (last > latest) { latest = last; title = plan.title; }
  }
  if (!latest) return;
  setAsOf(`${latest}-12-31`);
  $("note").textContent = `На ${thisYear} год в плане нет целевых значений; показаны данные на 31.12.${latest} — ` +
    `последний год плана «${title}», для которого заданы цели. Дату можно изменить.`;
}

async function refresh() {
  const where = scope();
  if (!where) return;
  const run = ++state.run;
  say("");
  await chooseStartDate();
  if (run !== state.run) return;
  $("scope-title").textContent = scopeName() + " — на " + ruDate(asOf());
  await loadPlan();
  let answer;
  try {
    answer = await api("/api/v1/indicators", { scope: where, as_of: asOf() });
  } catch (error) { say(explain(error)); return; }
  if (run !== state.run) return;
  state.indicators = answer.indicators;
  renderDownloads();
  renderCards();
  $("cards").dataset.asOf = answer.as_of;  // which day the cards show (pages and tests wait for it)
  sparklines(run);
  loadCycle(run);
  if (state.selected) await showDetail(state.selected);
}

function renderDownloads() {
  const municipality = currentMunicipality();
  const show = !$("organization").value && municipality && municipality.readable;
  $("downloads").hidden = !show;
  if (!show) return;
  const year = asOf().slice(0, 4);
  for (const format of ["xlsx", "csv"]) {
    const query = new URLSearchParams({ municipality: municipality.id, year, format });
    $("report-" + format).href = "/api/v1/reports/monitoring?" + query;
    $("report-" + format).textContent = `Отчёт мониторинга за ${year} год (${format.toUpperCase()})`;
  }
}

function targetLine(item, ownTarget) {
  if (item.target != null) return "цель: " + formatValue(item.target, item.unit);
  if (ownTarget != null) return "цель муниципалитета: " + formatValue(ownTarget, item.unit);
  return "";
}

function renderCards() {
  const municipal = scope().startsWith("organization:") ? planTargets(Number(asOf().slice(0, 4))) : {};
  const cards = state.indicators.map((item) => {
    const target = targetLine(item, municipal[item.code]);
    // one "цель не задана" at most: said by the status; a school's card names its municipality's target instead
    const status = item.status === "no_target" && target ? "" : (STATUS_TEXT[item.status] || item.status);
    const card = el("button", { type: "button", class: "card " + item.status, "data-code": item.code,
                                "data-status": item.status },
      el("div", { class: "name" }, item.name, item.reported ? el("span", { class: "badge" }, "опрос") : ""),
      el("div", { class: "value", "data-value": item.value ?? "" }, formatValue(item.value, item.unit)),
      el("div", { class: "fraction" }, item.numerator == null ? (item.reported ? "значение из отчёта" : "")
        : el("span", {}, el("span", { class: "numerator" }, String(item.numerator)),
             item.denominator == null ? "" : " из " + item.denominator)),
      el("div", { class: "target" }, target),
      el("div", { class: "status" }, status),
      el("div", { class: "spark", "aria-hidden": "true" }));
    if (item.code === state.selected) card.classList.add("selected");
    card.addEventListener("click", () => { showDetail(item.code); $("detail").scrollIntoView({ block: "start" }); });
    return card;
  });
  $("cards").replaceChildren(...cards);
}

// A small yearly chart on each card: the last five years' values against the plan's targets.
async function sparklines(run) {
  const year = Number(asOf().slice(0, 4));
  const municipal = scope().startsWith("organization:") ? planTargetYears() : {};
  const queue = state.indicators.map((item) => item);
  const work = async () => {
    while (queue.length) {
      const item = queue.shift();
      let answer;
      try {
        answer = await api("/api/v1/indicators/" + encodeURIComponent(item.code),
                           { scope: scope(), from_year: year - 4, to_year: year });
      } catch (error) { continue; }
      if (run !== state.run) return;
      const own = municipal[item.code] || {};
      const series = answer.series.map((p) => ({ ...p, target: p.target ?? own[p.year] ?? null }));
      const box = document.querySelector(`.card[data-code="${item.code}"] .spark`);
      if (box) box.replaceChildren(spark(series, answer.unit));
    }
  };
  await Promise.all([work(), work(), work()]);
}

function svgNode(tag, attrs, text) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function spark(series, unit) {
  const width = 150, height = 34, gap = 3;
  const values = series.flatMap((p) => [p.value, p.target]).filter((v) => v != null);
  const max = Math.max(unit === "share" ? 0.0001 : 1, ...values) * 1.1;
  const step = width / Math.max(1, series.length);
  const y = (v) => height - 2 - (height - 4) * (v / max);
  const root = svgNode("svg", { viewBox: `0 0 ${width} ${height}`, width, height, class: "sparkline" });
  let path = "";
  series.forEach((point, i) => {
    const x = i * step;
    if (point.value != null) {
      const bar = svgNode("rect", { x: x + gap / 2, width: step - gap, y: y(point.value),
                                    height: Math.max(1, height - 2 - y(point.value)), class: "bar " + point.status });
      bar.append(svgNode("title", {}, `${point.year}: ${formatValue(point.value, unit)}` +
        (point.target != null ? `, цель ${formatValue(point.target, unit)}` : "")));
      root.append(bar);
    }
    if (point.target != null) path += (path ? " L" : "M") + (x + step / 2) + " " + y(point.target);
  });
  if (path) root.append(svgNode("path", { d: path, class: "target" }));
  return root;
}

// --- yearly chart (inline SVG) -------------------------------------------------------------------

function years() {
  const year = Number(asOf().slice(0, 4));
  let from = year - 5;
  let to = year;
  if (state.plan) {
    from = Math.min(from, Number(state.plan.period_start.slice(0, 4)));
    to = Math.max(to, Number(state.plan.period_end.slice(0, 4)));
  }
  return { from_year: Math.max(from, year - 10), to_year: Math.min(to, year + 3) };
}

async function showDetail(code) {
  state.selected = code;
  document.querySelectorAll(".card").forEach((c) => c.classList.toggle("selected", c.dataset.code === code));
  const item = state.indicators.find((i) => i.code === code);
  $("detail").hidden = false;
  if ($("members")) {
    $("members").replaceChildren();
    $("members-button").hidden = !!(item && item.reported);
  }
  $("detail-title").textContent = item ? item.name : code;
  const definition = item ? definitionText(item.definition) : "";
  $("definition").textContent = definition ? "Определение: " + definition : "";
  try {
    const answer = await api("/api/v1/indicators/" + encodeURIComponent(code), { scope: scope(), ...years() });
    const own = (scope().startsWith("organization:") ? planTargetYears() : {})[code] || {};
    const series = answer.series.map((p) => ({ ...p, target: p.target ?? own[p.year] ?? null }));
    $("chart").replaceChildren(chart(series, answer.unit));
  } catch (error) { $("chart").replaceChildren(el("p", {}, explain(error))); }
}

function chart(series, unit) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = (tag, attrs, text) => {
    const node = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const width = 720, height = 260, left = 56, bottom = 30, top = 16;
  const values = series.flatMap((p) => [p.value, p.target]).filter((v) => v != null);
  const max = unit === "share" ? Math.max(1, ...values) : Math.max(1, ...values) * 1.15;
  const y = (v) => top + (height - top - bottom) * (1 - v / max);
  const step = (width - left - 10) / Math.max(1, series.length);
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": "Значения по годам и цели плана" });
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    root.append(svg("line", { x1: left, x2: width - 10, y1: y(v), y2: y(v), class: "axis", "stroke-opacity": 0.35 }));
    root.append(svg("text", { x: left - 6, y: y(v) + 4, "text-anchor": "end" }, formatValue(v, unit)));
  }
  let path = "";
  series.forEach((point, i) => {
    const x = left + i * step;
    if (point.value != null) {
      const bar = svg("rect", { x: x + step * 0.2, width: step * 0.6, y: y(point.value),
                                height: Math.max(0, y(0) - y(point.value)), class: "bar " + point.status });
      bar.append(svg("title", {}, `${point.year}: ${formatValue(point.value, unit)}`));
      root.append(bar);
      root.append(svg("text", { x: x + step / 2, y: y(point.value) - 4, "text-anchor": "middle" },
                      formatValue(point.value, unit)));
    }
    if (point.target != null) {
      path += (path ? " L" : "M") + (x + step / 2) + " " + y(point.target);
      const dot = svg("circle", { cx: x + step / 2, cy: y(point.target), r: 3.5, class: "target-dot" });
      dot.append(svg("title", {}, `цель ${point.year}: ${formatValue(point.target, unit)}`));
      root.append(dot);
    }
    root.append(svg("text", { x: x + step / 2, y: height - 10, "text-anchor": "middle" }, String(point.year)));
  });
  if (path) root.append(svg("path", { d: path, class: "target" }));
  root.append(svg("line", { x1: left, x2: width - 10, y1: y(0), y2: y(0), class: "axis" }));
  return root;
}

// --- members (ФИО, school and position from the registry, for roles allowed to see persons) ------

async function showMembers() {
  if (!state.selected) return;
  const query = new URLSearchParams({ scope: scope(), as_of: asOf() });
  const response = await request("/members/" + encodeURIComponent(state.selected) + "?" + query);
  $("members").innerHTML = await body(response, "text");  // server-rendered, escaped by the template
}

// --- the plan's measures -------------------------------------------------------------------------

function municipalityOfScope() {
  if ($("municipality").value) return $("municipality").value;
  return "";
}

async function loadPlan() {
  state.plan = null;
  $("plan").hidden = true;
  const municipality = municipalityOfScope();
  if (!municipality) return;
  const day = asOf();
  try {
    const list = await api("/api/v1/plans", { municipality });
    if (!list.plans.length) return;
    const covering = list.plans.filter((p) => p.period_start <= day && day <= p.period_end);
    const chosen = (covering.length ? covering : list.plans)[0];
    state.plan = await api("/api/v1/plans/" + encodeURIComponent(chosen.plan_id), { as_of: day });
  } catch (error) {
    if (error.status !== 403) say(explain(error));
    state.plan = null;
    return;
  }
  renderPlan(state.plan);
}

function renderPlan(plan) {
  $("plan").hidden = false;
  $("plan-title").textContent = plan.title;
  const counts = { done: 0, due: 0, overdue: 0 };
  plan.measures.forEach((m) => { counts[m.status] += 1; });
  $("plan-summary").textContent = `Период ${ruDate(plan.period_start)} — ${ruDate(plan.period_end)}. ` +
    `Мероприятий: ${plan.measures.length}; ` +
    `выполнено ${counts.done}, в работе ${counts.due}, просрочено ${counts.overdue}.`;
  const ordered = [...plan.measures].sort((a, b) => a.measure_id.localeCompare(b.measure_id, "ru", { numeric: true }));
  const municipality = currentMunicipality();
  const schools = municipality ? municipality.organizations.filter((o) => o.kind === "school").length : 0;
  $("measures").replaceChildren(...ordered.map((m) => el("tr", { class: m.status, "data-measure": m.measure_id },
    el("td", {}, m.measure_id), el("td", {}, m.title), el("td", {}, ruDate(m.due_on)), el("td", {}, m.responsible),
    el("td", { class: "st" }, MEASURE_TEXT[m.status] + (m.completed_on ? " " + ruDate(m.completed_on) : "") +
      (m.done_by && m.done_by.length ? ` (ОО: ${m.done_by.length}` + (schools ? ` из ${schools})` : ")") : "")))));
}

// --- the yearly management cycle (SPEC §5.1) ------------------------------------------------------

function indicatorName(code) {
  const found = state.indicators.find((i) => i.code === code);
  return found ? found.name : code;
}

async function loadCycle(run) {
  $("cycle").hidden = true;
  const municipality = municipalityOfScope();
  if (!municipality) return;
  const year = asOf().slice(0, 4);
  let cycle;
  try {
    cycle = await api("/api/v1/cycle/" + encodeURIComponent(municipality) + "/" + year);
  } catch (error) {
    if (error.status !== 403) say(explain(error));
    return;
  }
  if (run !== state.run) return;
  renderCycle(cycle);
}

function renderCycle(cycle) {
  $("cycle").hidden = false;
  $("cycle-year").textContent = cycle.year;
  const late = cycle.steps.filter((s) => s.state === "overdue").map((s) => "«" + s.name + "»");
  $("cycle-summary").textContent = late.length ? "Просрочено: " + late.join(", ") + "." : "Просроченных этапов нет.";
  $("cycle-steps").replaceChildren(...cycle.steps.map((s) => el("tr", { class: s.state, "data-step": s.step },
    el("td", {}, s.name), el("td", {}, ruDate(s.deadline)),
    el("td", { class: "st" }, MEASURE_TEXT[s.state] + (s.late ? " (с опозданием)" : "")),
    el("td", {}, ruDate(s.done_on)))));
  $("cycle-behind").replaceChildren(...(cycle.behind.length ? cycle.behind.map((b) => el("li", {},
    `${b.name}: ${formatValue(b.value, b.unit)} при цели ${formatValue(b.target, b.unit)}` +
    (b.recommended ? "" : " — рекомендаций нет"))) : [el("li", {}, "нет")]));
  renderMonitoring(cycle);
  const org = $("organization").value;
  const shown = cycle.recommendations.filter((r) => !org || !r.org_id || r.org_id === org);
  $("recommendations").replaceChildren(...shown.map((r) => el("tr", { class: r.state, "data-recommendation": r.recommendation_id },
    el("td", {}, r.org_name || "все организации"), el("td", {}, r.indicators.map(indicatorName).join("; ")),
    el("td", {}, r.text), el("td", {}, ruDate(r.due_on)),
    el("td", { class: "st" }, MEASURE_TEXT[r.state] + (r.completed_on ? " " + ruDate(r.completed_on) : "")))));
}

// The monitoring of the year before: a button to submit it (frozen; operators and admins), or the frozen file
// and how many indicators late facts have changed since.
async function renderMonitoring(cycle) {
  const step = cycle.steps.find((s) => s.step === "monitoring");
  const year = step.reported_year;
  const base = "/api/v1/monitoring/" + encodeURIComponent(cycle.municipality_id) + "/" + year;
  const button = $("submit-monitoring");
  $("submitted-report").hidden = true;
  $("submitted-changes").textContent = "";
  if (step.state !== "done") {
    if (button) {
      button.hidden = false;
      button.textContent = `Сдать отчёт мониторинга за ${year} год`;
      button.onclick = () => submitMonitoring(base, cycle);
    }
    return;
  }
  if (button) button.hidden = true;
  $("submitted-report").href = base + "/report.xlsx";
  $("submitted-report").textContent = `Сданный отчёт за ${year} год (XLSX), ${ruDate(step.done_on)}`;
  $("submitted-report").hidden = false;
  try {
    const submission = await api(base);
    $("submitted-changes").textContent = submission.changed
      ? `После сдачи поступили данные, изменившие ${submission.changed} показ. на ту же дату.`
      : "Значения на дату отчёта с тех пор не менялись.";
  } catch (error) { /* the step says it is done; the comparison is extra */ }
}

async function submitMonitoring(base, cycle) {
  const response = await fetch(base + "/submit", { method: "POST", credentials: "same-origin" });
  if (!response.ok) {
    let detail = response.statusText;
    try { const body = await response.json(); detail = typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail); } catch (e) { /* not JSON */ }
    say("Отчёт не сдан: " + detail);
    return;
  }
  await loadCycle(state.run);
}

// --- start ---------------------------------------------------------------------------------------

function start() {
  setAsOf(todayIso());
  $("region").addEventListener("change", onRegion);
  $("municipality").addEventListener("change", onMunicipality);
  $("organization").addEventListener("change", refresh);
  $("as-of").addEventListener("change", refresh);
  if ($("members-button")) $("members-button").addEventListener("click", showMembers);
  $("logout").form.addEventListener("submit", leave);
  loadScopes();
}

start();
