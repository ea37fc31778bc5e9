// What this tab has shown of each job, kept across reloads in sessionStorage: the rows of
// its log, with the time each arrived. The id to resume after is the last row's, so the
// rows and the position can never disagree: each save writes the whole record at once.

const PREFIX = "sse-demo:job:";
const FIELDS = ["time", "id", "type", "data"];

function isRow(value) {
  return value !== null && typeof value === "object" &&
    FIELDS.every((name) => typeof value[name] === "string");
}

// The rows kept for `jobId`; none when there are none, or when they cannot be read.
export function loadRows(jobId) {
  try {
    const rows = JSON.parse(sessionStorage.getItem(PREFIX + jobId) ?? "[]");
    return Array.isArray(rows) && rows.every(isRow) ? rows : [];
  } catch {
    return [];
  }
}

// Keeps `rows` for `jobId`. When storage refuses (full, disabled), the job's record is
// dropped instead: a reload then replays the whole log rather than resume from stale rows.
export function saveRows(jobId, rows) {
  try {
    sessionStorage.setItem(PREFIX + jobId, JSON.stringify(rows));
  } catch {
    forgetRows(jobId);
  }
}

export function forgetRows(jobId) {
  try {
    sessionStorage.removeItem(PREFIX + jobId);
  } catch {
    // storage is unavailable: nothing was kept
  }
}
