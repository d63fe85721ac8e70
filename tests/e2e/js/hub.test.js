/* hub.js over a stand-in WebSocket: request timeouts, per-type listeners,
 * and joins retried for every channel (not only rooms). */
import { Hub } from "/static/frontend/js/hub.js";
import { FakeClock, assert, assertEqual, settle, test } from "./harness.js";

/** A WebSocket the test plays the server of: it opens on the next turn. */
class FakeSocket extends EventTarget {
  constructor(url) {
    super();
    this.url = url;
    this.readyState = 0;
    this.sent = [];
    FakeSocket.made.push(this);
    window.setTimeout(() => {
      this.readyState = 1;
      this.dispatchEvent(new Event("open"));
    }, 0);
  }

  send(text) { this.sent.push(JSON.parse(text)); }

  close(code = 1000) {
    if (this.readyState === 3) { return; }
    this.readyState = 3;
    this.dispatchEvent(new CloseEvent("close", { code }));
  }

  /** The server sends `frame`. */
  receive(frame) { this.dispatchEvent(new MessageEvent("message", { data: JSON.stringify(frame) })); }

  sentOfType(type) { return this.sent.filter((frame) => frame.type === type); }
}
FakeSocket.CONNECTING = 0;
FakeSocket.OPEN = 1;
FakeSocket.CLOSING = 2;
FakeSocket.CLOSED = 3;
FakeSocket.made = [];

/** Poll for a condition the library reaches on its own timers (a reconnection). */
async function until(condition, what) {
  for (let i = 0; i < 500; i++) {  // up to 5 s: the library waits up to 1 s to reconnect
    if (condition()) { return; }
    await new Promise((resolve) => window.setTimeout(resolve, 10));
  }
  throw new Error("timed out waiting for " + what);
}

async function connectedHub() {
  FakeSocket.made = [];
  const clock = new FakeClock();
  const hub = new Hub("ws://test/ws/", { WebSocket: FakeSocket, requestTimeoutMs: 5000, timers: clock });
  await until(() => hub.isOpen(), "the first connection");
  return { hub, clock, socket: () => FakeSocket.made[FakeSocket.made.length - 1] };
}

test("a request resolves with the reply carrying its ref", async () => {
  const { hub, socket } = await connectedHub();
  const reply = hub.request({ type: "history", topic: "room.a", before: 5 });
  const sent = socket().sent[0];
  assert(sent.ref, "a ref was added");
  socket().receive({ type: "history", topic: "room.a", ref: sent.ref, messages: [], has_more: false });
  assertEqual((await reply).type, "history", "reply");
  hub.rws.close();
});

test("a request with no reply fails with timeout after its time, and a late reply goes to the channel", async () => {
  const { hub, clock, socket } = await connectedHub();
  const channel = hub.channel("room.a", {});
  const late = [];
  channel.on("ack", (frame) => late.push(frame));
  const join = socket().sentOfType("join")[0];
  socket().receive({ type: "joined", topic: "room.a", ref: join.ref, last_id: 0, has_more: false });
  let failure = null;
  hub.request({ type: "send", topic: "room.a", body: "x", client_id: "c1" }).catch((error) => { failure = error; });
  await clock.advance(4999);
  assertEqual(failure, null, "failed before its time");
  await clock.advance(1);
  assertEqual(failure && failure.code, "timeout", "failure");
  const ref = socket().sentOfType("send")[0].ref;
  socket().receive({ type: "ack", topic: "room.a", ref, client_id: "c1", status: "published", id: 1 });
  assertEqual(late.map((f) => f.client_id), ["c1"], "late ack delivered to the channel");
  hub.rws.close();
});

test("listeners get only their type on their topic; frames without a topic go to the hub's", async () => {
  const { hub, socket } = await connectedHub();
  const got = [];
  hub.channel("room.a", {}).on("message", (f) => got.push("a:" + f.message.id));
  hub.channel("room.b", {}).on("message", (f) => got.push("b:" + f.message.id));
  hub.channel("room.a", {}).on("presence", (f) => got.push("presence:" + f.count));
  hub.on("sanction", (f) => got.push("sanction:" + f.kind));
  socket().receive({ type: "message", topic: "room.b", message: { id: 7 } });
  socket().receive({ type: "message", topic: "room.a", message: { id: 3 } });
  socket().receive({ type: "presence", topic: "room.a", count: 2 });
  socket().receive({ type: "sanction", kind: "mute", room: null, lifted: false });
  socket().receive({ type: "message", topic: "room.c", message: { id: 1 } });
  assertEqual(got, ["b:7", "a:3", "presence:2", "sanction:mute"]);
  hub.rws.close();
});

test("a join that failed for a passing reason is retried, for any kind of topic", async () => {
  const { hub, clock, socket } = await connectedHub();
  const random = Math.random;
  Math.random = () => 1;  // the longest jitter: 4 s after one failure, 8 s after two
  try {
    const failed = [];
    const joined = [];
    const consoleChannel = hub.channel("modq.console", {});
    consoleChannel.onJoinFailed((f) => failed.push(f.code));
    consoleChannel.on("joined", (f) => joined.push(f.topic));
    const joins = () => socket().sentOfType("join").filter((f) => f.topic === "modq.console");
    socket().receive({ type: "error", ref: joins()[0].ref, code: "internal", detail: "" });
    await settle();
    assertEqual(failed, ["internal"], "the failure is reported");
    await clock.advance(3999);
    assertEqual(joins().length, 1, "joins before the delay");
    await clock.advance(1);
    assertEqual(joins().length, 2, "joined again");
    // A join that never hears back (timeout) is retried too.
    await clock.advance(4999);
    assertEqual(failed, ["internal"], "failures before the request timeout");
    await clock.advance(1);
    assertEqual(failed, ["internal", "timeout"], "a timeout counts");
    await clock.advance(8000);
    assertEqual(joins().length, 3, "a third join");
    socket().receive({ type: "joined", topic: "modq.console", ref: joins()[2].ref, last_id: 0, has_more: false });
    await settle();
    assertEqual(joined, ["modq.console"], "joined");
    // A refusal for good is not retried.
    hub.channel("notify.9", {});
    const refused = socket().sentOfType("join").find((f) => f.topic === "notify.9");
    socket().receive({ type: "error", ref: refused.ref, code: "forbidden", detail: "" });
    await clock.advance(60000);
    assertEqual(socket().sentOfType("join").filter((f) => f.topic === "notify.9").length, 1, "no retry");
  } finally {
    Math.random = random;
    hub.rws.close();
  }
});

test("after a reconnection every channel joins again from where it is", async () => {
  const { hub, socket } = await connectedHub();
  let last = null;
  hub.channel("room.a", { since: () => last, sinceRev: () => (last === null ? null : 60) });
  hub.channel("notify.9", { since: () => 1190 });
  hub.channel("modq.console", {});
  let failure = null;
  hub.request({ type: "history", topic: "room.a", before: 3 }).catch((error) => { failure = error; });
  last = 44;
  const before = socket();
  before.close(1006);
  await settle();
  assertEqual(failure && failure.code, "closed", "a request on the lost socket fails at once");
  await until(() => FakeSocket.made.length === 2 && hub.isOpen(), "the reconnection");
  const joins = socket().sentOfType("join").map((f) => [f.topic, f.since, f.since_rev]);
  assertEqual(joins, [["room.a", 44, 60], ["notify.9", 1190, undefined], ["modq.console", null, undefined]]);
  hub.rws.close();
});
