// The page's only script: open /stream, show each event as it arrives, close on `close`.
"use strict";

const EVENT_TYPES = ["start", "progress", "end", "close"];
const STAGES = ["waiting", "started", "halfway", "completed", "ended"];

const statusEl = document.getElementById("status");
const startButton = document.getElementById("start");
const logBody = document.querySelector("#log tbody");

let source = null;

function setStatus(state, text) {
  statusEl.dataset.state = state;
  statusEl.textContent = text;
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
    label.dataset.stage = stage;
    label.textContent = stage;
  }
}

function logEvent(event) {
  const row = document.createElement("tr");
  row.dataset.type = event.type;
  for (const text of [new Date().toLocaleTimeString(), event.lastEventId, event.type, event.data]) {
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
    const label = box.querySelector(".stage");
    label.dataset.stage = "waiting";
    label.textContent = "waiting";
  }
}

function finish(state, text) {
  if (source) source.close(); // no reconnect, no replay
  source = null;
  startButton.disabled = false;
  startButton.textContent = "Start again";
  setStatus(state, text);
}

function start() {
  reset();
  startButton.disabled = true;
  setStatus("connecting", "connecting");
  source = new EventSource("/stream");
  window.sseSource = source; // lets tests see readyState

  source.addEventListener("open", () => setStatus("streaming", "streaming"));
  source.addEventListener("error", () => {
    if (!source) return;
    if (source.readyState === EventSource.CONNECTING) {
      setStatus("reconnecting", "connection lost, reconnecting");
    } else {
      // The browser gave up: a 204 (stream already complete), a 503 (busy) or no server.
      finish("ended", "the server ended the stream");
    }
  });
  for (const type of EVENT_TYPES) {
    source.addEventListener(type, (event) => {
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
