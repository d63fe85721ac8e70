/* Where this tab is in one topic's stream of ids and revisions
 * (docs/protocol.md, "Ids"). Pure: no DOM, no socket, no timers — the page
 * asks it and acts (tests/frontend/js/ runs it in a real browser).
 *
 * Two kinds of topic, as on the server (`contiguous_ids` of a topic kind):
 *   - contiguous (rooms): ids are gap-free, so an id at or below the last one
 *     is a repeat, and a jump means ids were missed — a gap, kept until it is
 *     filled from `history`;
 *   - not contiguous (notifications: global ids, and a join replays the last
 *     30 s before `since`): repeats are recognised by the ids seen.
 *
 * Revisions (rooms): `since_rev` for a join is the highest `rev` seen on a
 * frame. Only frames count, never `joined.last_rev`: the changes replayed
 * after a `joined` may not all arrive before the socket drops again.
 */
export class Sequence {
  constructor({ contiguous = true } = {}) {
    this.contiguous = contiguous;
    this.lastId = null;   // highest id received live or in a replay
    this.lastRev = null;  // highest revision received
    this.gaps = [];       // [{from, to}] ids missed (inclusive), oldest first
    this.seen = contiguous ? null : new Set();
  }

  /** `since` for the next join: the last id, or null for "the latest". */
  since() {
    return this.lastId;
  }

  /** `since_rev` for the next join, or null when nothing was seen. */
  sinceRev() {
    return this.lastRev;
  }

  /** An id arriving live or in a join's replay. Returns {fresh, gap}: fresh
   * is false for a repeat (drop it); gap is the range {from, to} this id
   * just revealed as missed, or null. */
  accept(id) {
    if (!this.contiguous) {
      const fresh = !this.seen.has(id);
      this.seen.add(id);
      if (this.lastId === null || id > this.lastId) { this.lastId = id; }
      return { fresh, gap: null };
    }
    if (this.lastId !== null && id <= this.lastId) { return { fresh: false, gap: null }; }
    let gap = null;
    if (this.lastId !== null && id > this.lastId + 1) {
      gap = { from: this.lastId + 1, to: id - 1 };
      this.gaps.push(gap);
    }
    this.lastId = id;
    return { fresh: true, gap };
  }

  /** Ids `from`..`to` (inclusive) arrived from `history`: no longer missed. */
  filled(from, to) {
    const left = [];
    this.gaps.forEach((gap) => {
      if (to < gap.from || from > gap.to) {
        left.push(gap);
        return;
      }
      if (gap.from < from) { left.push({ from: gap.from, to: from - 1 }); }
      if (gap.to > to) { left.push({ from: to + 1, to: gap.to }); }
    });
    this.gaps = left;
  }

  /** A frame's revision (`message.rev`, `message.deleted.rev`). */
  noteRev(rev) {
    if (typeof rev === "number" && (this.lastRev === null || rev > this.lastRev)) { this.lastRev = rev; }
  }
}

/** Whether a change carrying `incoming` revision should replace what is
 * shown at `known` (a replayed change may arrive after a newer live one). */
export function isNewer(known, incoming) {
  return typeof known !== "number" || typeof incoming !== "number" || incoming >= known;
}
