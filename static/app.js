// The /stream page: open /stream, show each event as it arrives, close on `close`.
import { follow } from "./follow.js";
import { createRunView, rowOf, setStatus } from "./view.js";

const EVENT_TYPES = ["start", "progress", "end", "close"];
const STREAM_URL = "/stream";
const CHECK_URL = "/stream/check";

const statusEl = document.getElementById("status");
const startButton = document.getElementById("start");
const view = createRunView(document.getElementById("run"));

let current = null;

function finish(state, text) {
  if (current) current.stop();
  current = null;
  startButton.disabled = false;
  startButton.textContent = state === "busy" ? "Try again" : "Start again";
  setStatus(statusEl, state, text);
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
  view.reset();
  startButton.disabled = true;
  setStatus(statusEl, "connecting", "connecting");
  let lastEventId = "";
  const run = follow(STREAM_URL, EVENT_TYPES, {
    open: () => setStatus(statusEl, "streaming", "streaming"),
    reconnecting: () => setStatus(statusEl, "reconnecting", "connection lost, reconnecting"),
    gaveUp: async () => {
      // A 204 (run complete), a 503 (busy) or another status.
      setStatus(statusEl, "checking", "stream closed, asking the server why");
      const [state, text] = await explainClosed(lastEventId);
      if (current === run) finish(state, text);
    },
    event: (event) => {
      lastEventId = event.lastEventId;
      view.add(rowOf(event));
      if (event.type === "close") finish("done", "done: " + event.data);
    },
  });
  current = run;
  window.sseSource = run.source; // lets tests see readyState
}

startButton.addEventListener("click", start);
