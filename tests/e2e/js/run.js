import { run } from "./harness.js";

const module = new URLSearchParams(window.location.search).get("module");
try {
  if (!/^[a-z_]+\.test\.js$/.test(module || "")) { throw new Error("?module=<name>.test.js is required"); }
  await import("./" + module);
  await run();
} catch (err) {
  window.__results = { done: true, results: [{ name: "load " + module, ok: false, error: String(err.stack || err) }] };
}
