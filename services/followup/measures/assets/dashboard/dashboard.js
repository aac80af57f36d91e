// The dashboard's only source of data is the follow-up service's JSON API, called with the
// administrator's bearer token. The token arrives in the URL fragment (never sent to a server
// or logged), is kept in sessionStorage for this tab, and is removed from the address bar.
"use strict";

const POLL_MS = 5000;
const WEEKS = 12;
const KEY = "warmlink.dashboard.token";
const COLORS = {
  open: "#2f855a", stale: "#c05621", scheduled: "#3182ce", attended: "#2f855a",
  rate: "#5a67d8", breach: "#c53030",
};
const LABELS = {
  outpatient_therapy: "Outpatient therapy", psychiatry: "Psychiatry", iop: "IOP", php: "PHP",
  hospital: "Hospital", ob: "OB office", pediatric: "Pediatric", iop_php: "IOP/PHP discharge",
  digital: "Digital", in_room_call: "In-room call", coordinator: "Coordinator",
  telehealth: "Telehealth", unknown: "Not yet in directory",
  ack_overdue: "Acknowledgement overdue", followup_overdue: "Follow-up overdue",
  discharge_without_appointment: "Discharge without appointment",
  iop_last_session_without_appointment: "Last IOP session without appointment",
};
const label = (code) => LABELS[code] || code;
const pct = (v) => (v === null || v === undefined ? "–" : `${Math.round(v * 100)}%`);
const days = (v) => (v === null || v === undefined ? "–" : `${v.toFixed(1)} d`);
const hours = (v) => (v === null || v === undefined ? "–" : `${v.toFixed(1)} h`);
const $ = (id) => document.getElementById(id);

function takeToken() {
  const params = new URLSearchParams(location.hash.slice(1));
  const fromHash = params.get("token");
  if (fromHash) {
    sessionStorage.setItem(KEY, fromHash);
    history.replaceState(null, "", location.pathname + location.search);
  }
  return sessionStorage.getItem(KEY);
}

function signIn(reason) {
  sessionStorage.removeItem(KEY);
  if (reason) $("signin-reason").textContent = reason;
  $("signin").hidden = false;
  $("panels").hidden = true;
  $("status").textContent = "Not signed in";
  $("live").className = "dot error";
}

class AuthError extends Error {}

async function getJson(path, token) {
  const response = await fetch(path, { headers: { Authorization: `Bearer ${token}` } });
  if (response.status === 401) throw new AuthError("The token is missing, expired or not valid here. Make a new one.");
  if (response.status === 403) throw new AuthError("This token is not a network administrator's (role admin).");
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.json();
}

function isoDay(date) {
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60000);
  return local.toISOString().slice(0, 10);
}

async function load(token) {
  const since = isoDay(new Date(Date.now() - (WEEKS * 7 - 1) * 86400000));
  const metrics = (groupBy) => getJson(`/v1/metrics?group_by=${groupBy}&from=${since}`, token);
  const [capacity, weekly, bySetting, byMethod, network, breaches] = await Promise.all([
    getJson("/v1/capacity", token),
    metrics("week"), metrics("setting"), metrics("method"), metrics("network"),
    getJson("/v1/metrics/sla-breaches", token),
  ]);
  return { capacity, weekly, bySetting, byMethod, network, breaches };
}

// ISO week key (2026-W47) of a date, as the API names weeks.
function isoWeek(date) {
  const t = new Date(Date.UTC(date.getFullYear(), date.getMonth(), date.getDate()));
  t.setUTCDate(t.getUTCDate() + 4 - (t.getUTCDay() || 7));
  const year = t.getUTCFullYear();
  const week = Math.ceil(((t - Date.UTC(year, 0, 1)) / 86400000 + 1) / 7);
  return `${year}-W${String(week).padStart(2, "0")}`;
}

// Every week of the window, with or without referrals, so the axis reads as time.
function weekAxis(groups) {
  const keys = new Set(groups.map((g) => g.group));
  for (let i = WEEKS - 1; i >= 0; i--) keys.add(isoWeek(new Date(Date.now() - i * 7 * 86400000)));
  return [...keys].sort();
}

function capacityChart(id, rows, key, name) {
  WarmCharts.bars($(id), {
    label: `Open intake slots by ${name}`,
    categories: rows.map((r) => label(r[key])),
    stacked: true,
    series: [
      { name: "Open slots", values: rows.map((r) => r.open_slots), color: COLORS.open },
      { name: "Stale (unconfirmed)", values: rows.map((r) => r.stale_slots), color: COLORS.stale },
    ],
    totalLabels: rows.map((r) => `${r.open_slots} open` +
      (r.next_available_intake ? ` · next ${r.next_available_intake}` : "")),
  });
}

function completionChart(id, groups, name) {
  const rows = groups.filter((g) => g.measures.referred > 0);
  WarmCharts.bars($(id), {
    label: `Completion rate by ${name}`,
    categories: rows.map((g) => label(g.group)),
    max: 1,
    format: pct,
    series: [{
      name: "Completion rate", color: COLORS.rate,
      values: rows.map((g) => g.measures.completion_rate || 0),
      labels: rows.map((g) => `${pct(g.measures.completion_rate)} (${g.measures.attended}/${g.measures.referred})`),
    }],
  });
}

function render(d) {
  const total = d.network.groups[0] ? d.network.groups[0].measures : null;
  const hedis = d.network.follow_up_30d && d.network.follow_up_30d[0];
  $("kpi-referred").textContent = total ? total.referred : 0;
  $("kpi-completion").textContent = total ? pct(total.completion_rate) : "–";
  $("kpi-intake").textContent = total ? days(total.median_days_to_intake) : "–";
  $("kpi-ack").textContent = total ? hours(total.median_hours_to_acknowledge) : "–";
  $("kpi-hedis").textContent = hedis ? `${pct(hedis.follow_up_rate)} of ${hedis.positive_screens}` : "–";
  $("kpi-breaches").textContent = d.breaches.total;

  capacityChart("chart-capacity-level", d.capacity.by_level_of_care, "level_of_care", "level of care");
  capacityChart("chart-capacity-area", d.capacity.by_area, "area", "area");

  const byWeek = new Map(d.weekly.groups.map((g) => [g.group, g.measures]));
  const weeks = weekAxis(d.weekly.groups);
  const weekly = (name) => weeks.map((w) => (byWeek.has(w) ? byWeek.get(w)[name] : null));
  WarmCharts.line($("chart-intake"), {
    label: "Median days to first scheduled and first attended appointment, by week",
    labels: weeks,
    format: (v) => `${Math.round(v * 10) / 10}`,
    series: [
      { name: "To first scheduled appointment", color: COLORS.scheduled,
        values: weekly("median_days_to_first_scheduled") },
      { name: "To first attended (time to intake)", color: COLORS.attended,
        values: weekly("median_days_to_intake") },
    ],
  });
  completionChart("chart-setting", d.bySetting.groups, "setting");
  completionChart("chart-method", d.byMethod.groups, "method");
  const comparison = d.byMethod.handoff_comparison;
  $("method-note").textContent = comparison.note
    ? `All three methods are warm handoffs; ${comparison.note}.`
    : `Warm ${pct(comparison.warm && comparison.warm.completion_rate)} vs cold ${pct(comparison.cold.completion_rate)}.`;

  const kinds = Object.entries(d.breaches.by_kind);
  WarmCharts.bars($("chart-breaches"), {
    label: "SLA breaches today by time rule",
    categories: kinds.map(([k]) => label(k)),
    series: [{ name: "Breaches", color: COLORS.breach, values: kinds.map(([, v]) => v) }],
  });
  if (!kinds.length) $("chart-breaches").firstChild.textContent = "None today.";

  const list = $("stale-list");
  list.replaceChildren();
  for (const s of d.capacity.stale_listings) {
    const li = document.createElement("li");
    li.append(`${s.practice_id} · ${s.service_id} (${label(s.level_of_care)}, ${label(s.area)}) `);
    const age = document.createElement("span");
    age.className = "age";
    age.textContent = s.age_hours === null ? "never confirmed" : `${Math.round(s.age_hours / 24)} days unconfirmed`;
    li.appendChild(age);
    list.appendChild(li);
  }
  if (!d.capacity.stale_listings.length) {
    const li = document.createElement("li");
    li.textContent = "None: every listing was confirmed recently.";
    list.appendChild(li);
  }
}

let updates = 0;
let timer = null;

async function poll() {
  clearTimeout(timer);
  const token = takeToken();
  if (!token) return signIn(null);
  try {
    const data = await load(token);
    $("signin").hidden = true;
    $("panels").hidden = false;
    render(data);
    updates += 1;
    document.body.dataset.updates = String(updates);
    const now = new Date();
    $("updated").textContent = now.toLocaleTimeString();
    $("updated").dateTime = now.toISOString();
    $("status").textContent = "Live";
    $("live").className = "dot ok";
  } catch (err) {
    if (err instanceof AuthError) return signIn(err.message);
    $("status").textContent = `Update failed (${err.message}); retrying`;
    $("live").className = "dot error";
  }
  timer = setTimeout(poll, POLL_MS);
}

window.addEventListener("hashchange", poll);
poll();
