/* The room page's view: the conversation as DOM (messages in id order, the
 * pending copies of what this tab wrote, the message editor), and the
 * status lines around it (connection, presence, notes, a mute). It knows
 * nothing of the socket: room.js feeds it and hears the user's actions.
 *
 * Safety: user text reaches the DOM only through textContent, except the
 * server's sanitised `html` field of a message (common/sanitize.py), which
 * is the one thing assigned to innerHTML.
 */
import { createRoomActions } from "./room_actions.js";
import { el, excerpt, fmt } from "./ui.js";

const $ = (id) => document.getElementById(id);
/** A busy room is announced at most this often (screen readers, #announcer). */
const ANNOUNCE_EVERY_MS = 4000;

export class RoomView {
  /** `onAction(action, message)`: reply, edit or delete was pressed. */
  constructor(cfg, { onAction }) {
    this.cfg = cfg;
    this.S = cfg.strings;
    this.M = cfg.moderator_strings || {};   // moderators' tools; empty for everyone else
    this.moderator = Boolean(cfg.is_moderator);
    this.me = cfg.user_id;
    this.editWindowMs = cfg.edit_window_seconds * 1000;
    this.canPost = false;

    this.log = $("room-log");
    this.list = $("messages");
    this.emptyNote = $("empty");
    this.olderButton = $("load-older");
    this.connState = $("conn-state");
    this.presence = $("presence");
    this.announcer = $("announcer");
    this.unannounced = [];          // live messages not yet announced (announce())
    this.announceTimer = null;
    this.note = $("composer-note");
    this.form = $("composer");

    this.outboxList = el("ol", "msgs outbox");
    this.outboxList.setAttribute("aria-label", this.S.pending);
    this.log.appendChild(this.outboxList);

    // The log stays at its newest message while the reader has not scrolled
    // up, also when it shrinks (the on-screen keyboard opens, the phone turns).
    this.pinned = true;
    this.log.addEventListener("scroll", () => { this.pinned = this.nearBottom(); }, { passive: true });
    new ResizeObserver(() => { if (this.pinned) { this.toBottom(); } }).observe(this.log);

    this.messages = new Map();      // id -> message object from the server
    this.elements = new Map();      // id -> <li>
    this.editing = new Set();       // ids with an open editor
    this.pending = new Map();       // client_id -> <li> of a pending copy
    this.pendingEntries = new Map();  // client_id -> its entry ({body, reply_to}): a refused one is sent again
    this.expiryTimers = new Map();  // id -> timer that removes the edit button
    this.noteTimer = null;
    this.muteNotice = null;
    this.muteTimer = null;

    const lang = document.documentElement.lang || "id";
    this.timeFormat = new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", timeZone: "Asia/Jakarta" });
    this.dateFormat = new Intl.DateTimeFormat(lang, {
      weekday: "long", day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit",
      timeZone: "Asia/Jakarta",
    });

    // Reporting a message, and the moderators' mute and ban (room_actions.js).
    this.actions = createRoomActions({
      cfg, topic: cfg.topic, me: this.me, isOwn: (m) => this.isOwn(m),
      element: (id) => this.elements.get(id),
      rerender: (id) => this.rerender(id),
    });

    this.list.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-action]");
      const li = button && button.closest("li[data-id]");
      const message = li && this.messages.get(Number(li.dataset.id));
      if (!message) { return; }
      const action = button.dataset.action;
      if (action === "report") { this.actions.openReport(message); }
      else if (action === "mute") { this.actions.openMute(message); }
      else if (action === "ban") { this.actions.banAuthor(message); }
      else { onAction(action, message); }
    });
  }

  // --- scrolling ------------------------------------------------------------
  nearBottom() {
    return this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 80;
  }

  toBottom() {
    this.log.scrollTop = this.log.scrollHeight;
  }

  // --- messages -------------------------------------------------------------
  isOwn(message) {
    return this.me !== null && message.author && message.author.id === this.me;
  }

  has(id) {
    return this.messages.has(id);
  }

  get(id) {
    return this.messages.get(id);
  }

  /** The oldest id shown, or null. */
  oldestId() {
    const first = this.list.firstElementChild;
    return first ? Number(first.dataset.id) : null;
  }

  isEmpty() {
    return this.list.children.length === 0;
  }

  editable(message) {
    return this.isOwn(message) && !message.deleted && this.canPost &&
      Date.now() - Date.parse(message.created_at) < this.editWindowMs;
  }

  authorBadge(author) {
    if (author.role === "official") { return author.title || this.cfg.roles.official; }
    if (author.role === "moderator" || author.role === "admin") { return this.cfg.roles[author.role]; }
    return null;
  }

  /** Render `id` again, unless its editor is open (it renders when it closes). */
  rerender(id) {
    if (!this.editing.has(id) && this.messages.has(id)) { this.renderMessage(this.messages.get(id)); }
  }

  rerenderAll() {
    this.messages.forEach((message) => this.rerender(message.id));
  }

  renderMessage(message) {
    const S = this.S;
    const M = this.M;
    const li = this.elements.get(message.id) || el("li");
    li.textContent = "";
    li.id = "m-" + message.id;
    li.dataset.id = String(message.id);
    const classes = ["msg"];
    if (this.isOwn(message)) { classes.push("own"); }
    if (message.author.role === "official") { classes.push("official"); }
    if (message.deleted) { classes.push("deleted"); }
    li.className = classes.join(" ");

    const head = el("p", "msg-head");
    head.appendChild(el("span", "msg-author", message.author.name));
    const badge = this.authorBadge(message.author);
    if (badge) { head.appendChild(el("span", "badge badge-" + message.author.role, badge)); }
    if (this.isOwn(message)) { head.appendChild(el("span", "msg-me", "(" + S.me + ")")); }
    const when = new Date(message.created_at);
    const time = el("time", "msg-time", this.timeFormat.format(when) + " WIB");
    time.dateTime = message.created_at;
    time.title = this.dateFormat.format(when) + " WIB";
    head.appendChild(time);
    if (message.edited_at && !message.deleted) { head.appendChild(el("span", "msg-edited", "(" + S.edited + ")")); }
    li.appendChild(head);

    if (message.reply_to && !message.deleted) {
      const parent = this.messages.get(message.reply_to);
      const quote = el("p", "msg-quote");
      const link = el("a", null, fmt(S.reply_to, { name: parent ? parent.author.name : S.earlier_message }));
      link.href = "#m-" + message.reply_to;
      quote.appendChild(link);
      if (parent && !parent.deleted) { quote.appendChild(el("span", "quote-text", excerpt(parent.body, 80))); }
      li.appendChild(quote);
    }

    const body = el("div", "msg-body");
    if (message.deleted) {
      body.textContent = S.deleted;
    } else {
      body.innerHTML = message.html;  // sanitised by the server; the only innerHTML
    }
    li.appendChild(body);

    const reportable = this.actions.canReport(message);
    if (!message.deleted && (this.canPost || reportable || this.moderator)) {
      const buttons = el("p", "msg-actions");
      const own = this.isOwn(message);
      if (this.canPost) { buttons.appendChild(this.actionButton(S.reply, "reply", message)); }
      if (this.canPost && this.editable(message)) {
        buttons.appendChild(this.actionButton(S.edit, "edit", message));
        this.scheduleEditExpiry(message);
      }
      if (this.canPost && own) { buttons.appendChild(this.actionButton(S.delete, "delete", message)); }
      // Moderators remove anyone's message (the hub checks the role again).
      else if (this.moderator && !own) { buttons.appendChild(this.actionButton(M.remove, "delete", message)); }
      if (reportable) { buttons.appendChild(this.actionButton(S.report, "report", message)); }
      if (this.actions.canSanction(message)) {
        buttons.appendChild(this.actionButton(M.mute, "mute", message));
        buttons.appendChild(this.actionButton(M.ban, "ban", message));
      }
      if (buttons.children.length) { li.appendChild(buttons); }
    }
    this.actions.notesFor(message).forEach((node) => li.appendChild(node));
    return li;
  }

  actionButton(label, action, message) {
    const button = el("button", "link-button small", label);
    button.type = "button";
    button.dataset.action = action;
    button.setAttribute("aria-label", label + " — " + message.author.name + ": " + excerpt(message.body, 40));
    return button;
  }

  scheduleEditExpiry(message) {
    if (this.expiryTimers.has(message.id)) { return; }
    const left = Date.parse(message.created_at) + this.editWindowMs - Date.now();
    this.expiryTimers.set(message.id, window.setTimeout(() => {
      this.expiryTimers.delete(message.id);
      this.rerender(message.id);
    }, Math.max(0, left) + 500));
  }

  /** Insert or update one message, keeping the list in id order.
   * `options`: {own: scroll to it, keepPosition: it is older, keep the reader's place}. */
  upsert(message, options = {}) {
    const known = this.messages.has(message.id);
    this.messages.set(message.id, message);
    if (this.editing.has(message.id)) { return; }  // re-rendered when the editor closes
    const stick = this.nearBottom() || options.own;
    const li = this.renderMessage(message);
    if (!known) {
      this.elements.set(message.id, li);
      let next = null;
      for (let i = this.list.children.length - 1; i >= 0; i--) {
        if (Number(this.list.children[i].dataset.id) > message.id) { next = this.list.children[i]; } else { break; }
      }
      const before = this.log.scrollHeight;
      this.list.insertBefore(li, next);
      if (next !== null && options.keepPosition) { this.log.scrollTop += this.log.scrollHeight - before; }
      else if (stick) { this.toBottom(); }
      // A reply rendered before its parent arrived: refresh its quote.
      this.messages.forEach((other) => {
        if (other.reply_to === message.id) { this.rerender(other.id); }
      });
    }
    this.emptyNote.hidden = true;
  }

  /** A message someone else wrote arrived live: screen readers hear it,
   * politely and without flooding: the first at once, then at most one
   * announcement every ANNOUNCE_EVERY_MS — the one message, or "3 pesan baru". */
  announce(message) {
    this.unannounced.push(message);
    if (this.announceTimer === null) { this.flushAnnouncements(); }
  }

  flushAnnouncements() {
    const waiting = this.unannounced;
    this.unannounced = [];
    if (!waiting.length) { this.announceTimer = null; return; }
    const one = waiting[0];
    this.announcer.textContent = waiting.length > 1 ? fmt(this.S.new_messages, { n: waiting.length })
      : fmt(this.S.new_message, { name: one.author.name }) + ": " + excerpt(one.body, 140);
    this.announceTimer = window.setTimeout(() => this.flushAnnouncements(), ANNOUNCE_EVERY_MS);
  }

  showEmpty() {
    if (this.isEmpty()) { this.emptyNote.hidden = false; }
  }

  // --- older messages -------------------------------------------------------
  showOlder(show) {
    this.olderButton.hidden = !show;
  }

  olderLoading(loading) {
    this.olderButton.disabled = loading;
    this.olderButton.textContent = loading ? this.S.loading : this.S.load_older;
  }

  // --- status lines ---------------------------------------------------------
  setConnection(state, code) {
    this.connState.dataset.state = state;
    this.connState.textContent = state === "disconnected" && code === 4029 ? this.S.too_many_sockets : this.S[state];
  }

  setPresence(count) {
    this.presence.textContent = count === 1 ? this.S.online_one : fmt(this.S.online_many, { n: count });
  }

  /** The line under the composer; `kind`: "refusal", "error", "rate" or "". */
  setNote(text, kind) {
    if (!this.note) { return; }
    this.note.textContent = text || "";
    this.note.dataset.kind = kind || "";
  }

  noteKind() {
    return this.note ? this.note.dataset.kind : "";
  }

  clearNote(kind) {
    if (this.noteKind() === kind) { this.setNote(""); }
  }

  /** Count down to `until` (ms) in the note: the outbox is rate limited. */
  showRateLimit(until) {
    window.clearInterval(this.noteTimer);
    const tick = () => {
      const left = Math.ceil((until - Date.now()) / 1000);
      if (left <= 0) {
        window.clearInterval(this.noteTimer);
        this.clearNote("rate");
        return;
      }
      this.setNote(fmt(this.S.rate_limited, { n: left }), "rate");
    };
    tick();
    this.noteTimer = window.setInterval(tick, 1000);
  }

  whenText(iso) {
    return this.dateFormat.format(new Date(iso)) + " WIB";
  }

  /** A `sanction` frame for this room or everywhere: a mute, or its lifting. */
  showMute(frame) {
    const S = this.S;
    if (!this.muteNotice) {
      this.muteNotice = el("p", "notice mute-notice");
      this.muteNotice.id = "mute-notice";
      this.muteNotice.setAttribute("role", "status");
      this.log.parentNode.insertBefore(this.muteNotice, this.form || null);
    }
    window.clearTimeout(this.muteTimer);
    if (frame.lifted) {
      this.muteNotice.textContent = S.mute_lifted;
      this.muteNotice.dataset.state = "lifted";
      this.clearNote("error");
      return;
    }
    const until = frame.until ? this.whenText(frame.until) : "";
    const parts = [fmt(frame.room ? S.muted_here_until : S.muted_everywhere_until, { until })];
    if (frame.reason) { parts.push(fmt(S.mute_reason, { reason: frame.reason })); }
    if (S.appeal) { parts.push(S.appeal); }
    this.muteNotice.textContent = parts.join(" ");
    this.muteNotice.dataset.state = "muted";
    if (frame.until) {
      const left = Date.parse(frame.until) - Date.now();
      if (left > 0 && left < 86400000 * 2) {
        this.muteTimer = window.setTimeout(() => this.showMute({ ...frame, lifted: true }), left + 1000);
      }
    }
  }

  // --- pending copies of what this tab wrote ---------------------------------
  hasPending(clientId) {
    return this.pending.has(clientId);
  }

  addPending(entry) {
    const li = this.pending.get(entry.client_id) || el("li");
    li.textContent = "";
    li.className = "msg own pending";
    li.dataset.clientId = entry.client_id;
    const head = el("p", "msg-head");
    head.appendChild(el("span", "msg-author", this.S.me));
    head.appendChild(el("span", "msg-status", this.S.pending));
    li.appendChild(head);
    li.appendChild(el("div", "msg-body", entry.body));
    this.pendingEntries.set(entry.client_id, entry);
    if (!this.pending.has(entry.client_id)) {
      this.pending.set(entry.client_id, li);
      this.outboxList.appendChild(li);
    }
    return li;
  }

  /** `kind`: "pending", "held", "failed" or "sent". */
  markPending(clientId, kind, text) {
    const li = this.pending.get(clientId);
    if (!li) { return; }
    li.classList.remove("pending", "held", "failed", "sent");
    li.classList.add(kind);
    const status = li.querySelector(".msg-status");
    if (status) { status.textContent = text; }
  }

  removePending(clientId) {
    const li = this.pending.get(clientId);
    if (li) { li.remove(); }
    this.pending.delete(clientId);
    this.pendingEntries.delete(clientId);
  }

  /** A moderator refused this pending copy: say so, and offer to edit it and
   * send it again; `resend(text, replyTo)` queues the new text as a new message. */
  offerResend(clientId, reason, resend) {
    const S = this.S;
    const li = this.pending.get(clientId);
    const entry = this.pendingEntries.get(clientId);
    if (!li || !entry) { return; }
    this.markPending(clientId, "failed", S.rejected + (reason ? ": " + reason : ""));
    li.classList.add("rejected");
    if (!this.canPost || li.querySelector(".resend")) { return; }
    const button = el("button", "button secondary small resend", S.edit_resend);
    button.type = "button";
    const actions = el("p", "msg-actions");
    actions.appendChild(button);
    li.appendChild(actions);
    button.addEventListener("click", () => {
      const editor = el("form", "msg-editor resend-editor");
      const label = el("label", "visually-hidden", S.resend_label);
      const field = el("textarea");
      field.id = "resend-" + clientId;
      label.htmlFor = field.id;
      field.value = entry.body;
      field.maxLength = this.cfg.max_body;
      field.rows = 3;
      const send = el("button", "button small", S.resend);
      send.type = "submit";
      const cancel = el("button", "button secondary small", S.cancel);
      cancel.type = "button";
      const row = el("p", "editor-row");
      row.append(send, cancel);
      editor.append(label, field, row);
      actions.replaceWith(editor);
      field.focus();
      cancel.addEventListener("click", () => { editor.replaceWith(actions); button.focus(); });
      editor.addEventListener("submit", (event) => {
        event.preventDefault();
        const text = field.value.trim();
        if (!text) { return; }
        this.removePending(clientId);
        resend(text, entry.reply_to || null);
      });
    });
  }

  // --- the editor -------------------------------------------------------------
  /** Edit `message` in place; `save(text)` resolves with null when done or
   * with the text of an error to show. */
  openEditor(message, save) {
    const S = this.S;
    const li = this.elements.get(message.id);
    if (!li || this.editing.has(message.id)) { return; }
    this.editing.add(message.id);
    const body = li.querySelector(".msg-body");
    const buttons = li.querySelector(".msg-actions");
    if (buttons) { buttons.hidden = true; }
    const editor = el("form", "msg-editor");
    const label = el("label", "visually-hidden", S.edit_label);
    const field = el("textarea");
    field.id = "edit-" + message.id;
    label.htmlFor = field.id;
    field.value = message.body;
    field.maxLength = this.cfg.max_body;
    field.rows = 3;
    const error = el("p", "error");
    error.setAttribute("role", "alert");
    const saveButton = el("button", "button small", S.save);
    saveButton.type = "submit";
    const cancel = el("button", "button secondary small", S.cancel);
    cancel.type = "button";
    const row = el("p", "editor-row");
    row.appendChild(saveButton);
    row.appendChild(cancel);
    editor.append(label, field, error, row);
    body.replaceWith(editor);
    field.focus();

    const close = () => {
      this.editing.delete(message.id);
      this.renderMessage(this.messages.get(message.id));
      const again = this.elements.get(message.id).querySelector('[data-action="edit"]');
      if (again) { again.focus(); }
    };
    cancel.addEventListener("click", close);
    editor.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = field.value.trim();
      if (!text) { return; }
      saveButton.disabled = true;
      save(text).then((problem) => {
        saveButton.disabled = false;
        if (problem === null) { close(); } else { error.textContent = problem; }
      });
    });
  }
}
