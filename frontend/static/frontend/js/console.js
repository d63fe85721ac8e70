/* Balai Warga moderators' console (/moderasi/): queue counts and ages live
 * from `queue.event` frames on modq.console (over the tab's hub socket),
 * claiming one item or a batch, deciding with buttons or keys, bulk approve.
 *
 * The JSON API (moderation/views.py) is the authority: every decision is a
 * POST, and a refusal comes back as {"code", "detail"}; the codes are shown
 * in the page's language from the strings the view passes.
 *
 * Safety: all user text reaches the DOM through textContent.
 */
import { getHub } from "./hub.js";
import { el, excerpt, fmt, postJSON, readConfig } from "./ui.js";

function start(cfg) {
  var S = cfg.strings;
  var $ = function (id) { return document.getElementById(id); };

  var statusLine = $("console-status");
  var connState = $("conn-state");
  var activity = $("activity");
  var batchBox = $("batch");
  var batchList = $("batch-list");
  var bulkButton = $("bulk-approve");
  var idle = $("idle");
  var itemBox = $("item");
  var reasonSelect = $("reject-reason");
  var noteField = $("decide-note");
  var sanctionBox = $("item-sanctions");
  var sanctionList = $("sanction-list");
  var sanctionForm = $("sanction-form");
  var sanctionDuration = $("sanction-duration");
  var sanctionScope = $("sanction-scope");
  var sanctionReason = $("sanction-reason");
  var SX = S.sanctions;

  var stats = cfg.stats || {};
  var statsAt = Date.now();
  var claimed = [];          // item contexts claimed by me, not yet decided
  var current = null;        // the one shown
  var lastQueue = Object.keys(cfg.queues)[0] || null;
  var busy = false;
  var mine = new Set();      // ids I decided: their `decided` events are not news

  function say(text, kind) {
    statusLine.textContent = text || "";
    statusLine.dataset.kind = kind || "";
  }

  function errorText(error) {
    if (error && error.code && S.errors[error.code]) { return S.errors[error.code]; }
    if (error && error.detail) { return error.detail; }
    return S.network;
  }

  var post = postJSON;

  // --- queue statistics ---------------------------------------------------------
  function ageText(seconds) {
    if (seconds === null || seconds === undefined) { return S.age_none; }
    if (seconds < 60) { return fmt(S.age_s, { n: Math.floor(seconds) }); }
    if (seconds < 3600) { return fmt(S.age_m, { n: Math.floor(seconds / 60) }); }
    if (seconds < 86400) { return fmt(S.age_h, { n: Math.floor(seconds / 3600) }); }
    return fmt(S.age_d, { n: Math.floor(seconds / 86400) });
  }

  function renderStats() {
    var elapsed = (Date.now() - statsAt) / 1000;
    document.querySelectorAll("#queues li.queue").forEach(function (li) {
      var entry = stats[li.dataset.queue] || { pending: 0, oldest_age: null };
      var pending = li.querySelector(".q-pending");
      pending.textContent = String(entry.pending);
      pending.dataset.pending = String(entry.pending);
      li.classList.toggle("has-items", entry.pending > 0);
      li.querySelector(".q-age").textContent =
        entry.oldest_age === null || entry.pending === 0 ? S.age_none : ageText(entry.oldest_age + elapsed);
    });
  }

  function setStats(next) {
    if (!next) { return; }
    stats = next;
    statsAt = Date.now();
    renderStats();
  }

  function logActivity(text) {
    var li = el("li", null, text);
    var time = el("time", null, new Date().toLocaleTimeString(document.documentElement.lang || "id",
      { hour: "2-digit", minute: "2-digit", second: "2-digit" }));
    li.insertBefore(time, li.firstChild);
    activity.insertBefore(li, activity.firstChild);
    while (activity.children.length > 30) { activity.lastElementChild.remove(); }
  }

  function queueLabel(name) {
    return cfg.queues[name] || name;
  }

  // An event's statistics may be up to a second old (moderation/events.py
  // caches them): after a burst of events, join again for fresh ones.
  var REFRESH_AFTER_MS = 1500;
  var refreshTimer = null;
  function refreshSoon() {
    if (refreshTimer !== null) { return; }
    refreshTimer = window.setTimeout(function () {
      refreshTimer = null;
      channel.rejoin();
    }, REFRESH_AFTER_MS);
  }

  function onQueueEvent(frame) {
    setStats(frame.stats);
    refreshSoon();
    var text;
    if (frame.event === "arrived") { text = fmt(S.event_arrived, { id: frame.item_id, queue: queueLabel(frame.queue) }); }
    else if (frame.event === "claimed") { text = fmt(S.event_claimed, { id: frame.item_id, name: frame.by || "?" }); }
    else if (frame.event === "decided") {
      text = fmt(S.event_decided, { id: frame.item_id, status: S["status_" + frame.status] || frame.status });
    } else { text = fmt(S.event_escalated, { id: frame.item_id }); }
    logActivity(text);

    var held = findClaimed(frame.item_id);
    if (!held) { return; }
    if (frame.event === "claimed" && frame.by && frame.by !== cfg.me) {
      drop(frame.item_id);
      say(fmt(S.taken_by, { id: frame.item_id, name: frame.by }), "error");
    } else if ((frame.event === "decided" || frame.event === "escalated") && !mine.has(frame.item_id)) {
      drop(frame.item_id);
      say(fmt(S.decided_elsewhere, { id: frame.item_id }), "error");
    }
  }

  // --- claimed items ----------------------------------------------------------------
  function findClaimed(id) {
    for (var i = 0; i < claimed.length; i++) { if (claimed[i].id === id) { return claimed[i]; } }
    return null;
  }

  function drop(id) {
    claimed = claimed.filter(function (item) { return item.id !== id; });
    if (current && current.id === id) { current = claimed[0] || null; }
    render();
  }

  function add(item) {
    if (!findClaimed(item.id)) { claimed.push(item); }
  }

  function render() {
    renderBatch();
    renderItem();
  }

  function renderBatch() {
    batchBox.hidden = claimed.length < 2;
    batchList.textContent = "";
    claimed.forEach(function (item) {
      var li = el("li", "batch-item" + (current && current.id === item.id ? " current" : ""));
      li.dataset.id = String(item.id);
      var box = el("input");
      box.type = "checkbox";
      // An author under a sanction is decided item by item, never in bulk.
      var sanctioned = (item.author_active_sanctions || []).length > 0;
      box.checked = !sanctioned;
      box.disabled = sanctioned;
      box.id = "batch-" + item.id;
      box.value = String(item.id);
      var label = el("label", null, "#" + item.id + " · " + excerpt(item.masked_text || item.text || S.missing, 70));
      label.htmlFor = box.id;
      var mark = null;
      if (sanctioned) {
        li.classList.add("sanctioned");
        mark = el("span", "sanctioned-mark", S.sanctioned);
        mark.id = "batch-" + item.id + "-sanctioned";
        box.setAttribute("aria-describedby", mark.id);
      }
      var open = el("button", "link-button small", "›");
      open.type = "button";
      open.dataset.open = String(item.id);
      open.setAttribute("aria-label", "#" + item.id);
      li.appendChild(box);
      li.appendChild(label);
      if (mark) { li.appendChild(mark); }
      li.appendChild(open);
      batchList.appendChild(li);
    });
  }

  /** A rule hit or report in words: "reported: Spam", "personal data: phone number". */
  function hitLabel(hit) {
    var parts = String(hit).split(":");
    var label = S.hits[parts[0]];
    if (!label) { return hit; }
    if (parts.length < 2) { return label; }
    var detail = parts.slice(1).join(":");
    if (parts[0] === "report") { detail = (cfg.reasons || {})[detail] || detail; }
    else if (parts[0] === "personal_data") { detail = S.hit_details[detail] || detail; }
    return label + ": " + detail;
  }

  /** What the item's queue calls its actions (an escalated item keeps its own queue's). */
  function actionsOf(item) {
    return (cfg.actions || {})[item.queue] || (cfg.actions || {}).chat || {};
  }

  function renderActions(item) {
    var words = actionsOf(item);
    itemBox.querySelectorAll("button[data-action]").forEach(function (button) {
      var action = button.dataset.action;
      if (action === "escalate") { return; }
      var text = words[action];
      button.hidden = !text;
      if (text) { button.querySelector(".action-label").textContent = text; }
    });
  }

  function renderItem() {
    var item = current;
    itemBox.hidden = !item;
    idle.hidden = Boolean(item) || claimed.length > 0;
    if (!item) { return; }
    itemBox.dataset.id = String(item.id);
    itemBox.dataset.queue = item.queue;
    renderActions(item);
    $("item-title").textContent = "#" + item.id + " · " + queueLabel(item.queue) +
      (item.delivery_count > 1 ? " · " + fmt(S.delivered, { n: item.delivery_count }) : "");
    var author = item.author || {};
    $("item-author").textContent = author.name ? author.name + " (@" + author.username + ", " + ((cfg.roles || {})[author.role] || author.role) + ")" : "—";
    var history = item.author_history || {};
    $("item-history").textContent = fmt(S.history, {
      approved: history.approved || 0, rejected: history.rejected || 0, pending: history.pending || 0,
      sanctions: item.author_sanctions || 0,
    });
    var hits = $("item-hits");
    hits.textContent = "";
    (item.reasons || []).forEach(function (hit) { hits.appendChild(el("li", "hit", hitLabel(hit))); });
    var where = $("item-where");
    where.textContent = item.where || "—";
    where.href = typeof item.link === "string" && item.link.charAt(0) === "/" ? item.link : "#";
    $("item-text").textContent = item.missing ? S.missing : item.text;
    $("item-masked").textContent = item.missing ? "" : item.masked_text;
    var around = $("item-around");
    around.textContent = "";
    // The target kind places the item itself among its neighbours ("this").
    (item.around || []).forEach(function (m) {
      if (m.this) {
        around.appendChild(el("li", "around-this", "→ " + S.this_message + ": " + excerpt(item.masked_text || item.text, 120)));
        return;
      }
      var li = el("li");
      li.appendChild(el("span", "around-id", "#" + m.id));
      li.appendChild(el("strong", null, m.author));
      li.appendChild(el("span", "around-text", m.text));
      around.appendChild(li);
    });
    if (!(item.around || []).some(function (m) { return !m.this; })) { around.appendChild(el("li", "muted", S.no_context)); }
    renderSanctions(item);
  }

  // --- sanctions on the item's author -----------------------------------------------------
  var sanctionsFor = null;   // the item whose author the mute form was last set up for
  var untilFormat = new Intl.DateTimeFormat(document.documentElement.lang || "id", {
    day: "numeric", month: "long", hour: "2-digit", minute: "2-digit", timeZone: "Asia/Jakarta" });

  function sanctionable(item) {
    var author = item.author || {};
    if (typeof author.id !== "number" || author.id === cfg.me_id) { return false; }
    var staff = author.role === "moderator" || author.role === "admin";
    return !staff || Boolean(cfg.can_sanction_staff);
  }

  function sanctionText(sanction) {
    if (sanction.kind === "ban") { return SX.active_ban; }
    var until = sanction.until ? untilFormat.format(new Date(sanction.until)) + " WIB" : "—";
    return sanction.scope ? fmt(SX.active_mute_room, { room: sanction.where || sanction.scope, until: until })
      : fmt(SX.active_mute_everywhere, { until: until });
  }

  function renderSanctions(item) {
    sanctionBox.hidden = !sanctionable(item);
    if (sanctionBox.hidden) { return; }
    if (sanctionsFor !== item.id) {  // a new item: a fresh form
      sanctionsFor = item.id;
      sanctionReason.value = "";
      sanctionDuration.selectedIndex = 0;
      sanctionScope.textContent = "";
      if (item.scope) {
        var here = el("option", null, fmt(SX.scope_room, { room: item.where || item.scope }));
        here.value = item.scope;
        sanctionScope.appendChild(here);
      }
      var everywhere = el("option", null, SX.scope_everywhere);
      everywhere.value = "";
      sanctionScope.appendChild(everywhere);
    }
    sanctionList.textContent = "";
    var active = item.author_active_sanctions || [];
    if (!active.length) { sanctionList.appendChild(el("li", "muted", SX.none)); }
    active.forEach(function (sanction) {
      var li = el("li", "sanction sanction-" + sanction.kind);
      li.dataset.sanction = String(sanction.id);
      li.appendChild(el("span", null, sanctionText(sanction)));
      var lift = el("button", "button secondary small", SX.lift);
      lift.type = "button";
      lift.dataset.lift = String(sanction.id);
      lift.setAttribute("aria-label", SX.lift + ": " + sanctionText(sanction));
      li.appendChild(lift);
      sanctionList.appendChild(li);
    });
  }

  function sanctionError(error) {
    return (error && SX.errors[error.code]) || errorText(error);
  }

  /** Read the item again for its author's sanctions in force. */
  function refreshSanctions(item) {
    return window.fetch(cfg.urls.item.replace("{id}", String(item.id)), {
      credentials: "same-origin", headers: { "Accept": "application/json" },
    }).then(function (response) { return response.ok ? response.json() : null; }).then(function (data) {
      if (!data || !data.item) { return; }
      // Every claimed item of the same author shows (and is kept out of bulk approval by) the news.
      claimed.concat([item]).forEach(function (other) {
        if ((other.author || {}).id !== (item.author || {}).id) { return; }
        other.author_active_sanctions = data.item.author_active_sanctions;
        other.author_sanctions = data.item.author_sanctions;
      });
      render();
    }, function () { /* the list stays as it was; the status line said what happened */ });
  }

  function impose(kind) {
    if (!current || busy) { return; }
    var item = current;
    var name = (item.author || {}).name || "";
    if (kind === "ban" && !window.confirm(fmt(SX.confirm_ban, { name: name }))) { return; }
    var scope = kind === "mute" ? sanctionScope.value : "";
    var durationLabel = sanctionDuration.options[sanctionDuration.selectedIndex].textContent;
    busy = true;
    post(cfg.urls.sanction, { user: item.author.id, kind: kind, duration: kind === "mute" ? sanctionDuration.value : null,
                              scope: scope, reason: sanctionReason.value }).then(function () {
      busy = false;
      var text;
      if (kind === "ban") {
        text = fmt(SX.banned, { name: name });
        // The ban refused the author's waiting items (services.author_pending_refuse).
        claimed.filter(function (other) { return (other.author || {}).id === item.author.id; })
          .forEach(function (other) { mine.add(other.id); drop(other.id); });
      }
      else if (scope) { text = fmt(SX.muted_in, { name: name, room: item.where || scope, duration: durationLabel }); }
      else { text = fmt(SX.muted_everywhere, { name: name, duration: durationLabel }); }
      say(text, "ok");
      sanctionReason.value = "";
      refreshSanctions(item);
    }, function (error) {
      busy = false;
      say(sanctionError(error), "error");
    });
  }

  function lift(id) {
    if (!current || busy) { return; }
    var item = current;
    busy = true;
    post(cfg.urls.sanction_lift.replace("{id}", String(id)), {}).then(function () {
      busy = false;
      say(SX.lifted, "ok");
      refreshSanctions(item);
    }, function (error) {
      busy = false;
      say(sanctionError(error), "error");
      refreshSanctions(item);
    });
  }

  SX.durations.forEach(function (pair) {
    var option = el("option", null, pair[1]);
    option.value = pair[0];
    sanctionDuration.appendChild(option);
  });

  function show(id) {
    current = findClaimed(id) || current;
    render();
    itemBox.focus();
  }

  // --- claiming -----------------------------------------------------------------------
  function claimOne(queue) {
    return post(cfg.urls.claim, { queue: queue }).then(function (data) { return data.item; });
  }

  function claimNext(queue) {
    if (busy) { return; }
    queue = queue || (current && current.queue) || lastQueue;
    if (!queue) { return; }
    // The ones already claimed come first.
    var waiting = claimed.filter(function (item) { return !current || item.id !== current.id; });
    if (current === null && waiting.length) { show(waiting[0].id); return; }
    lastQueue = queue;
    busy = true;
    say("");
    claimOne(queue).then(function (item) {
      busy = false;
      if (!item) {
        say(S.empty_queue);
        return;
      }
      add(item);
      current = item;
      render();
      itemBox.focus();
    }, function (error) {
      busy = false;
      say(errorText(error), "error");
    });
  }

  function claimBatch(queue) {
    if (busy) { return; }
    lastQueue = queue;
    busy = true;
    say("");
    var got = 0;
    function step(left) {
      if (left === 0) { return Promise.resolve(); }
      return claimOne(queue).then(function (item) {
        if (!item) { return null; }
        got += 1;
        add(item);
        return step(left - 1);
      });
    }
    step(cfg.batch_size).then(function () {
      busy = false;
      if (!current && claimed.length) { current = claimed[0]; }
      render();
      say(got ? fmt(S.claimed_n, { n: got }) : S.empty_queue);
      if (got) { itemBox.focus(); }
    }, function (error) {
      busy = false;
      if (!current && claimed.length) { current = claimed[0]; }
      render();
      say(errorText(error), "error");
    });
  }

  // --- deciding --------------------------------------------------------------------------
  var DONE = { approve: "approved", approve_redacted: "approved_redacted", reject: "rejected", escalate: "escalated" };

  function decide(action) {
    if (!current || busy) { return; }
    var item = current;
    var words = actionsOf(item);
    if (action !== "escalate" && !words[action]) { return; }  // e.g. no masking for reported content
    var reason = reasonSelect.value;
    if (action === "reject" && !reason) {
      say(S.choose_reason, "error");
      reasonSelect.focus();
      return;
    }
    busy = true;
    mine.add(item.id);
    post(cfg.urls.decide, { item: item.id, action: action, reason: action === "reject" ? reason : "",
                            note: noteField.value }).then(function () {
      busy = false;
      say(action === "escalate" ? S[DONE[action]] : fmt(S.done, { action: words[action] }), "ok");
      afterDecision(item.id);
    }, function (error) {
      busy = false;
      mine.delete(item.id);
      say(errorText(error), "error");
      if (error.code === "already_decided" || error.code === "not_claimed" || error.code === "not_found") {
        drop(item.id);
      }
    });
  }

  function afterDecision(id) {
    reasonSelect.value = "";
    noteField.value = "";
    drop(id);
    if (current) { itemBox.focus(); }
  }

  function bulkApprove() {
    if (busy) { return; }
    var ids = Array.prototype.map.call(batchList.querySelectorAll("input[type=checkbox]:checked"),
      function (box) { return Number(box.value); });
    if (!ids.length) { return; }
    busy = true;
    ids.forEach(function (id) { mine.add(id); });
    post(cfg.urls.bulk_approve, { items: ids }).then(function (data) {
      busy = false;
      var results = data.results || {};
      var ok = 0;
      var failed = [];
      ids.forEach(function (id) {
        var result = results[String(id)];
        if (result === "approved") { ok += 1; drop(id); }
        else {
          mine.delete(id);
          failed.push("#" + id + ": " + errorText({ code: result }));
          if (result === "already_decided" || result === "not_claimed") { drop(id); }
        }
      });
      say(failed.length ? fmt(S.bulk_some_failed, { n: ok, failed: failed.join("; ") }) : fmt(S.bulk_done, { n: ok }),
        failed.length ? "error" : "ok");
    }, function (error) {
      busy = false;
      ids.forEach(function (id) { mine.delete(id); });
      say(errorText(error), "error");
    });
  }

  // --- wiring -------------------------------------------------------------------------------
  document.getElementById("queues").addEventListener("click", function (event) {
    var one = event.target.closest("button[data-claim]");
    var many = event.target.closest("button[data-claim-batch]");
    if (one) { claimNext(one.dataset.claim); }
    else if (many) { claimBatch(many.dataset.claimBatch); }
  });
  itemBox.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-action]");
    var liftButton = event.target.closest("button[data-lift]");
    if (button) { decide(button.dataset.action); }
    else if (liftButton) { lift(Number(liftButton.dataset.lift)); }
  });
  sanctionForm.addEventListener("submit", function (event) {
    event.preventDefault();
    impose("mute");
  });
  $("sanction-ban").addEventListener("click", function () { impose("ban"); });
  batchList.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-open]");
    if (button) { show(Number(button.dataset.open)); }
  });
  bulkButton.addEventListener("click", bulkApprove);
  $("decide").addEventListener("submit", function (event) { event.preventDefault(); });

  function typing(target) {
    if (!target || !target.tagName) { return false; }
    var tag = target.tagName.toLowerCase();
    // A select is not typed into: with a reason chosen, R refuses at once.
    if (tag === "textarea" || target.isContentEditable) { return true; }
    if (tag !== "input") { return false; }
    return ["checkbox", "radio", "button", "submit", "reset"].indexOf((target.type || "").toLowerCase()) === -1;
  }

  var KEYS = { a: "approve", s: "approve_redacted", r: "reject", e: "escalate" };
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) { return; }
    if (typing(event.target)) {
      if (event.key === "Escape") {
        event.target.blur();
        if (!itemBox.hidden) { itemBox.focus(); }
      }
      return;
    }
    var key = (event.key || "").toLowerCase();
    if (KEYS[key]) {
      if (!current) { return; }
      event.preventDefault();
      decide(KEYS[key]);
    } else if (key === "n") {
      event.preventDefault();
      claimNext(null);
    }
  });

  var hub = getHub();
  hub.onState(function (state) {
    connState.dataset.state = state;
    connState.textContent = S[state] || state;
  });
  // Every join (after a reconnect too) reads the counts afresh; no ids to resume from.
  var channel = hub.channel("modq.console", { since: function () { return null; } });
  channel.on("joined", function (frame) { setStats(frame.queues); });
  channel.on("queue.event", onQueueEvent);
  channel.onJoinFailed(function (frame) { say(errorText(frame), "error"); });
  renderStats();
  window.setInterval(renderStats, 1000);
}

var config = readConfig("console-config");
if (config) { start(config); }
