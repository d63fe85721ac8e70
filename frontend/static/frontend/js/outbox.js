/* The outbox: what the user wrote in this tab and the server has not yet
 * answered, sent in the order it was written (docs/protocol.md, "send").
 *
 * One head-of-line queue: only the oldest unanswered entry is in flight or
 * waiting for its retry; the later ones wait behind it, so a message never
 * overtakes an older one of the same tab. A `rate_limited` error delays the
 * whole queue by its `retry_after`; `internal`, `not_joined`, `unavailable`
 * (Redis down: at least its `retry_after`), any other error that carries a
 * `retry_after`, and a request that timed out retry the head after a growing
 * delay; a lost connection
 * pauses the queue until the page says the topic is joined again (resume()).
 * Every try of an entry carries the same `client_id`, so the server stores
 * it at most once however often it goes (and answers a repeat with the same
 * ack). Entries are kept in the browser's storage (localStorage, one key
 * per user and room) until answered, so reopening the page sends them again
 * too; at most `maxKept`, bodies of at most `maxBody` characters. Another tab
 * of the room shares the key: a save keeps what it stored and drops only what
 * this tab saw answered (a copy both tabs send is stored once: same client_id).
 *
 * No DOM: the page listens with on(type, fn):
 *   "pending" {entry}            queued (written now, or loaded after a reload)
 *   "sent"    {clientId, id}     published; its message has not arrived yet
 *   "done"    {clientId, id}     its message is shown: the pending copy can go
 *   "held"    {clientId}         waits for a moderator (a later ack settles it)
 *   "failed"  {clientId, code, detail, until}   refused for good
 *   "waiting" {until}            the queue is rate limited until `until` (ms)
 *   "count"   {count}            how many entries wait now (after load, add, removal)
 *
 * warnBeforeLeaving(outbox, target) asks the browser to confirm leaving the
 * page while anything waits: its `beforeunload` handler is on `target` only
 * while the outbox is not empty.
 */
import { Listeners } from "./listeners.js";

// A refusal that passes: the same entry goes again later.
const RETRY = new Set(["internal", "not_joined", "timeout", "unavailable"]);
const RATE_LIMIT_DEFAULT_S = 5;

/** 1 s, 2 s, 4 s … up to 30 s, each between half and all of that (jitter,
 * so tabs that met the same server error do not come back together). */
export function retryDelay(failures, random = Math.random) {
  return Math.min(30000, 1000 * 2 ** Math.max(0, failures - 1)) * (0.5 + random() / 2);
}

export function uuid4() {
  if (window.crypto && typeof window.crypto.randomUUID === "function") { return window.crypto.randomUUID(); }
  const bytes = window.crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => (b + 0x100).toString(16).slice(1)).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const realClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => window.setTimeout(fn, ms),
  clearTimeout: (id) => window.clearTimeout(id),
};

export class Outbox {
  /**
   * send(entry) -> Promise of the reply frame (`ack` or `error`), rejecting
   *   with {code: "offline" | "closed" | "timeout"} (hub.js RequestFailed);
   * storage, storageKey: where unanswered entries survive a reload (null: nowhere);
   * maxKept, maxBody: what is kept there at most (entries, characters);
   * isShown(id): whether the message with this id is already on the page;
   * clock, retryDelay(failures), newId(): replaced by tests.
   */
  constructor({ send, storage = null, storageKey = null, maxKept = 50, maxBody = 2000, isShown = () => false,
                clock = realClock, retryDelay: delay = retryDelay, newId = uuid4 }) {
    this.sendFrame = send;
    this.storage = storage;
    this.storageKey = storageKey;
    this.maxKept = maxKept;
    this.maxBody = maxBody;
    this.gone = new Set();      // client_ids this tab saw answered: dropped from storage
    this.isShown = isShown;
    this.clock = clock;
    this.retryDelay = delay;
    this.newId = newId;
    this.entries = [];          // unanswered, oldest first: entries[0] is the head
    this.ready = false;         // the topic is joined: sending makes sense
    this.inflight = null;       // {entry}: the head's current try
    this.notBefore = 0;         // the whole queue waits until then (ms)
    this.timer = null;
    this.failures = 0;          // passing refusals of the head in a row
    this.awaiting = new Map();  // published id -> client_id, until the message shows
    this.answered = new Set();  // client_ids published or rejected: later acks are repeats
    this.listeners = new Listeners();
  }

  on(type, fn) {
    return this.listeners.on(type, fn);
  }

  /** The entries a previous page left unanswered. */
  load() {
    this.entries = this._stored();
    this.entries.forEach((entry) => this.listeners.emit("pending", { entry }));
    this.listeners.emit("count", { count: this.entries.length });
    this._pump();
    return this.entries;
  }

  /** Queue a new message; it goes when everything written before it has. */
  add(body, replyTo = null) {
    const entry = { client_id: this.newId(), body, reply_to: replyTo, created_at: this.clock.now() };
    this.entries.push(entry);
    this._save();
    this.listeners.emit("pending", { entry });
    this.listeners.emit("count", { count: this.entries.length });
    this._pump();
    return entry;
  }

  /** The topic is joined (again): send from the head. */
  resume() {
    this.ready = true;
    this._pump();
  }

  /** The connection is gone: nothing goes until resume(). */
  pause() {
    this.ready = false;
  }

  /** An `ack` for one of our client_ids — the reply to a send, or unasked
   * (a moderator decided on a held message). Repeats change nothing. */
  settle(ack) {
    const clientId = ack.client_id;
    if (!clientId || this.answered.has(clientId)) { return; }
    if (this.entries.length && this.entries[0].client_id === clientId) { this.failures = 0; }
    this._remove(clientId);
    if (ack.status === "held") {
      this.listeners.emit("held", { clientId });
    } else if (ack.status === "published") {
      this.answered.add(clientId);
      if (typeof ack.id === "number" && !this.isShown(ack.id)) {
        this.awaiting.set(ack.id, clientId);
        this.listeners.emit("sent", { clientId, id: ack.id });
      } else {
        this.listeners.emit("done", { clientId, id: ack.id });
      }
    } else if (ack.status === "rejected") {
      this.answered.add(clientId);
      this.listeners.emit("failed", { clientId, code: "rejected", detail: ack.reason || "" });
    }
    this._pump();
  }

  /** The message with this id is now on the page. */
  shown(id) {
    const clientId = this.awaiting.get(id);
    if (clientId === undefined) { return; }
    this.awaiting.delete(id);
    this.listeners.emit("done", { clientId, id });
  }

  _pump() {
    if (!this.ready || this.inflight || !this.entries.length || this.timer !== null) { return; }
    const wait = this.notBefore - this.clock.now();
    if (wait > 0) {
      this.timer = this.clock.setTimeout(() => {
        this.timer = null;
        this._pump();
      }, wait);
      return;
    }
    const entry = this.entries[0];
    const attempt = { entry };
    this.inflight = attempt;
    const frame = { body: entry.body, client_id: entry.client_id, reply_to: entry.reply_to };
    this.sendFrame(frame).then((reply) => {
      if (this.inflight !== attempt) { return; }
      this.inflight = null;
      this._onReply(entry, reply);
    }, (error) => {
      if (this.inflight !== attempt) { return; }
      this.inflight = null;
      this._onReply(entry, { type: "error", code: (error && error.code) || "closed" });
    });
  }

  _onReply(entry, reply) {
    if (reply.type === "ack") {
      this.settle({ ...reply, client_id: entry.client_id });
      return;
    }
    const code = reply.code;
    if (code === "rate_limited") {
      this._delay((Number(reply.retry_after) || RATE_LIMIT_DEFAULT_S) * 1000);
      this.listeners.emit("waiting", { until: this.notBefore });
    } else if (RETRY.has(code) || reply.retry_after != null) {
      // A code this page does not know that says when to retry is retryable too.
      this.failures += 1;
      this._delay(Math.max(this.retryDelay(this.failures), (Number(reply.retry_after) || 0) * 1000));
      this.listeners.emit("retrying", { code, until: this.notBefore });
    } else if (code === "offline" || code === "closed") {
      this.pause();  // the next join resumes
    } else {
      // Refused for good (muted, forbidden, closed room, invalid…): the next one goes.
      this._remove(entry.client_id);
      this.failures = 0;
      this.listeners.emit("failed", { clientId: entry.client_id, code, detail: reply.detail || "",
                                      until: reply.until || null });
    }
    this._pump();
  }

  _delay(ms) {
    this.notBefore = Math.max(this.notBefore, this.clock.now() + ms);
    if (this.timer !== null) {
      this.clock.clearTimeout(this.timer);
      this.timer = null;
    }
  }

  _remove(clientId) {
    const entry = this.entries.find((e) => e.client_id === clientId);
    this.gone.add(clientId);
    if (entry) {
      this.entries = this.entries.filter((e) => e !== entry);
      this._save();
      this.listeners.emit("count", { count: this.entries.length });
    }
    return entry;
  }

  /** What storage holds, well-formed and within bounds, oldest first. */
  _stored() {
    let stored = [];
    try {
      stored = JSON.parse((this.storage && this.storage.getItem(this.storageKey)) || "[]");
    } catch (err) { /* unreadable or disabled: nothing kept */ }
    const seen = new Set();
    return (Array.isArray(stored) ? stored : []).filter((e) => e && typeof e.client_id === "string"
      && typeof e.body === "string" && e.body && e.body.length <= this.maxBody
      && (e.reply_to == null || Number.isInteger(e.reply_to))
      && !seen.has(e.client_id) && seen.add(e.client_id)).slice(0, this.maxKept);
  }

  _save() {
    if (!this.storage) { return; }
    const mine = new Set(this.entries.map((e) => e.client_id));
    const kept = this._stored().filter((e) => !mine.has(e.client_id) && !this.gone.has(e.client_id))
      .concat(this.entries.filter((e) => e.body.length <= this.maxBody))
      .sort((a, b) => (a.created_at || 0) - (b.created_at || 0)).slice(0, this.maxKept);
    try {
      if (kept.length) { this.storage.setItem(this.storageKey, JSON.stringify(kept)); }
      else { this.storage.removeItem(this.storageKey); }
    } catch (err) { /* storage full or disabled: the entries wait in memory only */ }
  }
}

/** While `outbox` holds unanswered messages, leaving the page asks first
 * (they are kept for the next visit, but go only once the room is open again). The
 * handler is added when the first entry waits and removed when the last one
 * is answered, so a page with nothing waiting keeps no `beforeunload`
 * listener (which would also cost it the back/forward cache). Returns a
 * function that stops watching. */
export function warnBeforeLeaving(outbox, target = window) {
  const handler = (event) => {
    event.preventDefault();
    event.returnValue = "";  // older browsers ask only when this is set
  };
  let armed = false;
  const update = ({ count }) => {
    if (count > 0 && !armed) {
      target.addEventListener("beforeunload", handler);
      armed = true;
    } else if (count === 0 && armed) {
      target.removeEventListener("beforeunload", handler);
      armed = false;
    }
  };
  update({ count: outbox.entries.length });
  const off = outbox.on("count", update);
  return () => {
    if (typeof off === "function") { off(); }
    update({ count: 0 });
  };
}
