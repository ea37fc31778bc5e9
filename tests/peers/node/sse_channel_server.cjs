// A price ticker broadcast with sse-channel: node sse_channel_server.cjs [TICK_MS] [PING_MS].
// Every TICK_MS the channel sends a "tick" event with the next integer id (51, 52, ...: ids 1 to 50
// are restored into its history at start) to every client;
// sse-channel keeps the history and replays what followed a client's Last-Event-ID (header, or
// the lastEventId / evs_last_event_id query parameter), and pings with comments every PING_MS.
// It prints "listening on http://127.0.0.1:PORT/" once it accepts connections.
"use strict";

const http = require("node:http");
const SseChannel = require("sse-channel");

const [tickMs = 250, pingMs = 40] = process.argv.slice(2).map(Number);

const RESTORED = 50;

function tick(id) {
  const price = (100 + ((id * 37) % 23) / 4).toFixed(2);
  return { id, event: "tick", data: { symbol: "ACME", seq: id, price } };
}

// The ticks before this process started, as a restarted ticker would load them from storage.
const channel = new SseChannel({
  history: Array.from({ length: RESTORED }, (_, i) => tick(i + 1)),
  historySize: 1000,
  jsonEncode: true,
  pingInterval: pingMs,
  retryTimeout: 1000,
});

let id = RESTORED;
const ticker = setInterval(() => {
  id += 1;
  channel.send(tick(id));
}, tickMs);

const server = http.createServer((req, res) => {
  const path = new URL(req.url, "http://localhost").pathname;
  if (req.method === "GET" && path === "/ticks") {
    channel.addClient(req, res);
  } else {
    res.writeHead(404, { "Content-Type": "text/plain" }).end("not found\n");
  }
});

server.listen(0, "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}/`);
});
process.on("SIGTERM", () => {
  clearInterval(ticker);
  channel.close();
  process.exit(0);
});
