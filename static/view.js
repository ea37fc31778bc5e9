// What both pages show of a run: the status, each task's progress and the event log.
// Everything that comes from the server is inserted as text (textContent), never as HTML.

const TASKS = ["function1", "function2"];
const STAGES = ["waiting", "started", "halfway", "completed", "ended"];
const LOG_COLUMNS = ["time", "id", "type", "data"];

export function setStatus(element, state, text) {
  element.dataset.state = state;
  element.textContent = text;
}

export function clock(date) {
  const two = (n) => String(n).padStart(2, "0");
  const ms = String(date.getMilliseconds()).padStart(3, "0");
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}.${ms}`;
}

// A log row for an event that arrives now: what the log shows, and what a page may keep.
export function rowOf(event) {
  return { time: clock(new Date()), id: event.lastEventId, type: event.type, data: event.data };
}

function element(tag, attributes = {}, text = "") {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.textContent = text;
  return node;
}

function taskBox(name) {
  const box = element("div", { class: "task", "data-task": name, "data-stage": "waiting" });
  const label = `${name} progress`;
  const bar = element("progress", { max: STAGES.length - 1, value: 0, "aria-label": label });
  box.append(element("h2", {}, name), bar, element("span", { class: "stage" }, "waiting"));
  return box;
}

function logBox() {
  const table = element("table", { id: "log" });
  const columns = element("colgroup");
  for (const name of LOG_COLUMNS) columns.append(element("col", { class: name }));
  const head = element("tr");
  for (const name of LOG_COLUMNS) head.append(element("th", {}, name));
  table.append(columns, element("thead"), element("tbody"));
  table.tHead.append(head);
  const box = element("div", { class: "log-box" });
  box.append(table, element("p", { class: "empty" }, "No events yet."));
  return box;
}

function stageOf(type, data) {
  if (type === "start") return "started";
  if (type === "end") return "ended";
  if (data.endsWith("halfway done")) return "halfway";
  if (data.endsWith("completed successfully")) return "completed";
  return "started";
}

// Builds the task boxes and the event log inside `container`; returns what changes them.
export function createRunView(container) {
  const tasks = element("section", { class: "tasks", "aria-label": "Task progress" });
  tasks.append(...TASKS.map(taskBox));
  const log = element("section");
  log.append(element("h2", {}, "Event log"), logBox());
  container.replaceChildren(tasks, log);
  const logBody = log.querySelector("tbody");

  function showProgress(type, data) {
    const box = tasks.querySelector(`.task[data-task="${CSS.escape(data.split(" ", 1)[0])}"]`);
    if (!box) return;
    const stage = stageOf(type, data);
    const bar = box.querySelector("progress");
    const rank = STAGES.indexOf(stage);
    if (rank >= Number(bar.value)) {
      bar.value = rank;
      box.dataset.stage = stage;
      box.querySelector(".stage").textContent = stage;
    }
  }

  return {
    // Empties the log and puts every task back to waiting.
    reset() {
      logBody.replaceChildren();
      for (const box of tasks.querySelectorAll(".task")) {
        box.querySelector("progress").value = 0;
        box.dataset.stage = "waiting";
        box.querySelector(".stage").textContent = "waiting";
      }
    },
    // Appends one row ({time, id, type, data}) to the log; task events move their task on.
    add(row) {
      const tr = element("tr", { "data-type": row.type });
      for (const name of LOG_COLUMNS) tr.append(element("td", {}, row[name]));
      logBody.append(tr);
      if (row.type === "start" || row.type === "progress" || row.type === "end") {
        showProgress(row.type, row.data);
      }
    },
    // Marks every task that had not ended with `stage` (a run that was cancelled or failed).
    stop(stage) {
      for (const box of tasks.querySelectorAll(".task")) {
        if (box.dataset.stage === "ended") continue;
        box.dataset.stage = stage;
        box.querySelector(".stage").textContent = stage;
      }
    },
  };
}
