/* Small helpers shared by the page modules (room.js, notify.js, console.js).
 *
 * Safety: el() sets text through textContent only; postJSON() sends the
 * page's CSRF token (from any {% csrf_token %} field: every signed-in page
 * has the sign-out form) and same-origin cookies only.
 */

/** "{name} wrote" + {name: "Siti"} -> "Siti wrote"; unknown keys stay. */
export function fmt(template, values) {
  return String(template).replace(/\{(\w+)\}/g, (all, key) =>
    (Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : all));
}

export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) { node.className = className; }
  if (text !== undefined && text !== null) { node.textContent = text; }
  return node;
}

export function excerpt(text, length) {
  const flat = (text || "").replace(/\s+/g, " ").trim();
  return flat.length > length ? flat.slice(0, length - 1) + "…" : flat;
}

export function csrfToken() {
  const input = document.querySelector("input[name=csrfmiddlewaretoken]");
  return input ? input.value : "";
}

/** The JSON a template handed over with `json_script` (null when absent). */
export function readConfig(id) {
  const node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : null;
}

/** POST `body` (an object: sent as JSON; FormData: sent as a form) and
 * resolve with the JSON reply; reject with {code, detail} (code "network"
 * when the server was not reached or said nothing parseable). */
export function postJSON(url, body) {
  const headers = { "Accept": "application/json", "X-CSRFToken": csrfToken() };
  const isForm = typeof FormData !== "undefined" && body instanceof FormData;
  if (!isForm) { headers["Content-Type"] = "application/json"; }
  return window.fetch(url, {
    method: "POST", credentials: "same-origin", headers, body: isForm ? body : JSON.stringify(body),
  }).then((response) => response.json().catch(() => ({})).then((data) => {
    if (!response.ok) { throw { code: data.code || "network", detail: data.detail, status: response.status }; }
    return data;
  }), () => { throw { code: "network" }; });
}

/** The browser's localStorage, or null where it is disabled (it throws). */
export function localStore() {
  try {
    return window.localStorage;
  } catch (err) {
    return null;
  }
}

/** Drop the kept outboxes ("balai.outbox.<user>.<topic>", outbox.js) of
 * every user but `userId` (null: of everyone — signing out). */
export function forgetOutboxes(storage, userId) {
  try {
    for (let i = storage.length - 1; i >= 0; i--) {
      const key = storage.key(i);
      if (key && key.startsWith("balai.outbox.") && !key.startsWith("balai.outbox." + userId + ".")) {
        storage.removeItem(key);
      }
    }
  } catch (err) { /* no storage: nothing kept */ }
}
