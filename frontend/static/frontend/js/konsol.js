/* Balai Warga: the officials' console of one Q&A session (/konsol/<id>/).
 *
 * The same topic as the public page (`sesi.<id>`, kept current by
 * qa_view.js), plus the officials' actions on each open question: answer,
 * highlight, dismiss with a reason, hand over, answer later (into the
 * forum), and for the session open early and extend. Each goes over the
 * socket as the topic's action frame; while the topic is not joined the
 * plain forms are posted (the console works without a script). A refusal is
 * said in words next to the question — `already_answered` with who answered.
 *
 * Keyboard: j/k move between questions (visible focus), a answer, h
 * highlight, d dismiss, l answer later, Esc back to the question.
 */
import { Board, announce, follow, showSession } from "./qa_view.js";
import { fmt, readConfig } from "./ui.js";

function konsol(cfg) {
  const S = cfg.strings;
  const template = document.getElementById("q-actions-template");
  function actionsFor(q) {
    if (!template) { return null; }
    const node = template.content.cloneNode(true);
    const root = node.querySelector(".q-actions");
    root.dataset.question = String(q.id);
    root.querySelectorAll("input[name=question]").forEach((input) => { input.value = String(q.id); });
    root.querySelectorAll("[id*=QID]").forEach((field) => { field.id = field.id.replace("QID", String(q.id)); });
    root.querySelectorAll("label[for*=QID]").forEach((label) => { label.htmlFor = label.htmlFor.replace("QID", String(q.id)); });
    const highlight = root.querySelector(".act-highlight");
    if (q.highlighted && highlight) {
      highlight.querySelector("input[name=action]").value = "unhighlight";
      const button = highlight.querySelector("button");
      button.firstChild.textContent = S.unhighlight + " ";  // the label before its <kbd>
    }
    return root;
  }
  const pageStatus = document.getElementById("konsol-status");
  // Another official or delegate answered the question this user was on: said in words,
  // with who answered (their own answer arrives as the reply first, so it is not this).
  let mineInFlight = null;
  function answeredElsewhere(q) {
    if (mineInFlight === q.id) { return; }
    say(pageStatus, fmt(S.already_answered, { name: q.answer.by.name }), true);
  }
  const board = new Board({ ...cfg, console: true, can_vote: false },
    { actions: actionsFor, onAnsweredElsewhere: answeredElsewhere });
  const live = follow(cfg, board, { session: () => tick() });
  const hub = live.hub;

  // --- actions over the socket ------------------------------------------------------------
  function say(node, text, isError) {
    if (!node) { return; }
    node.hidden = false;
    node.textContent = text;
    node.classList.toggle("is-error", Boolean(isError));
    node.classList.toggle("error", Boolean(isError));
  }
  function refusal(reply) {
    if (reply.code === "already_answered") { return fmt(S.already_answered, { name: reply.answered_by || "?" }); }
    return reply.detail || S.failed;
  }
  function frameOf(form) {
    const data = new FormData(form);
    const action = data.get("action");
    const question = Number(data.get("question")) || undefined;
    const base = { topic: cfg.topic };
    switch (action) {
      case "answer": {
        const frame = { ...base, type: "answer", question, text: String(data.get("text") || "").trim() };
        if (data.get("on_behalf_of")) { frame.on_behalf_of = Number(data.get("on_behalf_of")); }
        return frame;
      }
      case "highlight": case "unhighlight":
        return { ...base, type: "highlight", question, on: action === "highlight" };
      case "dismiss": return { ...base, type: "dismiss", question, reason: String(data.get("reason") || "") };
      case "hand_over": {
        const [kind, id] = String(data.get("to") || "").split(":");
        return { ...base, type: "hand_over", question, [kind]: Number(id) };
      }
      case "answer_later": {
        const frame = { ...base, type: "answer_later", question, agency: Number(data.get("agency")) };
        if (data.get("category")) { frame.category = String(data.get("category")); }
        return frame;
      }
      case "extend": return { ...base, type: "extend", minutes: Number(data.get("minutes")) };
      case "open_early": return { ...base, type: "open_early" };
      default: return null;
    }
  }
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !live.joined()) { return; }
    const frame = frameOf(form);
    if (!frame) { return; }
    event.preventDefault();
    const item = form.closest("li.q");
    const status = item ? item.querySelector(".act-status") : pageStatus;
    const buttons = form.querySelectorAll("button");
    buttons.forEach((button) => { button.disabled = true; });
    if (frame.type === "answer") { mineInFlight = frame.question; }
    hub.request(frame).then((reply) => {
      mineInFlight = null;
      buttons.forEach((button) => { button.disabled = false; });
      if (reply.type === "error") {
        say(status, refusal(reply), true);
        return;
      }
      if (reply.question) { board.put(reply.question); }
      if (reply.session) { showSession(cfg, reply.session); tick(); }
      const left = item ? document.getElementById(item.id) : null;
      say(left ? left.querySelector(".act-status") : pageStatus, S.done, false);
      announce(S.done);
    }, () => {
      mineInFlight = null;
      buttons.forEach((button) => { button.disabled = false; });
      form.submit();
    });
  });

  // --- time left ----------------------------------------------------------------------------
  const countdown = document.getElementById("konsol-countdown");
  function tick() {
    if (!countdown) { return; }
    const now = Date.now();
    const status = countdown.dataset.status || document.getElementById("sesi-status")?.dataset.status;
    const starts = Date.parse(countdown.dataset.starts);
    const ends = Date.parse(countdown.dataset.ends);
    if (status === "scheduled" && starts > now) {
      countdown.textContent = fmt(S.starts_in, { m: Math.ceil((starts - now) / 60000) });
    } else if (ends > now && status !== "ended" && status !== "cancelled") {
      countdown.textContent = fmt(S.left, { m: Math.ceil((ends - now) / 60000) });
    } else {
      countdown.textContent = S.over;
    }
  }
  tick();
  window.setInterval(tick, 15000);

  // --- the keyboard ---------------------------------------------------------------------------
  function items() { return [...document.querySelectorAll("#questions > li.q, #answered > li.q")]; }
  let current = null;
  function focusItem(li) {
    if (!li) { return; }
    if (current) { current.classList.remove("is-current"); }
    current = li;
    li.classList.add("is-current");
    li.focus();
  }
  function open(selector, field) {
    if (!current) { return; }
    const details = current.querySelector(selector);
    if (!details) { return; }
    details.open = true;
    details.querySelector(field)?.focus();
  }
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (event.key === "Escape" && current && current.contains(target) && target !== current) {
      current.querySelectorAll("details[open]").forEach((details) => { details.open = false; });
      current.focus();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (target.closest && target.closest("input, textarea, select, [contenteditable]")) { return; }
    const list = items();
    if (current && !document.body.contains(current)) { current = null; }
    const index = current ? list.indexOf(current) : -1;
    switch (event.key) {
      case "j": focusItem(list[Math.min(index + 1, list.length - 1)]); break;
      case "k": focusItem(list[Math.max(index - 1, 0)]); break;
      case "a": current?.querySelector(".act-answer textarea")?.focus(); break;
      case "h": current?.querySelector(".act-highlight")?.requestSubmit(); break;
      case "d": open(".act-dismiss", "input[name=reason]"); break;
      case "l": open(".act-later", "select[name=agency]"); break;
      default: return;
    }
    event.preventDefault();
  });
  document.addEventListener("focusin", (event) => {
    const li = event.target.closest && event.target.closest("li.q");
    if (li && li !== current) {
      current?.classList.remove("is-current");
      current = li;
      li.classList.add("is-current");
    }
  });
}

const config = readConfig("konsol-config");
if (config) { konsol(config); }
