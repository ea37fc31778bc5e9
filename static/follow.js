// One EventSource followed to its end: each named event to the page, until `close` or until
// the browser gives up (a 204, an error status, a response that is not an event stream).

// `handlers`: event(e) for each event of `types`, open(), reconnecting() while the browser
// retries by itself, gaveUp() once it has stopped for good. Returns {source, stop()}; after
// `close`, stop() or gaveUp() no handler is called again.
export function follow(url, types, handlers) {
  const source = new EventSource(url);
  let active = true;
  const stop = () => {
    active = false;
    source.close(); // no reconnect, no replay
  };
  source.addEventListener("open", () => {
    if (active) handlers.open();
  });
  source.addEventListener("error", () => {
    if (!active) return;
    if (source.readyState === EventSource.CONNECTING) {
      handlers.reconnecting();
      return;
    }
    active = false;
    handlers.gaveUp();
  });
  for (const type of types) {
    source.addEventListener(type, (event) => {
      if (!active) return;
      if (type === "close") stop();
      handlers.event(event);
    });
  }
  return { source, stop };
}
