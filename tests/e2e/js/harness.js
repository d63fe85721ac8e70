/* A tiny test runner for the browser client's pure modules: test(name, fn)
 * registers, run() runs them in order (fn may be async) and reports each. */
const tests = [];

export function test(name, fn) {
  tests.push({ name, fn });
}

export function assertEqual(actual, expected, what = "value") {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) { throw new Error(`${what}: expected ${e}, got ${a}`); }
}

export function assert(condition, what) {
  if (!condition) { throw new Error(what); }
}

/** Let every promise callback already queued run (one macrotask). */
export function settle() {
  return new Promise((resolve) => window.setTimeout(resolve, 0));
}

/** Timers that move only when told: now(), setTimeout, clearTimeout, setInterval. */
export class FakeClock {
  constructor() {
    this.t = 1000000;
    this.timers = new Map();
    this.nextId = 1;
  }

  now() { return this.t; }

  setTimeout(fn, ms) {
    const id = this.nextId++;
    this.timers.set(id, { at: this.t + Math.max(0, ms || 0), fn });
    return id;
  }

  clearTimeout(id) { this.timers.delete(id); }

  setInterval() { return 0; }  // the hub's keep-alive: not under test

  clearInterval() {}

  /** Move time forward by `ms`, firing due timers in order, letting the
   * promise callbacks of each run before the next. */
  async advance(ms) {
    const end = this.t + ms;
    for (;;) {
      let next = null;
      this.timers.forEach((timer, id) => {
        if (timer.at <= end && (next === null || timer.at < next.at)) { next = { id, ...timer }; }
      });
      if (next === null) { break; }
      this.timers.delete(next.id);
      this.t = next.at;
      next.fn();
      await settle();
    }
    this.t = end;
    await settle();
  }
}

export async function run() {
  const results = [];
  const list = document.getElementById("results");
  for (const { name, fn } of tests) {
    let error = null;
    try {
      await fn();
    } catch (err) {
      error = String((err && err.stack) || err);
    }
    results.push({ name, ok: error === null, error });
    const li = document.createElement("li");
    li.textContent = (error === null ? "ok " : "FAIL ") + name + (error ? ": " + error : "");
    list.appendChild(li);
  }
  window.__results = { done: true, results };
}
