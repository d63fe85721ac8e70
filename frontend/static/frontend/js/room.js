/* Balai Warga chat room page: renders the conversation of one room.topic
 * and sends what the user writes, over the tab's hub socket (hub.js).
 *
 * Safety: user text reaches the DOM only through textContent, except the
 * server's sanitised `html` field of a message (common/sanitize.py), which
 * is the one thing assigned to innerHTML.
 *
 * Delivery: every send carries a client_id kept with the text in
 * sessionStorage (the outbox) until the server acknowledges it; after a
 * reconnect, or a reload, unacknowledged sends go again with the SAME
 * client_id, so the server stores each at most once. Messages are keyed by
 * their id (the room's gap-free visible sequence), so replays never duplicate.
 */
(function () {
  "use strict";

  var configNode = document.getElementById("room-config");
  if (!configNode) { return; }
  var cfg = JSON.parse(configNode.textContent);
  var S = cfg.strings;
  var M = cfg.moderator_strings || {};   // moderators' tools; empty for everyone else
  var moderator = Boolean(cfg.is_moderator);
  var topic = cfg.topic;
  var me = cfg.user_id;
  var EDIT_WINDOW_MS = cfg.edit_window_seconds * 1000;
  var HISTORY_PAGE = 50;

  var $ = function (id) { return document.getElementById(id); };
  var log = $("room-log");
  var list = $("messages");
  var emptyNote = $("empty");
  var olderButton = $("load-older");
  var connState = $("conn-state");
  var presence = $("presence");
  var announcer = $("announcer");
  var form = $("composer");
  var textarea = $("composer-body");
  var sendButton = $("composer-send");
  var note = $("composer-note");
  var counter = $("composer-count");
  var replyBar = $("reply-bar");
  var replyText = $("reply-text");
  var replyCancel = $("reply-cancel");

  var outboxList = document.createElement("ol");
  outboxList.className = "msgs outbox";
  outboxList.setAttribute("aria-label", S.pending);
  log.appendChild(outboxList);

  var messages = new Map();     // id -> message object from the server
  var elements = new Map();     // id -> <li>
  var editing = new Set();      // ids with an open editor
  var maxId = null;             // newest id received from the server
  var replayUpTo = 0;           // ids up to this came with the join: not announced
  var pendingGap = null;        // {lo}: fill from lo+1 up to the first replayed id
  var canPost = Boolean(form) && !(textarea && textarea.disabled);
  var replyTo = null;
  var needFlush = false;
  var flushTimer = null;
  var noteTimer = null;
  var hasMoreOlder = false;

  var fmt = window.BalaiUI.fmt;
  var el = window.BalaiUI.el;
  var excerpt = window.BalaiUI.excerpt;

  function uuid4() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") { return window.crypto.randomUUID(); }
    var bytes = window.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  var lang = document.documentElement.lang || "id";
  var timeFormat = new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", timeZone: "Asia/Jakarta" });
  var dateFormat = new Intl.DateTimeFormat(lang, {
    weekday: "long", day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit",
    timeZone: "Asia/Jakarta",
  });

  // --- scrolling ------------------------------------------------------------
  function nearBottom() {
    return log.scrollHeight - log.scrollTop - log.clientHeight < 80;
  }

  function toBottom() {
    log.scrollTop = log.scrollHeight;
  }

  // --- rendering messages ---------------------------------------------------
  function isOwn(message) {
    return me !== null && message.author && message.author.id === me;
  }

  // Reporting a message, and the moderators' mute and ban (room_actions.js).
  var actions = window.BalaiRoomActions.create({
    cfg: cfg,
    topic: topic,
    me: me,
    isOwn: isOwn,
    element: function (id) { return elements.get(id); },
    rerender: function (id) {
      if (!editing.has(id) && messages.has(id)) { renderMessage(messages.get(id)); }
    }
  });

  function editable(message) {
    return isOwn(message) && !message.deleted && canPost &&
      Date.now() - Date.parse(message.created_at) < EDIT_WINDOW_MS;
  }

  function authorBadge(author) {
    if (author.role === "official") { return author.title || cfg.roles.official; }
    if (author.role === "moderator" || author.role === "admin") { return cfg.roles[author.role]; }
    return null;
  }

  function renderMessage(message) {
    var li = elements.get(message.id) || el("li");
    li.textContent = "";
    li.id = "m-" + message.id;
    li.dataset.id = String(message.id);
    var classes = ["msg"];
    if (isOwn(message)) { classes.push("own"); }
    if (message.author.role === "official") { classes.push("official"); }
    if (message.deleted) { classes.push("deleted"); }
    li.className = classes.join(" ");

    var head = el("p", "msg-head");
    head.appendChild(el("span", "msg-author", message.author.name));
    var badge = authorBadge(message.author);
    if (badge) { head.appendChild(el("span", "badge badge-" + message.author.role, badge)); }
    if (isOwn(message)) { head.appendChild(el("span", "msg-me", "(" + S.me + ")")); }
    var when = new Date(message.created_at);
    var time = el("time", "msg-time", timeFormat.format(when) + " WIB");
    time.dateTime = message.created_at;
    time.title = dateFormat.format(when) + " WIB";
    head.appendChild(time);
    if (message.edited_at && !message.deleted) { head.appendChild(el("span", "msg-edited", "(" + S.edited + ")")); }
    li.appendChild(head);

    if (message.reply_to && !message.deleted) {
      var parent = messages.get(message.reply_to);
      var quote = el("p", "msg-quote");
      var link = el("a", null, fmt(S.reply_to, { name: parent ? parent.author.name : S.earlier_message }));
      link.href = "#m-" + message.reply_to;
      quote.appendChild(link);
      if (parent && !parent.deleted) { quote.appendChild(el("span", "quote-text", excerpt(parent.body, 80))); }
      li.appendChild(quote);
    }

    var body = el("div", "msg-body");
    if (message.deleted) {
      body.textContent = S.deleted;
    } else {
      body.innerHTML = message.html;  // sanitised by the server; the only innerHTML
    }
    li.appendChild(body);

    var reportable = actions.canReport(message);
    if (!message.deleted && (canPost || reportable || moderator)) {
      var buttons = el("p", "msg-actions");
      if (canPost) { buttons.appendChild(actionButton(S.reply, "reply", message)); }
      if (canPost && editable(message)) {
        buttons.appendChild(actionButton(S.edit, "edit", message));
        scheduleEditExpiry(message);
      }
      if (canPost && isOwn(message)) { buttons.appendChild(actionButton(S.delete, "delete", message)); }
      // Moderators remove anyone's message (the hub checks the role again).
      else if (moderator && !isOwn(message)) { buttons.appendChild(actionButton(M.remove, "delete", message)); }
      if (reportable) { buttons.appendChild(actionButton(S.report, "report", message)); }
      if (actions.canSanction(message)) {
        buttons.appendChild(actionButton(M.mute, "mute", message));
        buttons.appendChild(actionButton(M.ban, "ban", message));
      }
      if (buttons.children.length) { li.appendChild(buttons); }
    }
    actions.notesFor(message).forEach(function (node) { li.appendChild(node); });
    return li;
  }

  function actionButton(label, action, message) {
    var button = el("button", "link-button small", label);
    button.type = "button";
    button.dataset.action = action;
    button.setAttribute("aria-label", label + " — " + message.author.name + ": " + excerpt(message.body, 40));
    return button;
  }

  var expiryTimers = new Map();
  function scheduleEditExpiry(message) {
    if (expiryTimers.has(message.id)) { return; }
    var left = Date.parse(message.created_at) + EDIT_WINDOW_MS - Date.now();
    expiryTimers.set(message.id, window.setTimeout(function () {
      expiryTimers.delete(message.id);
      if (!editing.has(message.id) && messages.has(message.id)) { renderMessage(messages.get(message.id)); }
    }, Math.max(0, left) + 500));
  }

  /** Insert or update one message, keeping the list in id order. */
  function upsert(message, options) {
    var known = messages.has(message.id);
    messages.set(message.id, message);
    if (editing.has(message.id)) { return; }  // re-rendered when the editor closes
    var stick = nearBottom() || (options && options.own);
    var li = renderMessage(message);
    if (!known) {
      elements.set(message.id, li);
      var next = null;
      for (var i = list.children.length - 1; i >= 0; i--) {
        if (Number(list.children[i].dataset.id) > message.id) { next = list.children[i]; } else { break; }
      }
      var before = log.scrollHeight;
      list.insertBefore(li, next);
      if (next !== null && options && options.keepPosition) { log.scrollTop += log.scrollHeight - before; }
      else if (stick) { toBottom(); }
      // A reply rendered before its parent arrived: refresh its quote.
      list.querySelectorAll("li").forEach(function (item) {
        var other = messages.get(Number(item.dataset.id));
        if (other && other.reply_to === message.id) { renderMessage(other); }
      });
    }
    emptyNote.hidden = true;
  }

  function onMessage(message) {
    if (typeof message.id !== "number") { return; }
    if (pendingGap !== null) {
      var lo = pendingGap.lo;
      pendingGap = null;
      if (message.id > lo + 1) { fillGap(lo, message.id - 1); }
    }
    var fresh = !messages.has(message.id);
    upsert(message, { own: isOwn(message) });
    if (maxId === null || message.id > maxId) { maxId = message.id; }
    settleOutbox(message.id);
    if (fresh && message.id > replayUpTo && !isOwn(message)) {
      announcer.textContent = fmt(S.new_message, { name: message.author.name }) + ": " + excerpt(message.body, 140);
    }
  }

  // --- history ----------------------------------------------------------------
  function oldestId() {
    var first = list.firstElementChild;
    return first ? Number(first.dataset.id) : null;
  }

  function showOlder(show) {
    hasMoreOlder = show;
    olderButton.hidden = !show;
  }

  function loadOlder() {
    var before = oldestId();
    if (before === null) { return; }
    olderButton.disabled = true;
    olderButton.textContent = S.loading;
    var sent = hub.request({ type: "history", topic: topic, before: before, limit: HISTORY_PAGE }, function (reply) {
      olderButton.disabled = false;
      olderButton.textContent = S.load_older;
      if (reply.type !== "history") { return; }
      reply.messages.slice().reverse().forEach(function (m) { upsert(m, { keepPosition: true }); });
      showOlder(reply.has_more);
    });
    if (!sent) {
      olderButton.disabled = false;
      olderButton.textContent = S.load_older;
    }
  }

  /** Fetch ids lo+1 .. hi (missed beyond the replay cap) with history pages. */
  function fillGap(lo, hi) {
    if (hi <= lo) { return; }
    hub.request({ type: "history", topic: topic, before: hi + 1, limit: Math.min(100, hi - lo) }, function (reply) {
      if (reply.type !== "history" || !reply.messages.length) { return; }
      reply.messages.forEach(function (m) { if (m.id > lo) { upsert(m, { keepPosition: true }); } });
      var oldest = reply.messages[0].id;
      if (oldest > lo + 1 && reply.has_more) { fillGap(lo, oldest - 1); }
    });
  }

  // --- room state -------------------------------------------------------------
  function setNote(text, kind) {
    if (!note) { return; }
    note.textContent = text || "";
    note.dataset.kind = kind || "";
  }

  function applyRoom(room) {
    if (!form) { return; }
    var could = canPost;
    canPost = Boolean(room.can_post);
    textarea.disabled = !canPost;
    sendButton.disabled = !canPost;
    if (!canPost) {
      setNote(room.cannot_post_reason || S.read_only_now, "refusal");
      clearReply();
    } else if (note.dataset.kind === "refusal") {
      setNote("");
    }
    if (could !== canPost) { messages.forEach(function (m) { renderMessage(m); }); }
  }

  function setPresence(count) {
    presence.textContent = count === 1 ? S.online_one : fmt(S.online_many, { n: count });
  }

  // --- the outbox ---------------------------------------------------------------
  var storeKey = "balai.outbox." + topic + "." + me;
  var outbox = [];   // [{client_id, body, reply_to, created_at}]
  var outboxElements = new Map();  // client_id -> <li>
  var acked = new Map();           // published id -> client_id, until the message itself arrives

  function loadOutbox() {
    try {
      var stored = JSON.parse(window.sessionStorage.getItem(storeKey) || "[]");
      if (Array.isArray(stored)) { outbox = stored.filter(function (e) { return e && e.client_id && e.body; }); }
    } catch (err) {
      outbox = [];
    }
  }

  function saveOutbox() {
    try {
      if (outbox.length) { window.sessionStorage.setItem(storeKey, JSON.stringify(outbox)); }
      else { window.sessionStorage.removeItem(storeKey); }
    } catch (err) { /* storage full or disabled: the page still works */ }
  }

  function dropFromOutbox(clientId) {
    outbox = outbox.filter(function (e) { return e.client_id !== clientId; });
    saveOutbox();
  }

  function renderPending(entry) {
    var li = outboxElements.get(entry.client_id) || el("li");
    li.textContent = "";
    li.className = "msg own pending";
    li.dataset.clientId = entry.client_id;
    var head = el("p", "msg-head");
    head.appendChild(el("span", "msg-author", S.me));
    head.appendChild(el("span", "msg-status", S.pending));
    li.appendChild(head);
    li.appendChild(el("div", "msg-body", entry.body));
    if (!outboxElements.has(entry.client_id)) {
      outboxElements.set(entry.client_id, li);
      outboxList.appendChild(li);
    }
    return li;
  }

  function markPending(clientId, kind, text) {
    var li = outboxElements.get(clientId);
    if (!li) { return; }
    li.classList.remove("pending", "held", "failed", "sent");
    li.classList.add(kind);
    var status = li.querySelector(".msg-status");
    if (status) { status.textContent = text; }
  }

  function removePending(clientId) {
    var li = outboxElements.get(clientId);
    if (li) { li.remove(); }
    outboxElements.delete(clientId);
  }

  /** The message with this id has arrived: its pending copy can go. */
  function settleOutbox(id) {
    var clientId = acked.get(id);
    if (clientId !== undefined) {
      acked.delete(id);
      removePending(clientId);
    }
  }

  function flushOutbox() {
    window.clearTimeout(flushTimer);
    flushTimer = null;
    var now = Date.now();
    var wait = null;
    outbox.forEach(function (entry) {
      if (entry.not_before && entry.not_before > now) {
        wait = wait === null ? entry.not_before - now : Math.min(wait, entry.not_before - now);
        return;
      }
      if (!entry.inflight) { sendEntry(entry); }
    });
    if (wait !== null) { flushTimer = window.setTimeout(flushOutbox, wait + 50); }
  }

  function sendEntry(entry) {
    var frame = { type: "send", topic: topic, body: entry.body, client_id: entry.client_id, reply_to: entry.reply_to };
    entry.inflight = hub.request(frame, function (reply) {
      entry.inflight = false;
      onSendReply(entry, reply);
    });
  }

  function onSendReply(entry, reply) {
    if (reply.type === "ack") {
      if (reply.status === "held") {
        dropFromOutbox(entry.client_id);
        markPending(entry.client_id, "held", S.held);
      } else {
        onDecision(Object.assign({}, reply, { client_id: entry.client_id }));
      }
      return;
    }
    if (reply.type !== "error") { return; }
    if (reply.code === "rate_limited") {
      var seconds = Number(reply.retry_after) || 5;
      entry.not_before = Date.now() + seconds * 1000;
      saveOutbox();
      showRateLimit(entry.not_before);
      if (flushTimer === null) { flushTimer = window.setTimeout(flushOutbox, seconds * 1000 + 50); }
      return;
    }
    if (reply.code === "not_joined" || reply.code === "internal") {
      // Kept: sent again after the next (re)join.
      entry.not_before = Date.now() + 5000;
      if (flushTimer === null) { flushTimer = window.setTimeout(flushOutbox, 5050); }
      return;
    }
    dropFromOutbox(entry.client_id);
    if (reply.code === "muted") {
      var mutedText = reply.until ? fmt(S.muted_until, { until: whenText(reply.until) }) : reply.detail;
      markPending(entry.client_id, "failed", S.failed + ": " + mutedText);
      setNote(mutedText, "error");
      return;
    }
    markPending(entry.client_id, "failed", S.failed + ": " + reply.detail);
  }

  function whenText(iso) {
    return dateFormat.format(new Date(iso)) + " WIB";
  }

  // --- sanctions ----------------------------------------------------------------
  var muteNotice = null;
  var muteTimer = null;

  /** A `sanction` frame (no topic): a mute here or everywhere, or its lifting. */
  function onSanction(frame) {
    if (frame.type !== "sanction" || frame.kind !== "mute") { return; }
    var slug = topic.slice(topic.indexOf(".") + 1);
    if (frame.room && frame.room !== slug) { return; }
    if (!muteNotice) {
      muteNotice = el("p", "notice mute-notice");
      muteNotice.id = "mute-notice";
      muteNotice.setAttribute("role", "status");
      var section = log.parentNode;
      section.insertBefore(muteNotice, form || null);
    }
    window.clearTimeout(muteTimer);
    if (frame.lifted) {
      muteNotice.textContent = S.mute_lifted;
      muteNotice.dataset.state = "lifted";
      if (note && note.dataset.kind === "error") { setNote(""); }
      return;
    }
    var until = frame.until ? whenText(frame.until) : "";
    muteNotice.textContent = fmt(frame.room ? S.muted_here_until : S.muted_everywhere_until, { until: until });
    muteNotice.dataset.state = "muted";
    if (frame.until) {
      var left = Date.parse(frame.until) - Date.now();
      if (left > 0 && left < 86400000 * 2) {
        muteTimer = window.setTimeout(function () { onSanction(Object.assign({}, frame, { lifted: true })); }, left + 1000);
      }
    }
  }

  /** One of our messages waits for a moderator (sent now, or replayed on join). */
  function onHeld(frame) {
    if (!frame.client_id) { return; }
    if (!outboxElements.has(frame.client_id)) {
      renderPending({ client_id: frame.client_id, body: frame.body });
    }
    markPending(frame.client_id, "held", S.held);
  }

  function onDecision(frame) {
    dropFromOutbox(frame.client_id);
    if (frame.status === "published" && typeof frame.id === "number") {
      if (messages.has(frame.id)) { removePending(frame.client_id); }
      else {
        acked.set(frame.id, frame.client_id);
        markPending(frame.client_id, "sent", "");
      }
    } else if (frame.status === "rejected") {
      markPending(frame.client_id, "failed", S.failed + (frame.reason ? ": " + frame.reason : ""));
    }
  }

  function showRateLimit(until) {
    window.clearInterval(noteTimer);
    function tick() {
      var left = Math.ceil((until - Date.now()) / 1000);
      if (left <= 0) {
        window.clearInterval(noteTimer);
        if (note && note.dataset.kind === "rate") { setNote(""); }
        return;
      }
      setNote(fmt(S.rate_limited, { n: left }), "rate");
    }
    tick();
    noteTimer = window.setInterval(tick, 1000);
  }

  // --- the composer ---------------------------------------------------------------
  function updateCounter() {
    var length = textarea.value.length;
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
    if (!canPost) { return; }
    var body = textarea.value.trim();
    if (!body) { return; }
    var entry = { client_id: uuid4(), body: body, reply_to: replyTo ? replyTo.id : null, created_at: Date.now() };
    outbox.push(entry);
    saveOutbox();
    renderPending(entry);
    toBottom();
    textarea.value = "";
    updateCounter();
    clearReply();
    if (hub.isOpen() && !needFlush) { sendEntry(entry); }
    textarea.focus();
  }

  // --- editing and deleting -----------------------------------------------------
  function openEditor(message) {
    var li = elements.get(message.id);
    if (!li || editing.has(message.id)) { return; }
    editing.add(message.id);
    var body = li.querySelector(".msg-body");
    var actions = li.querySelector(".msg-actions");
    if (actions) { actions.hidden = true; }
    var editor = el("form", "msg-editor");
    var label = el("label", "visually-hidden", S.edit_label);
    var field = el("textarea");
    field.id = "edit-" + message.id;
    label.htmlFor = field.id;
    field.value = message.body;
    field.maxLength = cfg.max_body;
    field.rows = 3;
    var error = el("p", "error");
    error.setAttribute("role", "alert");
    var save = el("button", "button small", S.save);
    save.type = "submit";
    var cancel = el("button", "button secondary small", S.cancel);
    cancel.type = "button";
    var row = el("p", "editor-row");
    row.appendChild(save);
    row.appendChild(cancel);
    editor.appendChild(label);
    editor.appendChild(field);
    editor.appendChild(error);
    editor.appendChild(row);
    body.replaceWith(editor);
    field.focus();

    function close() {
      editing.delete(message.id);
      renderMessage(messages.get(message.id));
      var again = elements.get(message.id).querySelector('[data-action="edit"]');
      if (again) { again.focus(); }
    }
    cancel.addEventListener("click", close);
    editor.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = field.value.trim();
      if (!text) { return; }
      save.disabled = true;
      var sent = hub.request({ type: "edit", topic: topic, id: message.id, body: text }, function (reply) {
        save.disabled = false;
        if (reply.type === "ack") {
          close();  // message.updated brings the new text to every tab, this one too
        } else {
          error.textContent = reply.detail;
        }
      });
      if (!sent) {
        save.disabled = false;
        error.textContent = S.reconnecting;
      }
    });
  }

  function deleteMessage(message) {
    var question = isOwn(message) ? S.confirm_delete : fmt(M.confirm_remove, { name: message.author.name });
    if (!window.confirm(question)) { return; }
    hub.request({ type: "delete", topic: topic, id: message.id }, function (reply) {
      if (reply.type === "error") { setNote(reply.detail, "error"); }
    });
  }

  list.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-action]");
    if (!button) { return; }
    var li = button.closest("li[data-id]");
    var message = li && messages.get(Number(li.dataset.id));
    if (!message) { return; }
    if (button.dataset.action === "reply") { setReply(message); }
    else if (button.dataset.action === "edit") { openEditor(message); }
    else if (button.dataset.action === "delete") { deleteMessage(message); }
    else if (button.dataset.action === "report") { actions.openReport(message); }
    else if (button.dataset.action === "mute") { actions.openMute(message); }
    else if (button.dataset.action === "ban") { actions.banAuthor(message); }
  });

  // --- frames from the hub ----------------------------------------------------------
  var joinSince = null;
  var maxRev = 0;  // the highest room revision seen (message.rev, message.deleted.rev)
  var joinRetries = 0;

  var handler = {
    lastId: function () {
      joinSince = maxId;
      return maxId;
    },
    // Edits and removals made while away are replayed from this revision on.
    lastRev: function () {
      return maxRev === 0 ? null : maxRev;
    },
    onOpen: function () {
      needFlush = true;
      outbox.forEach(function (entry) { entry.inflight = false; });
    },
    onJoinError: function (frame) {
      setNote(frame.detail, "error");
      if (frame.code === "internal" || frame.code === "rate_limited") {
        // A passing failure on the server: try the join again, backing off.
        joinRetries += 1;
        var delay = (Number(frame.retry_after) * 1000) || window.BalaiHub.fullJitter(joinRetries + 2);
        window.setTimeout(function () { hub.rejoin(topic); }, delay);
      }
    },
    onFrame: function (frame) {
      var rev = frame.message ? frame.message.rev : frame.rev;
      if (typeof rev === "number" && rev > maxRev) { maxRev = rev; }
      switch (frame.type) {
        case "joined":
          onJoined(frame);
          break;
        case "message":
          onMessage(frame.message);
          break;
        case "message.updated":
          if (messages.has(frame.message.id)) { upsert(frame.message); }
          break;
        case "message.deleted":
          if (messages.has(frame.id)) {
            upsert(Object.assign({}, messages.get(frame.id), { deleted: true, body: "", html: "" }));
          }
          break;
        case "presence":
          setPresence(frame.count);
          break;
        case "message.held":
          onHeld(frame);
          break;
        case "ack":
          // Unsolicited: a moderator decided on one of our held messages.
          if (frame.client_id) { onDecision(frame); }
          break;
        default:
          break;
      }
    },
  };

  function onJoined(frame) {
    joinRetries = 0;
    if (note && note.dataset.kind === "error") { setNote(""); }
    if (frame.room) { applyRoom(frame.room); }
    if (typeof frame.presence === "number") { setPresence(frame.presence); }
    var since = frame.room ? joinSince : maxId;  // a resync "joined" continues from what we have
    if (since === null) {
      if (list.children.length === 0) { showOlder(Boolean(frame.has_more)); }
    } else if (frame.has_more) {
      pendingGap = { lo: since };
    }
    replayUpTo = Math.max(replayUpTo, frame.last_id || 0);
    if (frame.last_id === 0 && list.children.length === 0) { emptyNote.hidden = false; }
    if (needFlush) {
      needFlush = false;
      flushOutbox();
    }
  }

  // --- start ------------------------------------------------------------------------
  var hub = window.BalaiHub.get();
  hub.onState(function (state, code) {
    connState.dataset.state = state;
    connState.textContent = state === "disconnected" && code === 4029 ? S.too_many_sockets : S[state];
  });
  hub.onAuthLost = function () { window.location.reload(); };
  if (hub.onUntopicedFrame) { hub.onUntopicedFrame(onSanction); }

  if (form) {
    loadOutbox();
    outbox.forEach(renderPending);
    form.addEventListener("submit", submit);
    textarea.addEventListener("input", updateCounter);
    textarea.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing && window.matchMedia("(pointer: fine)").matches) {
        submit(event);
      }
    });
    replyCancel.addEventListener("click", function () { clearReply(); textarea.focus(); });
    updateCounter();
  }
  olderButton.addEventListener("click", loadOlder);
  hub.subscribe(topic, handler);
})();
