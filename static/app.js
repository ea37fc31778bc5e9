// The page's only script: open /stream, show each event as it arrives, close on `close`.
"use strict";

const EVENT_TYPES = ["start", "progress", "end", "close"];
const STAGES = ["waiting", "started", "halfway", "completed", "ended"];
const STREAM_URL = "/stream";

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

// An EventSource that gave up cannot say why; one GET, dropped as soon as its head
// arrives, can. Sending the last id seen makes a finished run answer 204 again.
async function explainClosed(lastEventId) {
  const headers = { "Accept": "text/event-stream", "X-SSE-Probe": "1" };
  if (lastEventId) headers["Last-Event-ID"] = lastEventId;
  const abort = new AbortController();
  let response;
  try {
    response = await fetch(STREAM_URL, { headers, cache: "no-store", signal: abort.signal });
  } catch {
    return ["error", "the server cannot be reached"];
  } finally {
    abort.abort(); // the head is all we need; never read a stream we did not ask for
  }
  if (response.status === 204) return ["ended", "ended: the server has no more events"];
  if (response.status === 503) {
    const seconds = Number.parseInt(response.headers.get("Retry-After") ?? "", 10);
    const when = Number.isFinite(seconds) ? `retry in ${seconds} s` : "retry later";
    return ["busy", `server busy, ${when}`];
  }
  return ["error", `the stream failed (HTTP ${response.status})`];
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
