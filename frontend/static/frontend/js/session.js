/* Balai Warga: the public page of a Q&A session (/sesi/<id>/), live.
 *
 * Joins `sesi.<id>` on the tab's hub (since = the revision the page was
 * rendered at) and keeps the questions, their votes and answers and the
 * session's status current without reload (qa_view.js). Asking and "dukung"
 * go over the socket (`ask`, `vote`); while the topic is not joined the
 * forms are posted as they are (the page works without a script). The
 * asker's own question shows "waiting for review" at once; its changes
 * reach the asker's sockets as `mine` frames (approved: it joins the list).
 */
import { Board, follow } from "./qa_view.js";
import { el, readConfig } from "./ui.js";

function uuid() {
  if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
  return "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".replace(/[xy]/g, (c) => {
    const r = Math.random() * 16 | 0;
    return (c === "x" ? r : (r & 0x3 | 0x8)).toString(16);
  });
}

function session(cfg) {
  const S = cfg.strings;
  const board = new Board(cfg);
  const live = follow(cfg, board, {
    session: onSession, snapshot: (frame) => { if (Array.isArray(frame.mine)) { showMine(frame.mine); } },
    question: (frame) => dropMine(frame.question.id), mine: onMine,
  });
  const hub = live.hub;
  // One of the visitor's own questions changed: waiting or refused stays in "mine"; once
  // public it is in the list like everyone's (its `question` frame puts it there).
  function onMine(frame) {
    const q = frame.question;
    if (q.state === "pending" || q.state === "refused") {
      const item = mineItem(q);
      const existing = document.getElementById("mine-" + q.id);
      if (existing) { existing.replaceWith(item); } else { mineList?.append(item); }
      if (mineSection) { mineSection.hidden = false; }
    } else {
      dropMine(q.id);
      if (q.state === "public" || q.state === "answered") { board.put(q, frame.id); }
    }
  }

  function onSession(data) {
    if (data.status === "ended" || data.status === "cancelled") {
      document.getElementById("ask")?.remove();
      board.disableVotes();
      const notice = document.getElementById("sesi-ended-live") ||
        el("p", "notice", data.status === "ended" ? S.ended : S.cancelled);
      notice.id = "sesi-ended-live";
      document.querySelector(".sesi-head")?.after(notice);
    }
  }

  // --- the asker's own questions ----------------------------------------------------
  const mineSection = document.getElementById("mine");
  const mineList = document.getElementById("mine-list");
  function mineItem(q) {
    const li = el("li", "mine-item state-" + q.state);
    li.id = "mine-" + q.id;
    li.append(el("span", "tag", q.state === "pending" ? S.waiting : S.not_approved), " ");
    const body = el("span", "mine-body");
    if (q.html) { body.innerHTML = q.html; } else { body.textContent = q.text || ""; }  // html: sanitized by the server
    li.append(body);
    return li;
  }
  function showMine(list) {
    if (!mineList) { return; }
    mineList.textContent = "";
    list.filter((q) => q.state === "pending" || q.state === "refused").forEach((q) => mineList.append(mineItem(q)));
    mineSection.hidden = mineList.children.length === 0;
  }
  function dropMine(id) {
    document.getElementById("mine-" + id)?.remove();
    if (mineSection && mineList) { mineSection.hidden = mineList.children.length === 0; }
  }

  // --- asking -----------------------------------------------------------------------------
  const form = document.getElementById("ask-form");
  const body = document.getElementById("ask-body");
  const counter = document.getElementById("ask-counter");
  const status = document.getElementById("ask-status");
  function count() {
    const n = body.value.length;
    counter.textContent = n + "/" + cfg.max_chars;
    counter.classList.toggle("is-over", n > cfg.max_chars);
  }
  if (form && body) {
    body.addEventListener("input", count);
    count();
    const clientField = document.getElementById("ask-client-id");
    let clientId = uuid();
    clientField.value = clientId;
    form.addEventListener("submit", (event) => {
      if (!live.joined()) { return; }  // the plain form
      event.preventDefault();
      const text = body.value.trim();
      if (!text) { return; }
      const anonymous = document.getElementById("ask-anonymous").checked;
      const send = document.getElementById("ask-send");
      send.disabled = true;
      status.classList.remove("error");
      hub.request({ type: "ask", topic: cfg.topic, client_id: clientId, body: text, anonymous }).then((reply) => {
        send.disabled = false;
        if (reply.type === "error") {
          status.textContent = reply.detail || S.failed;
          status.classList.add("error");
          return;
        }
        clientId = uuid();
        clientField.value = clientId;
        const q = reply.question || {};
        mineList.prepend(mineItem({ id: q.id, state: q.state || "pending", html: q.html, text }));
        mineSection.hidden = false;
        status.textContent = S.sent;
        body.value = "";
        count();
      }, () => {
        send.disabled = false;
        form.submit();  // the socket went away: the plain form (same client_id, stored once)
      });
    });
  }

  // --- dukung -------------------------------------------------------------------------------
  document.addEventListener("submit", (event) => {
    const target = event.target;
    if (!(target instanceof HTMLFormElement) || !target.classList.contains("vote-form") || !live.joined()) { return; }
    event.preventDefault();
    const id = Number(target.closest("li.q").dataset.id);
    const button = target.querySelector("button");
    button.disabled = true;
    hub.request({ type: "vote", topic: cfg.topic, question: id }).then((reply) => {
      button.disabled = false;
      if (reply.type === "error") {
        if (status) { status.textContent = reply.detail || S.failed; }
        return;
      }
      board.setVoted(id, reply.voted, reply.votes);
    }, () => { button.disabled = false; target.submit(); });
  });
}

const config = readConfig("session-config");
if (config) { session(config); }
