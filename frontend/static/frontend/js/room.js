/* Balai Warga chat room page: follows one room.<slug> topic over the tab's
 * hub socket (hub.js) and sends what the user writes. This module only wires
 * the parts together:
 *   - sequence.js: which ids and revisions this tab has, repeats, gaps;
 *   - outbox.js: what was written and not yet answered, sent in order;
 *   - room_view.js: the conversation as DOM;
 * and keeps the composer (the box the user writes in).
 */
import { CLOSE_AUTH_LOST, getHub } from "./hub.js";
import { Outbox, warnBeforeLeaving } from "./outbox.js";
import { RoomView } from "./room_view.js";
import { Sequence, isNewer } from "./sequence.js";
import { excerpt, fmt, forgetOutboxes, localStore, readConfig } from "./ui.js";

const HISTORY_PAGE = 50;
const HISTORY_MAX = 100;

function start(cfg) {
  const S = cfg.strings;
  const M = cfg.moderator_strings || {};
  const topic = cfg.topic;
  const hub = getHub();
  const sequence = new Sequence();
  let replayUpTo = 0;  // ids up to this came with a join: not announced

  const $ = (id) => document.getElementById(id);
  const form = $("composer");
  const textarea = $("composer-body");
  const sendButton = $("composer-send");
  const counter = $("composer-count");
  const replyBar = $("reply-bar");
  const replyText = $("reply-text");
  const replyCancel = $("reply-cancel");
  let replyTo = null;

  const view = new RoomView(cfg, { onAction });
  view.canPost = Boolean(form) && !(textarea && textarea.disabled);

  // --- the outbox (signed-in users only) --------------------------------------
  // Kept per user and room; another user's kept messages go (a shared browser).
  const store = localStore();
  if (form) { forgetOutboxes(store, cfg.user_id); }
  const outbox = form ? new Outbox({
    send: (entry) => hub.request({ type: "send", topic, ...entry }),
    storage: store,
    storageKey: "balai.outbox." + cfg.user_id + "." + topic,
    maxBody: cfg.max_body,
    isShown: (id) => view.has(id),
  }) : null;
  let stopWarning = null;  // warnBeforeLeaving's off switch, once the outbox is loaded

  if (outbox) {
    outbox.on("pending", ({ entry }) => view.addPending(entry));
    outbox.on("sent", ({ clientId }) => view.markPending(clientId, "sent", ""));
    outbox.on("done", ({ clientId }) => { view.removePending(clientId); view.clearNote("outage"); });
    // The server said it cannot store messages right now (Redis down): say so,
    // until a message goes through; the outbox keeps retrying on its own.
    outbox.on("retrying", ({ code }) => { if (code === "unavailable") { view.setNote(S.unavailable, "outage"); } });
    outbox.on("held", ({ clientId }) => view.markPending(clientId, "held", S.held));
    outbox.on("waiting", ({ until }) => view.showRateLimit(until));
    outbox.on("failed", ({ clientId, code, detail, until }) => {
      if (code === "rejected") {
        // Refused by a moderator: the author may edit it and send it again, as
        // a new message (a fresh client_id) through the outbox like any other.
        view.offerResend(clientId, detail, (text, replyTo) => { outbox.add(text, replyTo); view.toBottom(); });
      } else if (code === "muted") {
        const text = until ? fmt(S.muted_until, { until: view.whenText(until) }) : detail;
        view.markPending(clientId, "failed", S.failed + ": " + text);
        view.setNote(text, "error");
      } else {
        view.markPending(clientId, "failed", S.failed + (detail ? ": " + detail : ""));
      }
    });
  }

  /** Show a message (live, replayed or from history) and tell the outbox. */
  function show(message, options) {
    view.upsert(message, options);
    if (outbox) { outbox.shown(message.id); }
  }

  // --- frames of the room -------------------------------------------------------
  function onMessage(frame) {
    const message = frame.message;
    sequence.noteRev(message.rev);
    if (typeof message.id !== "number") { return; }
    const { fresh, gap } = sequence.accept(message.id);
    if (!fresh) { return; }  // a repeat
    show(message, { own: view.isOwn(message) });
    if (gap) { fillGaps(); }
    if (message.id > replayUpTo && !view.isOwn(message)) { view.announce(message); }
  }

  function onUpdated(frame) {
    const message = frame.message;
    sequence.noteRev(message.rev);
    const known = view.get(message.id);
    if (known && isNewer(known.rev, message.rev)) { view.upsert(message); }
  }

  function onDeleted(frame) {
    sequence.noteRev(frame.rev);
    const known = view.get(frame.id);
    if (known && isNewer(known.rev, frame.rev)) {
      view.upsert({ ...known, deleted: true, body: "", html: "", rev: frame.rev });
    }
  }

  /** One of our messages waits for a moderator (sent now, or replayed on join). */
  function onHeld(frame) {
    if (!frame.client_id) { return; }
    if (!view.hasPending(frame.client_id)) { view.addPending({ client_id: frame.client_id, body: frame.body }); }
    view.markPending(frame.client_id, "held", S.held);
  }

  function onJoined(frame) {
    view.clearNote("error");
    if (frame.room) { applyRoom(frame.room); }
    if (typeof frame.presence === "number") { view.setPresence(frame.presence); }
    // The first join (nothing seen yet) brought the latest messages: older
    // ones are a button away. Later joins continue from the last id, and any
    // jump in ids is a gap the sequence reports.
    if (sequence.since() === null && view.isEmpty()) { view.showOlder(Boolean(frame.has_more)); }
    replayUpTo = Math.max(replayUpTo, frame.last_id || 0);
    if (frame.last_id === 0) { view.showEmpty(); }
    fillGaps();  // what a request that failed earlier left missing
    if (outbox) { outbox.resume(); }
  }

  // --- history ----------------------------------------------------------------
  let filling = false;

  /** Read the missed ids back with history pages, newest gap first, one
   * request at a time; a gap left by a failed request is retried on the next join. */
  function fillGaps() {
    if (filling || !sequence.gaps.length) { return; }
    const gap = sequence.gaps[sequence.gaps.length - 1];
    filling = true;
    const limit = Math.min(HISTORY_MAX, gap.to - gap.from + 1);
    hub.request({ type: "history", topic, before: gap.to + 1, limit }).then((reply) => {
      filling = false;
      if (reply.type !== "history") { return; }
      const inGap = reply.messages.filter((m) => m.id >= gap.from && m.id <= gap.to);
      inGap.forEach((m) => show(m, { keepPosition: true }));
      // Ids are gap-free: the page holds everything from its oldest id up.
      const complete = !reply.has_more || !reply.messages.length || reply.messages[0].id <= gap.from;
      sequence.filled(complete ? gap.from : reply.messages[0].id, gap.to);
      fillGaps();
    }, () => { filling = false; });
  }

  function loadOlder() {
    const before = view.oldestId();
    if (before === null) { return; }
    view.olderLoading(true);
    hub.request({ type: "history", topic, before, limit: HISTORY_PAGE }).then((reply) => {
      view.olderLoading(false);
      if (reply.type !== "history") { return; }
      reply.messages.slice().reverse().forEach((m) => show(m, { keepPosition: true }));
      view.showOlder(reply.has_more);
    }, () => view.olderLoading(false));
  }

  // --- room state -------------------------------------------------------------
  function applyRoom(room) {
    if (!form) { return; }
    const could = view.canPost;
    view.canPost = Boolean(room.can_post);
    textarea.disabled = !view.canPost;
    sendButton.disabled = !view.canPost;
    if (!view.canPost) {
      view.setNote(room.cannot_post_reason || S.read_only_now, "refusal");
      clearReply();
    } else {
      view.clearNote("refusal");
    }
    if (could !== view.canPost) { view.rerenderAll(); }
  }

  /** A `sanction` frame (no topic): a mute here or everywhere, or its lifting. */
  function onSanction(frame) {
    if (frame.kind !== "mute") { return; }
    const slug = topic.slice(topic.indexOf(".") + 1);
    if (frame.room && frame.room !== slug) { return; }
    view.showMute(frame);
  }

  // --- the user's actions on a message ------------------------------------------
  function onAction(action, message) {
    if (action === "reply") { setReply(message); }
    else if (action === "edit") { view.openEditor(message, (text) => saveEdit(message, text)); }
    else if (action === "delete") { deleteMessage(message); }
  }

  /** Resolves with null when saved, or with the text of the problem. */
  function saveEdit(message, text) {
    // On success message.updated brings the new text to every tab, this one too.
    return hub.request({ type: "edit", topic, id: message.id, body: text }).then(
      (reply) => (reply.type === "ack" ? null : reply.detail),
      () => S.reconnecting);
  }

  function deleteMessage(message) {
    const question = view.isOwn(message) ? S.confirm_delete : fmt(M.confirm_remove, { name: message.author.name });
    if (!window.confirm(question)) { return; }
    hub.request({ type: "delete", topic, id: message.id }).then((reply) => {
      if (reply.type === "error") { view.setNote(reply.detail, "error"); }
    }, () => view.setNote(S.reconnecting, "error"));
  }

  // --- the composer ---------------------------------------------------------------
  function updateCounter() {
    const length = textarea.value.length;
    counter.textContent = length + " / " + cfg.max_body;
    counter.classList.toggle("near-limit", length > cfg.max_body * 0.9);
  }

  function setReply(message) {
    replyTo = { id: message.id, name: message.author.name };
    replyText.textContent = fmt(S.replying_to, { name: message.author.name }) + ": " + excerpt(message.body, 60);
    replyBar.hidden = false;
    textarea.focus();
  }

  function clearReply() {
    replyTo = null;
    if (replyBar) { replyBar.hidden = true; }
  }

  function submit(event) {
    if (event) { event.preventDefault(); }
    if (!view.canPost) { return; }
    const body = textarea.value.trim();
    if (!body) { return; }
    outbox.add(body, replyTo ? replyTo.id : null);
    view.toBottom();
    textarea.value = "";
    updateCounter();
    clearReply();
    textarea.focus();
  }

  // --- start ------------------------------------------------------------------------
  hub.onState((state, code) => {
    view.setConnection(state, code);
    if (state !== "open" && outbox) { outbox.pause(); }
    // The session ended (signed out, banned): show the page as it now is.
    if (state !== "open" && code === CLOSE_AUTH_LOST) {
      if (stopWarning) { stopWarning(); }  // the reload is ours: nothing to confirm
      window.location.reload();
    }
  });
  hub.on("sanction", onSanction);
  if (cfg.mute) { view.showMute(cfg.mute); }  // a mute in force when the page loaded

  if (outbox) {
    // Warn before closing the page while anything typed waits (rate limit, offline).
    stopWarning = warnBeforeLeaving(outbox, window);
    outbox.load();
    form.addEventListener("submit", submit);
    textarea.addEventListener("input", updateCounter);
    textarea.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing && window.matchMedia("(pointer: fine)").matches) {
        submit(event);
      }
    });
    replyCancel.addEventListener("click", () => { clearReply(); textarea.focus(); });
    updateCounter();
  }
  view.olderButton.addEventListener("click", loadOlder);

  const channel = hub.channel(topic, { since: () => sequence.since(), sinceRev: () => sequence.sinceRev() });
  channel.on("joined", onJoined);
  channel.on("message", onMessage);
  channel.on("message.updated", onUpdated);
  channel.on("message.deleted", onDeleted);
  channel.on("presence", (frame) => view.setPresence(frame.count));
  channel.on("message.held", onHeld);
  // Unasked: a moderator decided on a held message (or a late reply to a send).
  channel.on("ack", (frame) => { if (outbox && frame.client_id) { outbox.settle(frame); } });
  channel.onJoinFailed((frame) => view.setNote(frame.detail || S.reconnecting, "error"));
}

const config = readConfig("room-config");
if (config) { start(config); }
