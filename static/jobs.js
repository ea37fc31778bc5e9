// The jobs page (/watch): start a job, list the jobs this browser started, watch one
// (/watch?job=ID), cancel it when this browser holds its token (owned.js).
// A reload continues the job where this tab was: the rows it showed are kept (seen.js)
// and the stream resumes after the last of them with ?last_event_id=.
import { follow } from "./follow.js";
import { forget, ownedIds, remember, tokenOf } from "./owned.js";
import { forgetRows, loadRows, saveRows } from "./seen.js";
import { clock, createRunView, rowOf, setStatus } from "./view.js";

const EVENT_TYPES = ["start", "progress", "end", "cancelled", "failed", "close"];
const OUTCOMES = new Set(["cancelled", "failed"]);
const FINISHED = new Set(["succeeded", "cancelled", "failed"]);
const PAGE_PATH = "/watch";
const LISTED = 20;
const NOT_OWNED = "only the browser that started this job can cancel it";
const LIST_REFRESH_MS = 1000;

const byId = (id) => document.getElementById(id);
const statusEl = byId("status");
const cancelButton = byId("cancel");

const jobUrl = (id) => `/jobs/${encodeURIComponent(id)}`;
const pageUrl = (id) => `${PAGE_PATH}?job=${encodeURIComponent(id)}`;

// The message of a JSON error ({"error": ...}), or the HTTP status when there is none.
async function errorOf(response) {
  const body = await response.json().catch(() => null);
  return typeof body?.error === "string" ? body.error : `HTTP ${response.status}`;
}

function notify(id, text) {
  const notice = byId(id);
  notice.textContent = text;
  notice.hidden = !text;
}

// -- starting a job ------------------------------------------------------------------------

async function startJob() {
  const button = byId("start-job");
  button.disabled = true;
  notify("notice", "");
  const interval = byId("interval").value;
  try {
    const response = await fetch("/jobs", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: interval ? JSON.stringify({ interval: Number(interval) }) : "",
    });
    if (response.status !== 201) throw new Error(await errorOf(response));
    const snapshot = await response.json();
    remember(String(snapshot.id), String(snapshot.token));
    location.assign(pageUrl(snapshot.id));
  } catch (error) {
    notify("notice", `the job was not started: ${error.message}`);
    button.disabled = false;
  }
}

// -- the list, refreshed every second and whenever the watched job changes status ---------

const list = { timer: 0, busy: false, again: false };

function refreshSoon(delay = 0) {
  clearTimeout(list.timer);
  list.timer = setTimeout(refreshList, delay);
}

async function refreshList() {
  if (list.busy) {
    list.again = true;
    return;
  }
  list.busy = true;
  try {
    const ids = ownedIds(LISTED);
    let jobs = [];
    if (ids.length) {
      const query = ids.map((id) => `id=${encodeURIComponent(id)}`).join("&");
      const response = await fetch(`/jobs?${query}`, { cache: "no-store" });
      if (!response.ok) throw new Error(await errorOf(response));
      jobs = (await response.json()).jobs;
      const known = new Set(jobs.map((job) => String(job.id)));
      forget(ids.filter((id) => !known.has(id)));
    }
    showJobs(jobs);
    notify("jobs-error", "");
  } catch (error) {
    notify("jobs-error", `the list may be out of date: ${error.message}`);
  } finally {
    list.busy = false;
    refreshSoon(list.again ? 0 : LIST_REFRESH_MS);
    list.again = false;
  }
}

function timeOf(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : clock(date).slice(0, 8);
}

function jobRow(id) {
  const row = document.createElement("tr");
  row.dataset.job = id;
  const link = document.createElement("a");
  link.href = pageUrl(id);
  link.textContent = id;
  if (id === watched?.id) link.setAttribute("aria-current", "page");
  const cells = [link, document.createElement("span"), "", ""].map((content) => {
    const cell = document.createElement("td");
    cell.append(content);
    return cell;
  });
  cells[1].firstChild.className = "badge";
  row.append(...cells);
  return row;
}

// Updates rows in place (a focused link stays focused) and reorders only when the jobs change.
function showJobs(jobs) {
  const body = byId("jobs").tBodies[0];
  const rows = new Map(Array.from(body.rows, (row) => [row.dataset.job, row]));
  const wanted = jobs.map((job) => {
    const id = String(job.id);
    const row = rows.get(id) ?? jobRow(id);
    const status = String(job.status);
    row.dataset.status = status;
    const badge = row.cells[1].firstChild;
    badge.dataset.status = status;
    badge.textContent = status;
    row.cells[2].textContent = timeOf(job.created);
    row.cells[3].textContent = `${job.interval} s`;
    return row;
  });
  if (wanted.some((row, i) => body.rows[i] !== row) || body.rows.length !== wanted.length) {
    body.replaceChildren(...wanted);
  }
}

// -- watching one job ----------------------------------------------------------------------

let watched = null;

function watch(id) {
  const link = byId("job-link");
  link.href = pageUrl(id);
  link.textContent = id;
  document.title = `SSE demo: job ${id}`;
  byId("job").hidden = false;
  byId("no-job").hidden = true;

  const rows = loadRows(id);
  const job = { id, rows, seen: new Set(), view: createRunView(byId("run")), outcome: null };
  watched = job;
  rows.forEach((row) => show(job, row));
  const last = rows.at(-1);
  if (last?.type === "close") {
    end(job, last); // this tab saw the whole job: nothing to ask the server
    return;
  }
  job.token = tokenOf(id);
  cancelButton.disabled = !job.token;
  cancelButton.title = job.token ? "" : NOT_OWNED;
  setStatus(statusEl, "connecting", "connecting");
  const query = last?.id ? `?last_event_id=${encodeURIComponent(last.id)}` : "";
  job.run = follow(`${jobUrl(id)}/events${query}`, EVENT_TYPES, {
    open: () => setStatus(statusEl, "streaming", "live"),
    reconnecting: () => setStatus(statusEl, "reconnecting", "connection lost, reconnecting"),
    gaveUp: async () => {
      setStatus(statusEl, "checking", "stream closed, asking the server why");
      const [state, text] = await explainClosed(job);
      cancelButton.disabled = true;
      setStatus(statusEl, state, text);
    },
    event: (event) => {
      // The server sends a log from its start when it does not know the id a page
      // resumed after: rows already shown are not shown twice.
      if (job.seen.has(event.lastEventId)) return;
      const row = rowOf(event);
      rows.push(row);
      saveRows(id, rows);
      show(job, row);
      if (rows.length === 1 || row.type === "close") refreshSoon(); // its status changed
      if (row.type === "close") end(job, row);
    },
  });
  window.sseSource = job.run.source; // lets tests see readyState
}

function show(job, row) {
  job.seen.add(row.id);
  job.view.add(row);
  if (OUTCOMES.has(row.type)) {
    job.outcome = [row.type, `${row.type}: ${row.data}`];
    job.view.stop(row.type);
  }
}

function end(job, closeRow) {
  job.ended = true;
  cancelButton.disabled = true;
  const [state, text] = job.outcome ?? ["done", `succeeded: ${closeRow.data}`];
  setStatus(statusEl, state, text);
}

// The EventSource gave up without `close` (a 204, a 404, a 503...): the job's snapshot says why.
async function explainClosed(job) {
  let response;
  try {
    response = await fetch(jobUrl(job.id), { cache: "no-store" });
  } catch {
    return ["error", "the server cannot be reached; reload to try again"];
  }
  if (response.status === 404) {
    forgetRows(job.id);
    return ["error", `${await errorOf(response)}: it has expired, or never existed`];
  }
  if (!response.ok) {
    const state = response.status === 503 ? "busy" : "error";
    return [state, `the job cannot be watched now: ${await errorOf(response)}`];
  }
  const snapshot = await response.json().catch(() => null);
  if (FINISHED.has(snapshot?.status) && snapshot.last_event_id === (job.rows.at(-1)?.id ?? null)) {
    return ["ended", `ended: the job has ${snapshot.status}, with no more events`];
  }
  return ["error", "the job's event stream was refused; reload to try again"];
}

async function cancel() {
  const job = watched;
  cancelButton.disabled = true;
  notify("job-notice", "");
  let response = null;
  try {
    response = await fetch(jobUrl(job.id), {
      method: "DELETE",
      headers: { Authorization: `Bearer ${job.token}` },
    });
    if (response.status !== 202) throw new Error(await errorOf(response));
    if (!job.ended) setStatus(statusEl, "cancelling", "cancelling");
    refreshSoon();
  } catch (error) {
    notify("job-notice", `the job was not cancelled: ${error.message}`);
    cancelButton.disabled = Boolean(job.ended) || [403, 409].includes(response?.status);
  }
}

byId("start-job").addEventListener("click", startJob);
cancelButton.addEventListener("click", cancel);
const requested = new URLSearchParams(location.search).get("job");
if (requested) watch(requested);
refreshList();
