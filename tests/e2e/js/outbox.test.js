/* outbox.js: in-order sending, retries with the same client_id, settling. */
import { Outbox, warnBeforeLeaving } from "/static/frontend/js/outbox.js";
import { forgetOutboxes } from "/static/frontend/js/ui.js";
import { FakeClock, assert, assertEqual, settle, test } from "./harness.js";

/** A hub stand-in: every send waits until the test answers it. */
function transport() {
  const calls = [];
  return {
    calls,
    send: (frame) => new Promise((resolve, reject) => calls.push({ frame, resolve, reject })),
    /** Answer the latest send, then let the outbox react. */
    async reply(frame) {
      calls[calls.length - 1].resolve(frame);
      await settle();
    },
    async fail(code) {
      calls[calls.length - 1].reject({ code });
      await settle();
    },
  };
}

function memoryStorage() {
  const items = new Map();
  return {
    getItem: (key) => (items.has(key) ? items.get(key) : null),
    setItem: (key, value) => items.set(key, String(value)),
    removeItem: (key) => items.delete(key),
    key: (i) => [...items.keys()][i] ?? null,
    get length() { return items.size; },
  };
}

function makeOutbox(overrides = {}) {
  const clock = new FakeClock();
  const net = transport();
  let n = 0;
  const events = [];
  const outbox = new Outbox({
    send: net.send, clock, retryDelay: (failures) => 1000 * failures, newId: () => "cid-" + (++n),
    ...overrides,
  });
  ["pending", "sent", "done", "held", "failed", "waiting", "retrying"].forEach((type) => {
    outbox.on(type, (detail) => events.push({ type, ...detail, entry: undefined }));
  });
  return { outbox, clock, net, events };
}

let nextId = 100;
const published = (frame) => ({ type: "ack", status: "published", id: nextId++, client_id: frame.client_id });

test("only the oldest message is in flight; the next goes after its ack", async () => {
  const { outbox, net } = makeOutbox();
  outbox.resume();
  ["satu", "dua", "tiga"].forEach((body) => outbox.add(body));
  await settle();
  assertEqual(net.calls.length, 1, "sends in flight");
  for (const expected of ["satu", "dua", "tiga"]) {
    assertEqual(net.calls[net.calls.length - 1].frame.body, expected, "the one in flight");
    await net.reply(published(net.calls[net.calls.length - 1].frame));
  }
  assertEqual(net.calls.map((c) => c.frame.body), ["satu", "dua", "tiga"], "order sent");
  assertEqual(outbox.entries.length, 0, "left in the outbox");
});

test("a rate-limited head delays the whole queue and nothing overtakes it", async () => {
  const { outbox, clock, net, events } = makeOutbox();
  outbox.resume();
  [1, 2, 3, 4].forEach((k) => outbox.add("pesan " + k));
  await settle();
  const head = net.calls[0].frame;
  await net.reply({ type: "error", code: "rate_limited", retry_after: 2, detail: "tunggu" });
  assertEqual(events.filter((e) => e.type === "waiting").map((e) => e.until), [clock.now() + 2000], "waiting until");
  await clock.advance(1999);
  assertEqual(net.calls.length, 1, "sends before retry_after passed");
  await clock.advance(1);
  assertEqual(net.calls.length, 2, "sends once it passed");
  assertEqual(net.calls[1].frame, head, "the head goes again, same client_id");
  for (let k = 0; k < 4; k++) { await net.reply(published(net.calls[net.calls.length - 1].frame)); }
  assertEqual(net.calls.map((c) => c.frame.body), ["pesan 1", "pesan 1", "pesan 2", "pesan 3", "pesan 4"]);
});

test("ten messages typed at 3 a second against 5 per 10 s are published in the order typed", async () => {
  // The server's moving window (realtime/ratelimit.py): 5 per 10 s.
  const clock = new FakeClock();
  const accepted = [];  // [time, body]
  const order = [];
  const seen = new Map();  // client_id -> ack (idempotent sends)
  let id = 0;
  const send = (frame) => {
    if (seen.has(frame.client_id)) { return Promise.resolve(seen.get(frame.client_id)); }
    const recent = accepted.filter(([t]) => t > clock.now() - 10000);
    if (recent.length >= 5) {
      const retry = Math.ceil((recent[0][0] + 10000 - clock.now()) / 1000);
      return Promise.resolve({ type: "error", code: "rate_limited", retry_after: retry });
    }
    accepted.push([clock.now(), frame.body]);
    order.push(Number(frame.body));
    const ack = { type: "ack", status: "published", id: ++id, client_id: frame.client_id };
    seen.set(frame.client_id, ack);
    return Promise.resolve(ack);
  };
  let n = 0;
  const outbox = new Outbox({ send, clock, newId: () => "c" + (++n) });
  outbox.resume();
  for (let k = 1; k <= 10; k++) {
    outbox.add(String(k));
    await clock.advance(333);
  }
  await clock.advance(30000);
  assertEqual(order, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], "published order");
  assertEqual(outbox.entries.length, 0, "left in the outbox");
});

test("an internal error retries the head, with the same client_id, before anything after it", async () => {
  const { outbox, clock, net } = makeOutbox();
  outbox.resume();
  outbox.add("pertama");
  outbox.add("kedua");
  await settle();
  const head = net.calls[0].frame;
  await net.reply({ type: "error", code: "internal", detail: "" });
  await clock.advance(999);
  assertEqual(net.calls.length, 1, "sends before the retry delay");
  await clock.advance(1);
  assertEqual(net.calls.map((c) => c.frame.client_id), [head.client_id, head.client_id], "the head again");
  await net.reply({ type: "error", code: "internal", detail: "" });
  await clock.advance(1999);
  assertEqual(net.calls.length, 2, "the second retry waits longer");
  await clock.advance(1);
  await net.reply(published(net.calls[2].frame));
  assertEqual(net.calls[3].frame.body, "kedua", "then the next one");
});

test("unavailable (Redis down) and unknown codes with retry_after retry the head after retry_after", async () => {
  for (const code of ["unavailable", "some_future_code"]) {
    const { outbox, clock, net, events } = makeOutbox();
    outbox.resume();
    outbox.add("saat redis mati");
    await settle();
    await net.reply({ type: "error", code, detail: "", retry_after: 5 });
    await clock.advance(4999);
    assertEqual(net.calls.length, 1, code + ": sends before retry_after");
    await clock.advance(1);
    assertEqual(net.calls.length, 2, code + ": sent again after retry_after");
    assertEqual(net.calls[1].frame.client_id, net.calls[0].frame.client_id, code + ": same client_id");
    assertEqual(events.filter((e) => e.type === "failed").length, 0, code + ": not failed for good");
    const retrying = events.filter((e) => e.type === "retrying");
    assertEqual(retrying.length, 1, code + ": the page is told once that it waits");
    assertEqual(retrying[0].code, code, code + ": with the code, so the room can say the server is unavailable");
  }
});

test("a timed-out send goes again with the same client_id", async () => {
  const { outbox, clock, net } = makeOutbox();
  outbox.resume();
  outbox.add("lambat");
  await settle();
  await net.fail("timeout");
  await clock.advance(1000);
  assertEqual(net.calls.length, 2, "sent again");
  assertEqual(net.calls[1].frame.client_id, net.calls[0].frame.client_id, "same client_id");
});

test("after a lost connection the queue waits for the join, then resends the same client_id first", async () => {
  const storage = memoryStorage();
  const { outbox, clock, net } = makeOutbox({ storage, storageKey: "k" });
  outbox.resume();
  outbox.add("sebelum putus");
  await settle();
  const head = net.calls[0].frame;
  await net.fail("closed");  // the socket went away before the ack
  outbox.pause();
  outbox.add("saat putus");
  await clock.advance(60000);
  assertEqual(net.calls.length, 1, "nothing goes while disconnected");
  outbox.resume();  // joined again
  await settle();
  assertEqual(net.calls[1].frame, head, "the unanswered one again, same client_id");
  await net.reply(published(head));
  assertEqual(net.calls[2].frame.body, "saat putus", "then the one written while away");
  assertEqual(JSON.parse(storage.getItem("k")).map((e) => e.body), ["saat putus"], "stored until answered");
});

test("a reload sends what the previous page left, with the same client_ids, in order", async () => {
  const storage = memoryStorage();
  const first = makeOutbox({ storage, storageKey: "k" });
  first.outbox.add("a");
  first.outbox.add("b");  // never ready: never sent
  const ids = first.outbox.entries.map((e) => e.client_id);
  const second = makeOutbox({ storage, storageKey: "k" });
  assertEqual(second.outbox.load().map((e) => e.client_id), ids, "loaded");
  assertEqual(second.events.filter((e) => e.type === "pending").length, 2, "shown as pending");
  second.outbox.resume();
  await settle();
  await second.net.reply(published(second.net.calls[0].frame));
  assertEqual(second.net.calls.map((c) => c.frame.client_id), ids, "sent in order");
});

test("an ack and the live message, in either order, settle the pending copy once", async () => {
  for (const echoFirst of [true, false]) {
    const shown = new Set();
    const { outbox, net, events } = makeOutbox({ isShown: (id) => shown.has(id) });
    outbox.resume();
    outbox.add("halo");
    await settle();
    const ack = published(net.calls[0].frame);
    if (echoFirst) {
      shown.add(ack.id);
      outbox.shown(ack.id);
      await net.reply(ack);
    } else {
      await net.reply(ack);
      shown.add(ack.id);
      outbox.shown(ack.id);
    }
    outbox.shown(ack.id);           // the message again (a replay)
    outbox.settle({ ...ack, ref: undefined });  // the same ack again (a resend after reconnect)
    const done = events.filter((e) => e.type === "done");
    assertEqual(done.map((e) => e.clientId), [ack.client_id], `done events (echo first: ${echoFirst})`);
    assertEqual(events.filter((e) => e.type === "sent").length, echoFirst ? 0 : 1, "sent events");
    assertEqual(outbox.entries.length, 0, "left in the outbox");
  }
});

test("a held message lets the next go; the moderator's decision settles it later", async () => {
  const { outbox, net, events } = makeOutbox();
  outbox.resume();
  outbox.add("ditahan");
  outbox.add("berikutnya");
  await settle();
  const held = net.calls[0].frame;
  await net.reply({ type: "ack", status: "held", id: null, client_id: held.client_id });
  assertEqual(net.calls[1].frame.body, "berikutnya", "the next one goes");
  outbox.settle({ type: "ack", status: "rejected", client_id: held.client_id, reason: "spam" });
  const failed = events.filter((e) => e.type === "failed");
  assertEqual(failed.map((e) => [e.clientId, e.code, e.detail]), [[held.client_id, "rejected", "spam"]]);
});

test("a refusal for good drops that message only; the next one goes", async () => {
  const { outbox, net, events } = makeOutbox();
  outbox.resume();
  outbox.add("satu");
  outbox.add("dua");
  await settle();
  await net.reply({ type: "error", code: "muted", detail: "dibisukan", until: "2026-12-04T03:10:00+00:00" });
  const failed = events.find((e) => e.type === "failed");
  assert(failed && failed.code === "muted" && failed.until === "2026-12-04T03:10:00+00:00", "failed event");
  assertEqual(net.calls.map((c) => c.frame.body), ["satu", "dua"], "sent");
  assertEqual(outbox.entries.map((e) => e.body), ["dua"], "left");
});

/** A window stand-in that records its beforeunload listeners. */
function fakeWindow() {
  const listeners = new Set();
  return {
    listeners,
    addEventListener: (type, fn) => { if (type === "beforeunload") { listeners.add(fn); } },
    removeEventListener: (type, fn) => { if (type === "beforeunload") { listeners.delete(fn); } },
  };
}

test("leaving asks while a message waits: the beforeunload handler is set, and removed after its ack", async () => {
  const { outbox, net } = makeOutbox();
  const win = fakeWindow();
  warnBeforeLeaving(outbox, win);
  outbox.resume();
  assertEqual(win.listeners.size, 0, "nothing waits: no handler");
  outbox.add("satu");
  outbox.add("dua");
  await settle();
  assertEqual(win.listeners.size, 1, "one handler while messages wait");
  const event = { defaultPrevented: false, returnValue: undefined, preventDefault() { this.defaultPrevented = true; } };
  [...win.listeners][0](event);
  assert(event.defaultPrevented, "the handler asks the browser to confirm");
  await net.reply(published(net.calls[net.calls.length - 1].frame));
  assertEqual(win.listeners.size, 1, "still one waits");
  await net.reply(published(net.calls[net.calls.length - 1].frame));
  assertEqual(win.listeners.size, 0, "removed once the last one is acked");
  outbox.add("tiga");
  assertEqual(win.listeners.size, 1, "set again for the next message");
});

test("a reload that finds stored messages warns at once; a rate limit keeps the warning", async () => {
  const storage = memoryStorage();
  storage.setItem("k", JSON.stringify([{ client_id: "old-1", body: "tersimpan" }]));
  const { outbox, net } = makeOutbox({ storage, storageKey: "k" });
  const win = fakeWindow();
  warnBeforeLeaving(outbox, win);
  outbox.load();
  assertEqual(win.listeners.size, 1, "set by the loaded message");
  outbox.resume();
  await settle();
  assertEqual(net.calls[0].frame.client_id, "old-1", "the stored client_id goes again");
  await net.reply({ type: "error", code: "rate_limited", retry_after: 5 });
  assertEqual(win.listeners.size, 1, "still waiting behind the rate limit");
});

test("stopping the warning removes the handler even while messages wait", async () => {
  const { outbox } = makeOutbox();
  const win = fakeWindow();
  const stop = warnBeforeLeaving(outbox, win);
  outbox.add("satu");
  assertEqual(win.listeners.size, 1, "set");
  stop();
  assertEqual(win.listeners.size, 0, "removed by stop()");
  outbox.add("dua");
  assertEqual(win.listeners.size, 0, "no longer watching");
});

test("what is kept is bounded: the oldest maxKept entries, bodies within maxBody, malformed ones dropped", async () => {
  const storage = memoryStorage();
  const first = makeOutbox({ storage, storageKey: "k", maxKept: 3, maxBody: 5 });
  ["a", "b", "terlalu panjang", "c", "d"].forEach((body) => first.outbox.add(body));
  assertEqual(first.outbox.entries.length, 5, "all wait in this page's memory");
  assertEqual(JSON.parse(storage.getItem("k")).map((e) => e.body), ["a", "b", "c"], "kept");
  storage.setItem("k", JSON.stringify([{ client_id: "x", body: "ok", reply_to: 7 }, { client_id: "x", body: "ok" },
    { body: "no id" }, { client_id: "y", body: "" }, { client_id: "z", body: "r", reply_to: "1" }, 5, null]));
  const second = makeOutbox({ storage, storageKey: "k", maxKept: 3, maxBody: 5 });
  assertEqual(second.outbox.load().map((e) => [e.client_id, e.reply_to]), [["x", 7]], "loaded");
  storage.setItem("k", "{not json");
  assertEqual(makeOutbox({ storage, storageKey: "k" }).outbox.load(), [], "unreadable: nothing");
});

test("storage that throws (private browsing, full) leaves the outbox working in memory", async () => {
  const broken = { getItem() { throw new Error("denied"); }, setItem() { throw new Error("quota"); },
                   removeItem() { throw new Error("denied"); } };
  const { outbox, net } = makeOutbox({ storage: broken, storageKey: "k" });
  assertEqual(outbox.load(), [], "nothing loaded");
  outbox.resume();
  outbox.add("satu");
  outbox.add("dua");
  await settle();
  await net.reply(published(net.calls[0].frame));
  await net.reply(published(net.calls[1].frame));
  assertEqual(net.calls.map((c) => c.frame.body), ["satu", "dua"], "sent");
  assertEqual(outbox.entries.length, 0, "left");
});

test("an acknowledged entry leaves storage; a second tab's entries stay; a refused one leaves too", async () => {
  const storage = memoryStorage();
  let n = 0;
  const clock = new FakeClock();
  const tabA = makeOutbox({ storage, storageKey: "k", clock, newId: () => "a-" + (++n) });
  const tabB = makeOutbox({ storage, storageKey: "k", clock, newId: () => "b-" + (++n) });
  tabA.outbox.resume();
  tabA.outbox.add("dari A");
  await clock.advance(1);
  tabB.outbox.add("dari B");  // B is offline: it waits
  await clock.advance(1);
  tabA.outbox.add("ditolak");
  const kept = () => JSON.parse(storage.getItem("k") || "[]").map((e) => e.body);
  assertEqual(kept(), ["dari A", "dari B", "ditolak"], "both tabs' entries kept, in order written");
  await settle();
  await tabA.net.reply(published(tabA.net.calls[0].frame));
  assertEqual(kept(), ["dari B", "ditolak"], "acknowledged: not kept");
  await tabA.net.reply({ type: "error", code: "forbidden", detail: "tidak boleh" });
  assertEqual(kept(), ["dari B"], "refused for good: not kept");
  assertEqual(tabA.events.filter((e) => e.type === "failed").map((e) => e.code), ["forbidden"], "shown as refused");
  const reopened = makeOutbox({ storage, storageKey: "k" });
  assertEqual(reopened.outbox.load().map((e) => e.client_id), tabB.outbox.entries.map((e) => e.client_id),
              "reopening finds only what still waits, with its client_id");
});

test("signing out forgets every user's kept outbox; a page of one user forgets the others'", async () => {
  const storage = memoryStorage();
  ["balai.outbox.7.room.a", "balai.outbox.7.room.b", "balai.outbox.8.room.a", "balai.outbox.70.room.a", "lain"]
    .forEach((key) => storage.setItem(key, "[]"));
  forgetOutboxes(storage, 7);
  assertEqual([0, 1, 2].map((i) => storage.key(i)), ["balai.outbox.7.room.a", "balai.outbox.7.room.b", "lain"]);
  forgetOutboxes(storage, null);
  assertEqual(storage.length, 1, "only what is not an outbox stays");
  forgetOutboxes(null, null);  // no storage at all: nothing happens
});
