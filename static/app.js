// The page's only script: open /stream, show each event as it arrives, close on `close`.
"use strict";

const EVENT_TYPES = ["start", "progress", "end", "close"];
const STAGES = ["waiting", "started", "halfway", "completed", "ended"];
const STREAM_URL = "/stream";
const CHECK_URL = "/stream/check";

const statusEl = document.getElementById("status");
const startButton = document.getElementById("start");
const logBody = document.querySelector("#log tbody");

let source = null;

function setStatus(state, text) {
  statusEl.dataset.state = state;
  statusEl.textContent = text;
}

function clock(date) {
  const two = (n) => String(n).padStart(2, "0");
  const ms = String(date.getMilliseconds()).padStart(3, "0");
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}.${ms}`;
}

function stageOf(type, data) {
  if (type === "start") return "started";
  if (type === "end") return "ended";
  if (data.endsWith("halfway done")) return "halfway";
  if (data.endsWith("completed successfully")) return "completed";
  return "started";
}

function showProgress(type, data) {
  const task = data.split(" ", 1)[0];
  const box = document.querySelector(`.task[data-task="${CSS.escape(task)}"]`);
  if (!box) return;
  const stage = stageOf(type, data);
  const label = box.querySelector(".stage");
  const bar = box.querySelector("progress");
  const rank = STAGES.indexOf(stage);
  if (rank >= Number(bar.value)) {
    bar.value = rank;
    box.dataset.stage = stage;
    label.textContent = stage;
  }
}

function logEvent(event) {
  const row = document.createElement("tr");
  row.dataset.type = event.type;
  for (const text of [clock(new Date()), event.lastEventId, event.type, event.data]) {
    const cell = document.createElement("td");
    cell.textContent = text; // always text, never HTML
    row.append(cell);
  }
  logBody.append(row);
}

function reset() {
  logBody.replaceChildren();
  for (const box of document.querySelectorAll(".task")) {
    box.querySelector("progress").value = 0;
    box.dataset.stage = "waiting";
    box.querySelector(".stage").textContent = "waiting";
  }
}

function finish(state, text) {
  if (source) source.close(); // no reconnect, no replay
  source = null;
  startButton.disabled = false;
  startButton.textContent = state === "busy" ? "Try again" : "Start again";
  setStatus(state, text);
}

// An EventSource that gave up cannot say why. /stream/check answers what /stream would
// answer now, as JSON, without starting a run; with the last id seen, a finished run
// reads 204 again.
async function explainClosed(lastEventId) {
  const headers = lastEventId ? { "Last-Event-ID": lastEventId } : {};
  let response;
  try {
    response = await fetch(CHECK_URL, { headers, cache: "no-store" });
  } catch {
    return ["error", "the server cannot be reached"];
  }
  const answer = response.ok ? await response.json().catch(() => null) : null;
  if (answer === null) return ["error", `the stream failed (its check: HTTP ${response.status})`];
  if (answer.status === 204) return ["ended", "ended: the server has no more events"];
  if (answer.status === 503) {
    const seconds = answer.retry_after;
    const when = Number.isInteger(seconds) ? `retry in ${seconds} s` : "retry later";
    return ["busy", `server busy, ${when}`];
  }
  return ["error", "the stream failed; the server would take a new one now"];
}

function start() {
  reset();
  startButton.disabled = true;
  setStatus("connecting", "connecting");
  const current = new EventSource(STREAM_URL);
  source = current;
  window.sseSource = current; // lets tests see readyState
  let lastEventId = "";

  current.addEventListener("open", () => setStatus("streaming", "streaming"));
  current.addEventListener("error", async () => {
    if (source !== current) return;
    if (current.readyState === EventSource.CONNECTING) {
      setStatus("reconnecting", "connection lost, reconnecting");
      return;
    }
    // The browser gave up: a 204 (run complete), a 503 (busy) or another status.
    setStatus("checking", "stream closed, asking the server why");
    const [state, text] = await explainClosed(lastEventId);
    if (source === current) finish(state, text);
  });
  for (const type of EVENT_TYPES) {
    current.addEventListener(type, (event) => {
      lastEventId = event.lastEventId;
      logEvent(event);
      if (type === "close") {
        finish("done", "done: " + event.data);
      } else {
        showProgress(type, event.data);
      }
    });
  }
}

startButton.addEventListener("click", start);
