// «План»: each form becomes one CloudEvent sent to this service's POST /api/v1/events with the session cookie;
// the service validates it like any other publisher's, and the page reloads to show what was recorded.
"use strict";

const TYPE = (suffix) => `pedgrowth.indicators.${suffix}.v1`;

function eventData(form) {
  const values = Object.fromEntries(new FormData(form).entries());
  const kind = form.dataset.type;
  if (kind === "measure_completed") {
    const [d, m, y] = values.completed_on.trim().split(".");
    return { plan_id: form.dataset.plan, measure_id: form.dataset.measure, completed_on: `${y}-${m}-${d}`,
             ...(values.evidence ? { evidence: values.evidence } : {}) };
  }
  if (kind === "target_set" || kind === "baseline_set") {  // a share is typed in percent, as the page shows it
    const share = form.querySelector("select[name=indicator]").selectedOptions[0].dataset.unit === "share";
    const value = share ? Math.round(Number(values.value) * 1000) / 100000 : Number(values.value);
    return { plan_id: form.dataset.plan, indicator: values.indicator, year: Number(values.year), value };
  }
  return { municipality_id: form.dataset.municipality, indicator: values.indicator, year: Number(values.year),
           value: Math.round(Number(values.percent) * 10) / 1000, method: values.method };
}

function explainRefusal(status, body) {
  if (status === 403) return "Нет прав изменять этот план.";
  if (status === 401) return "Вход устарел: войдите заново.";
  const detail = body && Array.isArray(body.detail) ? body.detail.map((d) => (d.loc || []).slice(-1)[0] + ": " + d.msg).join("; ") : "";
  return "Не записано (код " + status + ")" + (detail ? ": " + detail : "");
}

async function send(event) {
  event.preventDefault();
  const form = event.target;
  const data = eventData(form);
  const subject = data.plan_id || data.municipality_id;
  const cloudEvent = { specversion: "1.0", id: crypto.randomUUID(), source: "/indicators/web/plan",
                       type: TYPE(form.dataset.type), subject, datacontenttype: "application/json",
                       time: new Date().toISOString(), data };
  const response = await fetch("/api/v1/events", { method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json" }, body: JSON.stringify(cloudEvent) });
  let body = null;
  try { body = await response.json(); } catch (e) { /* not JSON */ }
  const refused = body && body.results && body.results.find((r) => r.outcome === "rejected");
  if (response.status === 202 && !refused) { window.location.reload(); return; }
  document.getElementById("plan-message").textContent =
    refused ? "Не записано: " + (refused.reason || refused.reason_code) : explainRefusal(response.status, body);
}

document.querySelectorAll("form.event-form").forEach((form) => form.addEventListener("submit", send));
