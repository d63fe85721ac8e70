/* Balai Warga notification bell: live on every page of a signed-in user,
 * over the tab's one hub socket (hub.js, getHub()).
 *
 * - Follows `notify.<user id>` from the highest notification id seen (the
 *   page renders it in #notify-bell data-last-id, with the unread count);
 *   repeats of a replay are dropped by id (sequence.js, not contiguous).
 * - `notification` frames bump the count, once per id and only for unread
 *   ones newer than what the count already includes, and show a toast.
 * - `notification.read` frames (any tab marked something read) set the count.
 * - On the inbox page (/notifikasi/) the "mark read" forms post with fetch and
 *   the page updates in place.
 *
 * Safety: notification text reaches the DOM through textContent only.
 */
import { getHub } from "./hub.js";
import { Sequence } from "./sequence.js";
import { forgetOutboxes, localStore, postJSON, readConfig } from "./ui.js";

function start(bell, countNode, S) {
  var userId = bell.dataset.userId;
  var topic = "notify." + userId;

  var sequence = new Sequence({ contiguous: false });
  var shownLastId = Number(bell.dataset.lastId) || 0;  // the newest id the page was rendered with
  if (shownLastId) { sequence.accept(shownLastId); }
  var countedUpTo = shownLastId;                  // ids up to here are in the count already
  var unread = Number(countNode.textContent) || 0;
  var toasts = null;

  function setCount(n) {
    unread = Math.max(0, Number(n) || 0);
    countNode.textContent = String(unread);
    countNode.classList.toggle("is-zero", unread === 0);
    var label = unread === 1 ? S.unread_one : S.unread_many.replace("{n}", String(unread));
    countNode.setAttribute("aria-label", label);
    bell.dataset.unread = String(unread);
  }

  function toastRegion() {
    if (!toasts) {
      toasts = document.createElement("div");
      toasts.id = "notify-toasts";
      toasts.className = "toasts";
      toasts.setAttribute("aria-live", "polite");
      toasts.setAttribute("role", "status");
      document.body.appendChild(toasts);
    }
    return toasts;
  }

  function safeUrl(url) {
    // Only same-site paths: a notification never sends anyone elsewhere.
    return typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/" ? url : "/notifikasi/";
  }

  function showToast(notification) {
    var toast = document.createElement("div");
    toast.className = "toast";
    var title = document.createElement("strong");
    title.textContent = S.new;
    var link = document.createElement("a");
    link.href = safeUrl(notification.url);
    link.textContent = notification.text;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "icon-button toast-close";
    close.setAttribute("aria-label", S.close);
    close.textContent = "×";
    close.addEventListener("click", function () { toast.remove(); });
    toast.appendChild(title);
    toast.appendChild(link);
    toast.appendChild(close);
    var region = toastRegion();
    region.appendChild(toast);
    while (region.children.length > 3) { region.firstElementChild.remove(); }
    window.setTimeout(function () { toast.remove(); }, 10000);
  }

  function onNotification(notification) {
    if (!notification || typeof notification.id !== "number" || !sequence.accept(notification.id).fresh) { return; }
    if (notification.id <= countedUpTo) { return; }  // a replay of what the count holds
    countedUpTo = notification.id;
    if (notification.read) { return; }
    setCount(unread + 1);
    showToast(notification);
    inboxPrepend(notification);
  }

  // --- the inbox page -----------------------------------------------------------
  var inbox = document.getElementById("inbox-list");

  function markShownRead(ids, all) {
    if (!inbox) { return; }
    inbox.querySelectorAll("li.inbox-item.unread").forEach(function (li) {
      if (all || ids.indexOf(Number(li.dataset.id)) !== -1) {
        li.classList.remove("unread");
        var form = li.querySelector("form.mark-read, form[data-mark-read]");
        if (form) { form.remove(); }
      }
    });
  }

  function inboxPrepend(notification) {
    // Only the first page lists the newest; later pages stay as they are.
    if (!inbox || /[?&]page=(?!1(&|$))/.test(window.location.search)) { return; }
    var empty = document.getElementById("inbox-empty");
    if (empty) { empty.hidden = true; }
    var li = document.createElement("li");
    li.className = "inbox-item unread";
    li.dataset.id = String(notification.id);
    var link = document.createElement("a");
    link.className = "inbox-text";
    link.href = safeUrl(notification.url);
    link.textContent = notification.text;
    li.appendChild(link);
    var form = document.createElement("form");
    form.method = "post";
    form.action = inbox.dataset.markReadUrl || "/notifikasi/baca/";
    form.className = "inline-form mark-read";
    form.dataset.markRead = "";
    var ids = document.createElement("input");
    ids.type = "hidden";
    ids.name = "ids";
    ids.value = String(notification.id);
    var button = document.createElement("button");
    button.type = "submit";
    button.className = "link-button";
    button.textContent = S.mark_read;
    form.appendChild(ids);
    form.appendChild(button);
    li.appendChild(form);
    inbox.insertBefore(li, inbox.firstChild);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) { return; }
    var path = new URL(form.action, window.location.href).pathname;
    var isOne = form.hasAttribute("data-mark-read") || /\/notifikasi\/baca\/$/.test(path);
    var isAll = /\/notifikasi\/baca-semua\/$/.test(path);
    if (!isOne && !isAll) { return; }
    event.preventDefault();
    var data = new FormData(form);
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; }
    postJSON(form.action, data).then(function (reply) {
      setCount(reply.unread);
      markShownRead(data.getAll("ids").map(Number), isAll);
    }).catch(function () {
      if (button) {
        button.disabled = false;
        button.title = S.mark_failed;
      }
      showToast({ text: S.mark_failed, url: window.location.pathname });
    });
  });

  // --- frames from the hub ---------------------------------------------------------
  var channel = getHub().channel(topic, { since: function () { return sequence.since(); } });
  channel.on("joined", function (frame) {
    if (typeof frame.unread === "number") { setCount(frame.unread); }
    // The count just read includes everything up to the replay's newest id.
    countedUpTo = Math.max(countedUpTo, frame.last_id || 0);
  });
  channel.on("notification", function (frame) { onNotification(frame.notification); });
  channel.on("notification.read", function (frame) {
    setCount(frame.unread);
    markShownRead(frame.ids || [], Boolean(frame.all));
  });
  setCount(unread);
  toastRegion();  // a live region is heard only if it is there before its content
}

var bellNode = document.getElementById("notify-bell");
var countNode = document.getElementById("notify-count");
var strings = readConfig("notify-config");
if (bellNode && countNode && strings) { start(bellNode, countNode, strings); }
// Messages kept for a room (outbox.js) belong to one user: a page of another
// user drops them, and so does signing out (shared browsers).
if (bellNode) { forgetOutboxes(localStore(), bellNode.dataset.userId); }
document.addEventListener("submit", (event) => {
  if (event.target.matches("form[data-sign-out]")) { forgetOutboxes(localStore(), null); }
});
