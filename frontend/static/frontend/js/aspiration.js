/* Balai Warga aspiration forum: progressive enhancement of pages that work
 * without JavaScript.
 *
 *   - the thread page (#aspiration-config): joins `aspirasi.<id>` on the
 *     tab's hub (since = the page's last_seq, so what happened between the
 *     render and the join is replayed) and inserts or updates replies and the
 *     status/timeline without reload, announced politely; reports a reply
 *     through the existing report flow (POST /moderasi/laporkan/);
 *   - the compose page (#compose-config): preselects the chosen category's
 *     default privacy, and suggests similar open aspirations while typing.
 *
 * Frames (forum/schema.json): `reply` {id, reply{id, parent, depth, author,
 * official, html (sanitized by the server), deleted, created_at, edited_at}}
 * and `timeline` {id, entry{from, to, agency, reason, created_at}, status}.
 * Every id is the thread's live sequence; an id at or below the last one is
 * a repeat and is dropped.
 */
import { getHub } from "./hub.js";
import { el, fmt, postJSON, readConfig } from "./ui.js";

function announce(text) {
  const node = document.getElementById("announcer");
  if (!node) { return; }
  node.textContent = "";
  window.setTimeout(() => { node.textContent = text; }, 50);
}

function timeText(iso) {
  const date = new Date(iso);
  return isNaN(date) ? "" : date.toLocaleString(document.documentElement.lang || "id", {
    day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit",
  });
}

// --- the thread page ------------------------------------------------------------------
function thread(cfg) {
  const S = cfg.strings;
  const list = document.getElementById("replies");
  const empty = document.getElementById("no-replies");
  const connState = document.getElementById("conn-state");
  let lastId = cfg.since;

  function replyHead(reply) {
    const head = el("div", "reply-head");
    head.append(el("span", "reply-author", reply.author.name));
    if (reply.official) {
      head.append(" ", el("span", "official-badge",
        S.official + " · " + reply.official.title + (reply.official.agency ? ", " + reply.official.agency : "")));
    }
    const time = el("time", null, timeText(reply.created_at));
    time.setAttribute("datetime", reply.created_at);
    head.append(" ", time);
    if (reply.edited_at && !reply.deleted) { head.append(" ", el("span", "edited", S.edited)); }
    return head;
  }

  function replyBody(reply) {
    const body = el("div", "reply-body");
    if (reply.deleted) {
      body.append(el("p", "tombstone", S.reply_deleted));
    } else {
      body.innerHTML = reply.html;  // sanitized server-side (common/sanitize.py), personal data masked
    }
    return body;
  }

  function actionsFor(reply) {
    const actions = el("div", "reply-actions");
    const replyTemplate = document.getElementById("reply-to-template");
    if (replyTemplate && cfg.can_reply && reply.depth < cfg.max_depth) {
      const node = replyTemplate.content.cloneNode(true);
      node.querySelector("input[name=parent]").value = String(reply.id);
      actions.append(node);
    }
    const reportTemplate = document.getElementById("report-template");
    if (reportTemplate && cfg.user_id !== null && reply.author.id !== cfg.user_id) {
      const node = reportTemplate.content.cloneNode(true);
      const form = node.querySelector("form");
      form.dataset.report = String(reply.id);
      form.action = "";
      const select = form.querySelector("select");
      select.id = "report-reason-" + reply.id;
      form.querySelector("label").htmlFor = select.id;
      actions.append(node);
    }
    return actions;
  }

  function place(li, reply) {
    if (reply.parent === null) {
      list.append(li);
      return;
    }
    const parent = document.getElementById("r-" + reply.parent);
    if (!parent) {
      list.append(li);
      return;
    }
    // After the parent's last descendant: the list is depth-first.
    const parentDepth = Number(parent.dataset.depth);
    let next = parent.nextElementSibling;
    while (next && Number(next.dataset.depth) > parentDepth) { next = next.nextElementSibling; }
    list.insertBefore(li, next);
  }

  function onReply(frame) {
    if (frame.id <= lastId) { return; }
    lastId = frame.id;
    const reply = frame.reply;
    const depth = Math.min(reply.depth, cfg.max_depth);
    const existing = document.getElementById("r-" + reply.id);
    if (existing) {
      existing.querySelector(".reply-head").replaceWith(replyHead(reply));
      existing.querySelector(".reply-body").replaceWith(replyBody(reply));
      existing.classList.toggle("is-deleted", reply.deleted);
      if (reply.deleted) {
        existing.querySelectorAll(".reply-actions, .reply-history").forEach((node) => node.remove());
      }
      announce(reply.deleted ? S.reply_deleted : S.reply_changed);
      return;
    }
    const li = el("li", "reply depth-" + depth + (reply.official ? " is-official" : "") +
      (reply.deleted ? " is-deleted" : "") + " is-new");
    li.id = "r-" + reply.id;
    li.dataset.id = String(reply.id);
    li.dataset.depth = String(depth);
    li.dataset.parent = reply.parent === null ? "" : String(reply.parent);
    li.append(replyHead(reply), replyBody(reply));
    if (!reply.deleted) { li.append(actionsFor(reply)); }
    place(li, reply);
    if (empty) { empty.hidden = true; }
    announce(fmt(reply.official ? S.official_reply : S.new_reply, { name: reply.author.name }));
  }

  function onTimeline(frame) {
    if (frame.id <= lastId) { return; }
    lastId = frame.id;
    const entry = frame.entry;
    const label = cfg.statuses[entry.to] || entry.to;
    const li = el("li", "is-new");
    li.dataset.seq = String(frame.id);
    const time = el("time", null, timeText(entry.created_at));
    time.setAttribute("datetime", entry.created_at);
    li.append(time, " ", el("span", "status status-" + entry.to, label));
    if (entry.agency) { li.append(" ", el("span", "tl-agency", fmt(S.forwarded_to, { agency: entry.agency }))); }
    if (entry.reason) { li.append(" ", el("span", "tl-reason", "— " + entry.reason)); }
    const timeline = document.getElementById("timeline");
    if (timeline) { timeline.append(li); }
    const badge = document.getElementById("asp-status");
    if (badge && badge.dataset.status !== frame.status) {
      badge.textContent = cfg.statuses[frame.status] || frame.status;
      badge.className = "status status-" + frame.status;
      badge.dataset.status = frame.status;
      document.querySelectorAll(".asp-meta .countdown").forEach((node) => node.remove());
      if (entry.agency) {
        const agency = document.getElementById("asp-agency");
        if (agency) { agency.textContent = entry.agency; }
      }
      // The actions on the page were those of the old status.
      const stale = document.getElementById("stale-actions");
      if (stale) {
        stale.hidden = false;
        stale.textContent = S.stale_actions + " ";
        const link = el("a", null, S.reload);
        link.href = window.location.pathname;
        stale.append(link);
        document.querySelectorAll("#actions form").forEach((form) => { form.hidden = true; });
      }
    }
    announce(fmt(S.status_now, { status: label }));
  }

  // Reporting a reply: the existing report flow, by the reply's id.
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.report || !cfg.report_url) { return; }
    event.preventDefault();
    const status = form.querySelector(".report-status");
    const payload = {
      target_kind: "forum.reply", target: form.dataset.report, reason: form.querySelector("select").value,
    };
    postJSON(cfg.report_url, payload).then(() => {
      status.textContent = S.report_thanks;
      status.classList.add("done");
      form.querySelectorAll("select, button").forEach((node) => { node.disabled = true; });
    }, (error) => {
      status.textContent = error.code === "already_reported" ? S.report_already
        : (error.code === "network" ? S.report_failed : (error.detail || S.report_failed));
    });
  });

  const hub = getHub();
  hub.onState((state) => {
    if (!connState) { return; }
    connState.dataset.state = state;
    connState.textContent = S[state] || state;
  });
  const channel = hub.channel(cfg.topic, { since: () => lastId });
  channel.on("reply", onReply);
  channel.on("timeline", onTimeline);
}

// --- the compose page -------------------------------------------------------------------
function compose(cfg) {
  const S = cfg.strings;
  const category = document.getElementById("id_category");
  const privacy = document.querySelectorAll("input[name=privacy]");
  if (category) {
    category.addEventListener("change", () => {
      const option = category.options[category.selectedIndex];
      const wanted = option && option.dataset.privacy;
      if (!wanted) { return; }
      privacy.forEach((input) => { input.checked = input.value === wanted; });
    });
  }
  // Similar open aspirations while typing (the search engine answers at
  // cfg.similar_url; when it is not there, nothing is shown).
  const box = document.getElementById("similar");
  const title = document.getElementById("id_title");
  const body = document.getElementById("id_body");
  const kecamatan = document.getElementById("id_kecamatan");
  if (!box || !title || !cfg.similar_url) { return; }
  let timer = null;
  let asked = "";
  function ask() {
    const text = (title.value + " " + (body ? body.value : "")).trim();
    const params = new URLSearchParams({
      q: text.slice(0, 300), category: category ? category.value : "", kecamatan: kecamatan ? kecamatan.value : "",
    });
    const query = params.toString();
    if (text.length < 8 || query === asked) { return; }
    asked = query;
    window.fetch(cfg.similar_url + "?" + query, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : { results: [] }))
      .then((data) => {
        const results = (data && data.results) || [];
        box.textContent = "";
        box.hidden = results.length === 0;
        if (!results.length) { return; }
        box.append(el("p", "similar-title", S.similar_title));
        const ul = el("ul");
        results.slice(0, 5).forEach((item) => {
          const li = el("li");
          const link = el("a", null, item.title);
          link.href = item.url || ("/aspirasi/" + item.id + "/");
          li.append(link);
          if (typeof item.supports === "number") { li.append(" ", el("span", "muted", fmt(S.supports, { n: item.supports }))); }
          ul.append(li);
        });
        box.append(ul);
      }, () => { box.hidden = true; });
  }
  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, 500);
  }
  [title, body, category, kecamatan].forEach((node) => {
    if (node) { node.addEventListener(node.tagName === "SELECT" ? "change" : "input", later); }
  });
}

const threadConfig = readConfig("aspiration-config");
if (threadConfig) { thread(threadConfig); }
const composeConfig = readConfig("compose-config");
if (composeConfig) { compose(composeConfig); }
