// A token stream served with better-sse sessions: node better_sse_server.mjs [STEP_MS] [WAIT_MS]
// [KEEPALIVE_MS]. GET /tokens sends "queued", waits WAIT_MS (only better-sse's own keep-alive
// comments flow), then one "token" event per STEP_MS and a final "done"; then the response ends.
// It prints "listening on http://127.0.0.1:PORT/" once it accepts connections.
import { createServer } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { createSession } from "better-sse";

const [stepMs = 20, waitMs = 400, keepAliveMs = 40] = process.argv.slice(2).map(Number);
const TOKENS = ["Server", "-sent", " events", " are", " plain", " HTTP", "."];

async function tokens(req, res) {
  // keepAlive and retry are better-sse's own options; retry keeps its default (2000 ms).
  const session = await createSession(req, res, { keepAlive: keepAliveMs });
  // Ids are passed explicitly: better-sse would give each event a random UUID otherwise.
  // session.lastId holds the client's Last-Event-ID; like better-sse itself, this app
  // does not replay anything from it.
  let id = 0;
  session.push({ model: "toy", prompt_tokens: 3 }, "queued", String(id++));
  await sleep(waitMs);
  for (const text of TOKENS) {
    if (!session.isConnected) return;
    session.push({ text }, "token", String(id++));
    await sleep(stepMs);
  }
  if (!session.isConnected) return;
  session.push({ finish_reason: "stop", tokens: TOKENS.length }, "done", String(id));
  res.end();
}

const server = createServer((req, res) => {
  const path = new URL(req.url, "http://localhost").pathname;
  if (req.method === "GET" && path === "/tokens") {
    tokens(req, res).catch((error) => {
      console.error(error);
      res.destroy();
    });
  } else {
    res.writeHead(404, { "Content-Type": "text/plain" }).end("not found\n");
  }
});

server.listen(0, "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}/`);
});
process.on("SIGTERM", () => process.exit(0));
