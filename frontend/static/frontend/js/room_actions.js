/* Balai Warga chat room: the small forms under a message — reporting it
 * (any signed-in user, once per message) and, for moderators, muting or
 * banning its author. The room's view (room_view.js) makes one with
 * createRoomActions(ctx), shows the buttons these say apply, and asks for
 * each message's notes (an open form, or the line saying how it went) when
 * it renders it.
 *
 * ctx: {cfg, topic, me, isOwn(message), element(id) -> <li>, rerender(id)}.
 * User text reaches the DOM only through textContent.
 */
import { el, fmt, postJSON } from "./ui.js";

export function createRoomActions(ctx) {
  var cfg = ctx.cfg;
  var S = cfg.strings;
  var M = cfg.moderator_strings || {};
  var moderator = Boolean(cfg.is_moderator);
  var topic = ctx.topic;
  var me = ctx.me;
  var isOwn = ctx.isOwn;

  // --- reporting ----------------------------------------------------------------
  var reports = new Map();  // id -> the open report form, or the note saying it was sent
  var reported = new Set(); // ids reported from this page: reported once, so no second button

  function canReport(message) {
    return me !== null && Boolean(cfg.report_url) && !isOwn(message) && !message.deleted &&
      !reported.has(message.id) && (cfg.report_reasons || []).length > 0;
  }

  function openReport(message) {
    var li = ctx.element(message.id);
    if (!li) { return; }
    if (reports.has(message.id)) {
      var existing = reports.get(message.id).querySelector("select");
      if (existing) { existing.focus(); }
      return;
    }
    var form = el("form", "msg-report");
    var field = el("select");
    field.id = "report-reason-" + message.id;
    field.name = "reason";
    var label = el("label", null, S.report_label);
    label.htmlFor = field.id;
    addOptions(field, cfg.report_reasons);
    form.appendChild(label);
    var controls = formControls(form, S.report_send, [field], function () {
      reports.delete(message.id);
      form.remove();
      refocus(li, "report");
    });
    var send = controls.send;
    var status = controls.status;
    reports.set(message.id, form);
    li.appendChild(form);
    field.focus();

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      send.disabled = true;
      status.textContent = "";
      function settle(text) {
        var done = el("p", "report-status done", text);
        done.setAttribute("role", "status");
        done.tabIndex = -1;
        reports.set(message.id, done);
        reported.add(message.id);
        form.replaceWith(done);
        // The "Report" button goes: an item is reported once.
        ctx.rerender(message.id);
        done.focus();
      }
      // Reports name the target as its page shows it: "<room slug>/<visible id>".
      var payload = { target_kind: "chat.message", target: topic.slice(topic.indexOf(".") + 1) + "/" + message.id,
                      reason: field.value };
      postJSON(cfg.report_url, payload).then(function () {
        settle(S.report_thanks);
      }, function (error) {
        if (error.code === "already_reported") { settle(S.report_already); return; }
        send.disabled = false;
        status.textContent = error.code === "network" ? S.report_failed : (error.detail || S.report_failed);
      });
    });
  }

  // --- moderators' tools: mute or ban a message's author ------------------------------
  var sanctionNotes = new Map();  // id -> the open mute form, or the note saying how it went

  function canSanction(message) {
    if (!moderator || !cfg.sanction_url || isOwn(message) || !message.author) { return false; }
    var staff = message.author.role === "moderator" || message.author.role === "admin";
    return !staff || Boolean(cfg.can_sanction_staff);
  }

  function sanctionError(error) {
    return (M.errors && M.errors[error && error.code]) || (error && error.detail) || M.errors.network;
  }

  /** Replace the message's mute form (or earlier note) with a note. */
  function sanctionNote(message, text, ok) {
    var li = ctx.element(message.id);
    var note = el("p", "report-status sanction-status" + (ok ? " done" : ""), text);
    note.setAttribute("role", ok ? "status" : "alert");
    note.tabIndex = -1;
    var previous = sanctionNotes.get(message.id);
    sanctionNotes.set(message.id, note);
    if (previous && previous.parentNode) { previous.replaceWith(note); }
    else if (li) { li.appendChild(note); }
    return note;
  }

  function labelled(field, text, id) {
    field.id = id;
    var label = el("label", null, text);
    label.htmlFor = id;
    var p = el("p", "sanction-field");
    p.appendChild(label);
    p.appendChild(field);
    return p;
  }

  function openMute(message) {
    var li = ctx.element(message.id);
    if (!li) { return; }
    var open = sanctionNotes.get(message.id);
    if (open && open.tagName === "FORM") { open.querySelector("select").focus(); return; }
    var form = el("form", "msg-report msg-sanction");
    form.appendChild(el("p", "sanction-title", fmt(M.mute_title, { name: message.author.name })));
    var duration = el("select");
    duration.name = "duration";
    addOptions(duration, M.durations);
    var scope = el("select");
    scope.name = "scope";
    addOptions(scope, [["room", M.scope_room], ["everywhere", M.scope_everywhere]]);
    var reason = el("input");
    reason.type = "text";
    reason.name = "reason";
    reason.maxLength = 300;
    reason.autocomplete = "off";
    form.appendChild(labelled(duration, M.duration, "mute-duration-" + message.id));
    form.appendChild(labelled(scope, M.scope, "mute-scope-" + message.id));
    form.appendChild(labelled(reason, M.reason, "mute-reason-" + message.id));
    var controls = formControls(form, M.mute_send, [], function () {
      sanctionNotes.delete(message.id);
      form.remove();
      refocus(li, "mute");
    });
    var send = controls.send;
    var status = controls.status;
    if (open && open.parentNode) { open.replaceWith(form); } else { li.appendChild(form); }
    sanctionNotes.set(message.id, form);
    duration.focus();

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      send.disabled = true;
      status.textContent = "";
      var here = scope.value === "room";
      var payload = { user: message.author.id, kind: "mute", duration: duration.value,
                      scope: here ? topic : "", reason: reason.value };
      var durationLabel = duration.options[duration.selectedIndex].textContent;
      postJSON(cfg.sanction_url, payload).then(function () {
        var text = fmt(here ? M.muted_here : M.muted_everywhere, { name: message.author.name, duration: durationLabel });
        sanctionNote(message, text, true).focus();
      }, function (error) {
        send.disabled = false;
        status.textContent = sanctionError(error);
      });
    });
  }

  function banAuthor(message) {
    if (!window.confirm(fmt(M.confirm_ban, { name: message.author.name }))) { return; }
    var payload = { user: message.author.id, kind: "ban", scope: "", reason: "" };
    postJSON(cfg.sanction_url, payload).then(function () {
      sanctionNote(message, fmt(M.banned, { name: message.author.name }), true).focus();
    }, function (error) {
      sanctionNote(message, sanctionError(error), false).focus();
    });
  }

  /** `[[value, label], …]` as the options of a select. */
  function addOptions(select, pairs) {
    pairs.forEach(function (pair) {
      var option = el("option", null, pair[1]);
      option.value = pair[0];
      select.appendChild(option);
    });
  }

  /** The send and cancel buttons (after `lead`, the row's first fields) and
   * the status line of a small form under a message (report, mute). */
  function formControls(form, sendLabel, lead, onCancel) {
    var send = el("button", "button small", sendLabel);
    send.type = "submit";
    var cancel = el("button", "button secondary small", S.cancel);
    cancel.type = "button";
    cancel.addEventListener("click", onCancel);
    var row = el("p", "editor-row");
    lead.forEach(function (node) { row.appendChild(node); });
    row.appendChild(send);
    row.appendChild(cancel);
    form.appendChild(row);
    var status = el("p", "report-status");
    status.setAttribute("role", "status");
    form.appendChild(status);
    return { send: send, status: status };
  }

  /** The focus goes back to the message's `action` button (a form was closed). */
  function refocus(li, action) {
    var again = li.querySelector('[data-action="' + action + '"]');
    if (again) { again.focus(); }
  }

  /** The nodes to show under `message`: its report form or note (unless
   * it was deleted) and its mute form or sanction note. */
  function notesFor(message) {
    var nodes = [];
    var reportState = reports.get(message.id);
    if (reportState && !message.deleted) { nodes.push(reportState); }
    var sanctionState = sanctionNotes.get(message.id);
    if (sanctionState) { nodes.push(sanctionState); }
    return nodes;
  }

  return { canReport: canReport, openReport: openReport, canSanction: canSanction, openMute: openMute,
           banAuthor: banAuthor, notesFor: notesFor };
}
