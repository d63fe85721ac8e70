/* Small helpers shared by the page scripts (room.js, notify.js, console.js).
 *
 * Safety: el() sets text through textContent only; postJSON() sends the
 * page's CSRF token (from any {% csrf_token %} field: every signed-in page
 * has the sign-out form) and same-origin cookies only.
 */
(function () {
  "use strict";

  /** "{name} wrote" + {name: "Siti"} -> "Siti wrote"; unknown keys stay. */
  function fmt(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (all, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : all;
    });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function excerpt(text, length) {
    var flat = (text || "").replace(/\s+/g, " ").trim();
    return flat.length > length ? flat.slice(0, length - 1) + "…" : flat;
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  /** POST `body` (an object: sent as JSON; FormData: sent as a form) and
   * resolve with the JSON reply; reject with {code, detail} (code "network"
   * when the server was not reached or said nothing parseable). */
  function postJSON(url, body) {
    var headers = { "Accept": "application/json", "X-CSRFToken": csrfToken() };
    var isForm = typeof FormData !== "undefined" && body instanceof FormData;
    if (!isForm) { headers["Content-Type"] = "application/json"; }
    return window.fetch(url, {
      method: "POST", credentials: "same-origin", headers: headers, body: isForm ? body : JSON.stringify(body),
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) { throw { code: data.code || "network", detail: data.detail, status: response.status }; }
        return data;
      });
    }, function () { throw { code: "network" }; });
  }

  window.BalaiUI = { fmt: fmt, el: el, excerpt: excerpt, csrfToken: csrfToken, postJSON: postJSON };
})();
