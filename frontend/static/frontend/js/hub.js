/* Balai Warga hub client: the one WebSocket of this tab, and the topics on it
 * (docs/protocol.md). Every page module gets the same Hub from getHub().
 *
 * Reconnection is reconnecting-websocket 4.4.0 (vendored, its ES module
 * build; see docs/decisions.md). Its own delay is a deterministic
 * exponential; we turn it into "full jitter" (a uniform random delay between
 * 0 and min(cap, base·2^n)) by giving it a growth factor of 1 and a
 * minReconnectionDelay that is a getter, read by the library each time it
 * waits. Its send queue is off: a frame sent while disconnected is not
 * queued (the outbox resends what matters after rejoining).
 *
 * What this module guarantees:
 *   - request(frame) resolves with the server's reply to it (matched by
 *     `ref`, an `error` frame included) or rejects with a RequestFailed:
 *     "offline" (nothing was sent), "closed" (the socket went away first) or
 *     "timeout" (no reply in time; the caller may retry);
 *   - a Channel (hub.channel(topic, …)) is joined after every (re)connection
 *     with `since` (and `since_rev` when given), and joined again, backing
 *     off, after a join that failed for a passing reason (internal,
 *     rate_limited, timeout) — the same for every topic kind;
 *   - channel.on(type, fn) gets every frame of that type on the topic (the
 *     `joined` reply included); hub.on(type, fn) gets frames without a topic
 *     (`sanction`).
 */
import ReconnectingWebSocket from "../vendor/reconnecting-websocket-4.4.0/reconnecting-websocket-mjs.js";
import { Listeners } from "./listeners.js";

const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 30000;
const PING_EVERY_MS = 25000;
// No frame at all for this long while open: the connection is dead even if
// the browser has not noticed yet.
const SILENCE_LIMIT_MS = PING_EVERY_MS * 2 + 10000;
// A reply slower than this is taken as lost; the server answers in
// milliseconds, and a join's replay follows its `joined`, so this is generous.
export const REQUEST_TIMEOUT_MS = 15000;
export const CLOSE_AUTH_LOST = 4001;
export const CLOSE_TOO_MANY = 4029;
// Join errors that say "try again later", not "never".
const PASSING = new Set(["internal", "rate_limited", "timeout"]);

export function fullJitter(attempt, random = Math.random) {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt));
  return random() * ceiling;
}

export class RequestFailed extends Error {
  constructor(code) {
    super("hub request failed: " + code);
    this.code = code;  // "offline" | "closed" | "timeout"
  }
}

/** One topic followed by this tab. Made by Hub.channel(). */
export class Channel {
  constructor(hub, topic, { since = () => null, sinceRev = null, timers = window } = {}) {
    this.hub = hub;
    this.topic = topic;
    this.since = since;
    this.sinceRev = sinceRev;
    this.timers = timers;
    this.listeners = new Listeners();
    this.failures = 0;
    this.retryTimer = null;
  }

  /** Frames of `type` on this topic go to `fn(frame)`; returns an unsubscribe function. */
  on(type, fn) {
    return this.listeners.on(type, fn);
  }

  /** A join that failed: `fn(errorFrame)` (code `timeout` when no reply came). */
  onJoinFailed(fn) {
    return this.listeners.on("\0join-failed", fn);  // not a frame type: no clash
  }

  /** Join again now (fresh statistics, say); a no-op while disconnected. */
  rejoin() {
    if (this.hub.isOpen()) { this._join(); }
  }

  _join() {
    this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const frame = { type: "join", topic: this.topic, since: this.since() };
    // Rooms: also the changes (edits, removals) made since the last revision seen.
    if (this.sinceRev) { frame.since_rev = this.sinceRev(); }
    this.hub.request(frame).then((reply) => {
      if (reply.type === "joined") {
        this.failures = 0;
        this._dispatch(reply);
      } else {
        this._failed(reply);
      }
    }, (error) => {
      // "offline"/"closed": the next connection joins every channel anyway.
      if (error.code === "timeout") { this._failed({ type: "error", code: "timeout", detail: "" }); }
    });
  }

  _failed(error) {
    this.listeners.emit("\0join-failed", error);
    if (!PASSING.has(error.code)) { return; }
    this.failures += 1;
    const delay = Number(error.retry_after) * 1000 || fullJitter(this.failures + 2);
    this.retryTimer = this.timers.setTimeout(() => this.rejoin(), delay);
  }

  _dispatch(frame) {
    this.listeners.emit(frame.type, frame);
  }
}

export class Hub {
  /** `options`: {WebSocket, requestTimeoutMs, timers} — tests swap them. */
  constructor(url, options = {}) {
    this.url = url;
    this.channels = new Map();   // topic -> Channel
    this.pending = new Map();    // ref -> {resolve, fail}
    this.refCounter = 0;
    this.requestTimeoutMs = options.requestTimeoutMs || REQUEST_TIMEOUT_MS;
    this.timers = options.timers || window;
    this.stateListeners = [];
    this.untopiced = new Listeners();
    this.state = "connecting";
    this.everOpened = false;
    this.lastFrameAt = Date.now();
    this.raw = null;             // the current native WebSocket (test hook: balaiHub.socket)
    this.closeCode = null;

    // A WebSocket class that remembers the latest instance, so tests can drop
    // the real connection without telling the library to stop reconnecting.
    const Native = options.WebSocket || window.WebSocket;
    const hub = this;
    function TrackedWebSocket(target, protocols) {
      const socket = protocols ? new Native(target, protocols) : new Native(target);
      hub.raw = socket;
      return socket;
    }
    Object.assign(TrackedWebSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });

    const rwsOptions = {
      WebSocket: TrackedWebSocket,
      maxReconnectionDelay: BACKOFF_CAP_MS,
      reconnectionDelayGrowFactor: 1,
      connectionTimeout: 10000,
      maxEnqueuedMessages: 0,
      minUptime: 5000,
    };
    Object.defineProperty(rwsOptions, "minReconnectionDelay", {
      enumerable: true,
      get: () => fullJitter(this.rws ? this.rws.retryCount - 1 : 0),
    });
    this.rws = new ReconnectingWebSocket(url, [], rwsOptions);
    this.rws.addEventListener("open", () => this._onOpen());
    this.rws.addEventListener("close", (event) => this._onClose(event));
    this.rws.addEventListener("message", (event) => this._onMessage(event));
    window.addEventListener("offline", () => this._setState("disconnected"));
    window.addEventListener("online", () => {
      if (this.state !== "open") { this.rws.reconnect(); }
    });
    this.pinger = this.timers.setInterval(() => this._ping(), PING_EVERY_MS);
  }

  get socket() {
    return this.raw;
  }

  /** `listener(state, closeCode)` now and on every change of state:
   * "connecting", "open", "reconnecting", "disconnected". */
  onState(listener) {
    this.stateListeners.push(listener);
    listener(this.state, this.closeCode);
  }

  /** Frames of `type` that have no topic (`sanction`) go to `fn(frame)`. */
  on(type, fn) {
    return this.untopiced.on(type, fn);
  }

  isOpen() {
    return this.rws.readyState === 1;
  }

  /** Send a frame now, expecting no reply; false when not connected. */
  send(frame) {
    if (!this.isOpen()) { return false; }
    this.rws.send(JSON.stringify(frame));
    return true;
  }

  /** Send `frame` with a fresh `ref`; resolves with the reply carrying it
   * (whatever its type), rejects with a RequestFailed. */
  request(frame, { timeoutMs = this.requestTimeoutMs } = {}) {
    return new Promise((resolve, reject) => {
      if (!this.isOpen()) {
        reject(new RequestFailed("offline"));
        return;
      }
      this.refCounter += 1;
      const ref = "r" + this.refCounter;
      const timer = this.timers.setTimeout(() => {
        this.pending.delete(ref);
        reject(new RequestFailed("timeout"));
      }, timeoutMs);
      this.pending.set(ref, {
        resolve: (reply) => { this.timers.clearTimeout(timer); resolve(reply); },
        fail: (code) => { this.timers.clearTimeout(timer); reject(new RequestFailed(code)); },
      });
      this.rws.send(JSON.stringify({ ...frame, ref }));
    });
  }

  /** Follow `topic`: joined now if connected, and after every reconnection.
   * `options`: {since() -> last id or null, sinceRev() -> last revision or null}.
   * One Channel per topic: a second call returns the first. */
  channel(topic, options) {
    let channel = this.channels.get(topic);
    if (!channel) {
      channel = new Channel(this, topic, { ...options, timers: this.timers });
      this.channels.set(topic, channel);
      if (this.isOpen()) { channel._join(); }
    }
    return channel;
  }

  _setState(state) {
    if (state === this.state) { return; }
    this.state = state;
    const code = this.closeCode;
    this.stateListeners.forEach((listener) => listener(state, code));
  }

  /** Replies to requests made on a socket that has gone will never come. */
  _failPending() {
    const pending = [...this.pending.values()];
    this.pending.clear();
    pending.forEach((request) => request.fail("closed"));
  }

  _onOpen() {
    this.everOpened = true;
    this.closeCode = null;
    this.lastFrameAt = Date.now();
    this._failPending();
    this._setState("open");
    this.channels.forEach((channel) => channel._join());
  }

  _onClose(event) {
    this.closeCode = event && event.code;
    this._failPending();
    if (this.closeCode === CLOSE_TOO_MANY) {
      this._setState("disconnected");
      return;
    }
    // CLOSE_AUTH_LOST: the session ended; the library reconnects and the new
    // socket is a guest's (a page that cares reloads, from onState).
    this._setState(this.everOpened ? "reconnecting" : "connecting");
    if (this.rws.retryCount > 3 && navigator.onLine !== false) {
      this._setState("disconnected");
    }
  }

  _onMessage(event) {
    this.lastFrameAt = Date.now();
    let frame;
    try {
      frame = JSON.parse(event.data);
    } catch (err) {
      return;
    }
    if (!frame || typeof frame.type !== "string") { return; }
    const request = frame.ref && this.pending.get(frame.ref);
    if (request) {
      this.pending.delete(frame.ref);
      request.resolve(frame);
      return;
    }
    if (frame.type === "pong") { return; }  // the keep-alive's
    // Unasked frames, and late replies to requests that timed out: by topic.
    if (!frame.topic) {
      this.untopiced.emit(frame.type, frame);
      return;
    }
    const channel = this.channels.get(frame.topic);
    if (channel) { channel._dispatch(frame); }
  }

  _ping() {
    if (!this.isOpen()) { return; }
    if (Date.now() - this.lastFrameAt > SILENCE_LIMIT_MS) {
      this.rws.reconnect();
      return;
    }
    this.send({ type: "ping" });
  }
}

let tabHub = null;

/** The tab's hub, created on first use (one WebSocket per tab). Also
 * window.balaiHub: the one global, a hook for the browser tests. */
export function getHub() {
  if (!tabHub) {
    const scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    tabHub = new Hub(scheme + window.location.host + "/ws/");
    window.balaiHub = tabHub;
  }
  return tabHub;
}
