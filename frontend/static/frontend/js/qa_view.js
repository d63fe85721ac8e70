/* Balai Warga Q&A sessions: what the session page (session.js) and the
 * officials' console (konsol.js) share — a session's questions kept current
 * from its `sesi.<id>` topic (docs/sessions.md, "Live protocol").
 *
 * The server renders the page first (qa/templates: _question.html); this
 * module builds the same markup from the frames' `question` dicts, so a
 * question rendered by the server and one that arrived live look the same.
 *
 * Frames carry whole state and the session's revision as `id` (not
 * gap-free): a `question` frame is applied only when its id is newer than
 * the last applied to that question; `ranking` moves votes; `snapshot`
 * replaces everything. Questions still to answer are ranked (highlighted
 * first, then votes, then oldest); answered ones and those carried into the
 * forum go to the second list, latest answer first.
 */
import { getHub } from "./hub.js";
import { isNewer } from "./sequence.js";
import { el, fmt } from "./ui.js";

export function announce(text) {
  const node = document.getElementById("announcer");
  if (!node) { return; }
  node.textContent = "";
  window.setTimeout(() => { node.textContent = text; }, 50);
}

function isOpen(q) {
  return q.state === "public" && !q.aspiration;
}

function rankOpen(a, b) {
  return (Number(b.highlighted) - Number(a.highlighted)) || (b.votes - a.votes) ||
    (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id - b.id);
}

function rankDone(a, b) {
  const at = (q) => (q.answer ? q.answer.at : q.created_at);
  return at(a) < at(b) ? 1 : at(a) > at(b) ? -1 : b.id - a.id;
}

/** The officials' names as the answer line says them: "Bupati Haryanto". */
function officialName(person) {
  return ((person.title ? person.title + " " : "") + person.name).trim();
}

export class Board {
  /**
   * cfg: the page's config (strings, vote_url, can_vote, voted, user_id).
   * options.actions(q) -> a node of the console's actions for an open question, or null.
   */
  constructor(cfg, options = {}) {
    this.cfg = cfg;
    this.S = cfg.strings;
    this.actions = options.actions || (() => null);
    //: (question, draft) when a question the user was working on was answered by someone else.
    this.onAnsweredElsewhere = options.onAnsweredElsewhere || null;
    this.openList = document.getElementById("questions");
    this.doneList = document.getElementById("answered");
    this.questions = new Map();   // id -> question dict
    this.seen = new Map();        // id -> revision last applied to it
    this.voted = new Set(cfg.voted || []);
    this.canVote = Boolean(cfg.can_vote);
    this.readServerRendered();
  }

  /** The questions the server rendered: their dicts are rebuilt from the
   * markup's data attributes only for ranking; their content stays. */
  readServerRendered() {
    document.querySelectorAll("#questions > li.q, #answered > li.q").forEach((li) => {
      const id = Number(li.dataset.id);
      this.questions.set(id, {
        id, votes: Number(li.dataset.votes), created_at: li.dataset.created,
        highlighted: li.classList.contains("is-highlighted"),
        state: li.classList.contains("state-answered") ? "answered" : "public",
        aspiration: li.querySelector(".q-aspiration") ? {} : null, answer: null, server: true,
      });
    });
  }

  voteButton(q) {
    const form = el("form", "vote-form");
    form.method = "post";
    form.action = this.cfg.vote_url.replace(/\/0\/$/, "/" + q.id + "/");
    form.dataset.question = String(q.id);
    const voted = this.voted.has(q.id);
    const button = el("button", "button vote" + (voted ? " secondary" : ""), voted ? this.S.supported : this.S.support);
    button.type = "submit";
    button.setAttribute("aria-pressed", voted ? "true" : "false");
    form.append(button);
    return form;
  }

  render(q) {
    const S = this.S;
    const li = el("li", "q state-" + q.state + (q.highlighted ? " is-highlighted" : ""));
    li.id = "q-" + q.id;
    li.dataset.id = String(q.id);
    li.dataset.votes = String(q.votes);
    li.dataset.created = q.created_at;
    if (this.cfg.console) { li.tabIndex = -1; }
    if (q.seq) {
      const anchor = el("span", "anchor");
      anchor.id = "m-" + q.seq;  // chat's links to the question's room message
      li.append(anchor);
    }
    const head = el("div", "q-head");
    head.append(el("span", "q-author", q.author.name));
    if (q.highlighted) { head.append(" ", el("span", "tag tag-highlight", S.highlighted)); }
    const count = el("span", "q-count");
    count.append(el("strong", "q-votes", String(q.votes)), " " + S.supports);
    head.append(" ", count);
    const body = el("div", "q-body");
    body.innerHTML = q.html;  // sanitized and masked by the server (common/sanitize.py)
    li.append(head, body);
    if (q.handed_to && !q.aspiration) {
      li.append(el("p", "q-handed", fmt(S.handed_over, { name: q.handed_to.official || q.handed_to.agency })));
    }
    if (q.answer) {
      const answer = el("div", "q-answer");
      const official = officialName(q.answer.for);
      answer.append(el("p", "q-answer-by", q.answer.by.staff
        ? fmt(S.answered_by_staff, { name: q.answer.by.name, official })
        : fmt(S.answered_by, { official })));
      if (q.answer.hidden) {
        answer.append(el("p", "q-answer-hidden", S.answer_hidden));
      } else {
        const text = el("div", "q-answer-body");
        text.innerHTML = q.answer.html;  // sanitized by the server
        answer.append(text);
      }
      li.append(answer);
    }
    if (q.aspiration) {
      const line = el("p", "q-aspiration", S.later + " ");
      const link = el("a", null, fmt(S.aspiration, { ref: q.aspiration.ref }));
      link.href = q.aspiration.url;
      line.append(link);
      if (q.handed_to && q.handed_to.agency) { line.append(" — " + q.handed_to.agency); }
      li.append(line);
    }
    if (isOpen(q) && this.canVote && !this.cfg.console) { li.append(this.voteButton(q)); }
    if (isOpen(q)) {
      const actions = this.actions(q);
      if (actions) { li.append(actions); }
    }
    return li;
  }

  /** Put every question's item in its list, in order (moving only what moved). */
  order() {
    const all = [...this.questions.values()];
    const open = all.filter(isOpen).sort(rankOpen);
    const done = all.filter((q) => !isOpen(q)).sort(rankDone);
    [[this.openList, open], [this.doneList, done]].forEach(([list, items]) => {
      if (!list) { return; }
      items.forEach((q, index) => {
        const li = document.getElementById("q-" + q.id);
        if (li && list.children[index] !== li) { list.insertBefore(li, list.children[index] || null); }
      });
    });
    const noOpen = document.getElementById("no-questions");
    if (noOpen) { noOpen.hidden = open.length > 0; }
    const noDone = document.getElementById("no-answered");
    if (noDone) { noDone.hidden = done.length > 0; }
  }

  /** A whole question (a frame's, a reply's or a snapshot's). `rev`: its revision, when known. */
  put(q, rev = null) {
    if (rev !== null) {
      if (rev <= (this.seen.get(q.id) || 0)) { return false; }
      this.seen.set(q.id, rev);
    }
    const existing = document.getElementById("q-" + q.id);
    const before = this.questions.get(q.id);
    if (q.state === "dismissed" || q.state === "hidden") {
      this.questions.delete(q.id);
      if (existing) { existing.remove(); }
      this.order();
      return true;
    }
    // Keep what an official is typing in an item that is only re-ranked or re-counted.
    const busy = existing && existing.contains(document.activeElement);
    const typing = busy && before && isOpen(before) === isOpen(q) && before.highlighted === q.highlighted && !q.answer;
    if (busy && q.answer && this.onAnsweredElsewhere) {
      const draft = existing.querySelector(".act-answer textarea");
      this.onAnsweredElsewhere(q, draft ? draft.value : "");
    }
    this.questions.set(q.id, q);
    if (typing) {
      existing.dataset.votes = String(q.votes);
      existing.querySelector(".q-votes").textContent = String(q.votes);
    } else {
      const li = this.render(q);
      if (existing) {
        existing.replaceWith(li);
      } else {
        li.classList.add("is-new");
        (isOpen(q) ? this.openList : this.doneList)?.append(li);
      }
    }
    this.order();
    if (!before || before.server) {
      if (!before) { announce(fmt(this.S.new_question, { name: q.author.name })); }
    } else if (!before.answer && q.answer) {
      announce(this.S.answered_now);
    }
    return true;
  }

  /** `ranking`: [[id, votes], …] at revision `rev`. */
  votes(pairs, rev) {
    pairs.forEach(([id, votes]) => {
      const q = this.questions.get(id);
      if (!q || rev <= (this.seen.get(id) || 0)) { return; }
      this.seen.set(id, rev);
      q.votes = votes;
      const li = document.getElementById("q-" + id);
      if (li) {
        li.dataset.votes = String(votes);
        const count = li.querySelector(".q-votes");
        if (count) { count.textContent = String(votes); }
      }
    });
    this.order();
  }

  /** `snapshot`: everything anew. */
  replace(questions, rev) {
    const keep = new Set(questions.map((q) => q.id));
    [...this.questions.keys()].forEach((id) => {
      if (!keep.has(id)) {
        this.questions.delete(id);
        document.getElementById("q-" + id)?.remove();
      }
    });
    this.seen.clear();
    questions.forEach((q) => {
      const existing = this.questions.get(q.id);
      if (existing) { existing.server = true; }  // no announcement for what was on the page
      this.put(q, rev);
    });
    this.order();
  }

  setVoted(id, voted, votes) {
    if (voted) { this.voted.add(id); } else { this.voted.delete(id); }
    const q = this.questions.get(id);
    if (q) {
      q.votes = votes;
      const li = document.getElementById("q-" + id);
      li?.querySelector(".vote-form")?.replaceWith(this.voteButton(q));
      if (li) {
        li.dataset.votes = String(votes);
        li.querySelector(".q-votes").textContent = String(votes);
      }
    }
    this.order();
  }

  disableVotes() {
    this.canVote = false;
    document.querySelectorAll("#questions .vote-form").forEach((form) => form.remove());
  }
}

/** The head of the page from a `session` dict: status, audience, end, waiting. */
export function showSession(cfg, session) {
  const badge = document.getElementById("sesi-status");
  if (badge && session.status && badge.dataset.status !== session.status) {
    badge.dataset.status = session.status;
    badge.className = "status status-" + session.status;
    badge.textContent = cfg.strings.status[session.status] || session.status;
  }
  const audience = document.getElementById("sesi-audience");
  if (audience && typeof session.audience === "number") { audience.textContent = String(session.audience); }
  const waiting = document.getElementById("konsol-waiting");
  if (waiting && typeof session.waiting === "number") { waiting.textContent = String(session.waiting); }
  const countdown = document.getElementById("konsol-countdown");
  if (countdown && session.ends_at) {
    countdown.dataset.ends = session.ends_at;
    countdown.dataset.starts = session.starts_at;
    countdown.dataset.status = session.status;
  }
}

/** The hub's connection state in words (#conn-state). */
export function showConnection(hub, S) {
  const node = document.getElementById("conn-state");
  hub.onState((state) => {
    if (!node) { return; }
    node.dataset.state = state;
    node.textContent = S[state] || S.closed;
  });
}

/**
 * Follow the session's topic on the tab's hub and keep `board` current.
 * `on`: {session(sessionDict), snapshot(frame), question(frame), mine(frame)}
 * — extra work of the page, after the board's. Returns {hub, joined()}:
 * while not joined, the pages let their plain forms be posted.
 */
export function follow(cfg, board, on = {}) {
  const hub = getHub();
  let lastRev = cfg.since || 0;
  let joined = false;
  // `data-live="joined"` on the article while the topic is joined (the forms go over the socket then).
  const article = document.querySelector("article.sesi");
  const setJoined = (value) => {
    joined = value;
    if (article) { article.dataset.live = value ? "joined" : ""; }
  };
  showConnection(hub, cfg.strings);
  const channel = hub.channel(cfg.topic, { since: () => lastRev });
  const bump = (frame) => { if (typeof frame.id === "number" && frame.id > lastRev) { lastRev = frame.id; } };
  const call = (name, value) => { if (on[name]) { on[name](value); } };
  // The waiting count comes in several frames (snapshot, session, ranking, a decision's
  // question), published by different processes: shown only from a frame at least as new
  // as the one it last came from.
  let waitingRev = null;
  const onWaiting = (frame, waiting) => {
    if (typeof waiting !== "number" || !isNewer(waitingRev, frame.id)) { return; }
    waitingRev = frame.id;
    showSession(cfg, { waiting });
  };
  const onSession = (session, frame) => {
    const { waiting, ...rest } = session;
    showSession(cfg, rest);
    onWaiting(frame, waiting);
    call("session", session);
  };
  channel.on("joined", (frame) => {
    setJoined(true);
    if (typeof frame.last_id === "number" && frame.last_id > lastRev) { lastRev = frame.last_id; }
    showSession(cfg, { audience: frame.presence });
  });
  channel.on("presence", (frame) => showSession(cfg, { audience: frame.count }));
  channel.onJoinFailed(() => setJoined(false));
  hub.onState((state) => { if (state !== "open") { setJoined(false); } });
  channel.on("snapshot", (frame) => {
    bump(frame);
    if (frame.session) { onSession(frame.session, frame); }
    if (Array.isArray(frame.voted)) { board.voted = new Set(frame.voted); }
    board.replace(frame.questions || [], frame.id || 0);
    call("snapshot", frame);
  });
  channel.on("question", (frame) => {
    bump(frame); board.put(frame.question, frame.id); onWaiting(frame, frame.waiting); call("question", frame);
  });
  channel.on("ranking", (frame) => {
    bump(frame); board.votes(frame.votes || [], frame.id); onWaiting(frame, frame.waiting);
  });
  channel.on("session", (frame) => { bump(frame); onSession(frame.session, frame); });
  channel.on("mine", (frame) => { bump(frame); call("mine", frame); });
  return { hub, joined: () => joined };
}
