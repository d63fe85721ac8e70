/* Listeners by type: on(type, fn) returns the function that removes it. */
export class Listeners {
  constructor() { this.byType = new Map(); }

  on(type, fn) {
    if (!this.byType.has(type)) { this.byType.set(type, new Set()); }
    this.byType.get(type).add(fn);
    return () => this.byType.get(type).delete(fn);
  }

  emit(type, value) {
    const listeners = this.byType.get(type);
    if (listeners) { [...listeners].forEach((fn) => fn(value)); }
  }
}
