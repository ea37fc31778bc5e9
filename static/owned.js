// The jobs this browser started, kept in localStorage (shared by its tabs, kept across
// restarts): each job's id and its token, the one secret that lets its holder cancel it.
// The list of jobs shows these; a job opened from a shared link can be watched, not cancelled.

const KEY = "sse-demo:owned-jobs";
const MAX_KEPT = 100; // GET /jobs takes at most 100 ids

function isOwned(value) {
  return value !== null && typeof value === "object" &&
    typeof value.id === "string" && typeof value.token === "string";
}

// Oldest first; none when nothing is kept or storage cannot be read.
function load() {
  try {
    const jobs = JSON.parse(localStorage.getItem(KEY) ?? "[]");
    return Array.isArray(jobs) ? jobs.filter(isOwned) : [];
  } catch {
    return [];
  }
}

function save(jobs) {
  try {
    localStorage.setItem(KEY, JSON.stringify(jobs.slice(-MAX_KEPT)));
  } catch {
    // storage is full or disabled: the job is still watched, but not listed after a reload
  }
}

export function remember(id, token) {
  save([...load().filter((job) => job.id !== id), { id, token }]);
}

// The ids of the jobs kept, newest first, `count` at most.
export function ownedIds(count) {
  return load().map((job) => job.id).reverse().slice(0, count);
}

export function tokenOf(id) {
  return load().find((job) => job.id === id)?.token ?? null;
}

// Drops the jobs the server no longer knows (expired, or pruned past --max-kept).
export function forget(ids) {
  const gone = new Set(ids);
  if (gone.size) save(load().filter((job) => !gone.has(job.id)));
}
