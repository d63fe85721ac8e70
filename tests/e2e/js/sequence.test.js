/* sequence.js: ids, repeats, gaps and revisions of one topic. */
import { Sequence, isNewer } from "/static/frontend/js/sequence.js";
import { assertEqual, test } from "./harness.js";

test("the first id is fresh and no gap, whatever it is (a first join brings the latest)", () => {
  const seq = new Sequence();
  assertEqual(seq.since(), null, "since before anything");
  assertEqual(seq.accept(11), { fresh: true, gap: null });
  assertEqual(seq.accept(12), { fresh: true, gap: null });
  assertEqual(seq.since(), 12, "since");
  assertEqual(seq.gaps, [], "gaps");
});

test("a repeated or older id is dropped and leaves the last id alone", () => {
  const seq = new Sequence();
  [1, 2, 3].forEach((id) => seq.accept(id));
  assertEqual(seq.accept(3).fresh, false, "same id again");
  assertEqual(seq.accept(2).fresh, false, "an older id");
  assertEqual(seq.since(), 3, "since");
  assertEqual(seq.accept(4).fresh, true, "the next id");
});

test("a jump in ids is a gap, kept until history fills it", () => {
  const seq = new Sequence();
  seq.accept(41);
  assertEqual(seq.accept(300), { fresh: true, gap: { from: 42, to: 299 } });
  assertEqual(seq.since(), 300, "since continues after the jump");
  seq.filled(200, 299);  // one history page, newest first
  assertEqual(seq.gaps, [{ from: 42, to: 199 }], "after the first page");
  seq.filled(42, 199);
  assertEqual(seq.gaps, [], "after the last page");
});

test("filling the middle of a gap leaves both ends missing", () => {
  const seq = new Sequence();
  seq.accept(1);
  seq.accept(10);
  seq.filled(4, 6);
  assertEqual(seq.gaps, [{ from: 2, to: 3 }, { from: 7, to: 9 }]);
});

test("ids that are not contiguous: repeats by id, no gaps", () => {
  const seq = new Sequence({ contiguous: false });
  assertEqual(seq.accept(1190).fresh, true, "first");
  assertEqual(seq.accept(1187).fresh, true, "an older id not seen yet (replay of the last 30 s)");
  assertEqual(seq.accept(1190).fresh, false, "a repeat");
  assertEqual(seq.accept(1500), { fresh: true, gap: null }, "a jump is no gap");
  assertEqual(seq.since(), 1500, "since is the highest");
});

test("since_rev is the highest revision seen on a frame", () => {
  const seq = new Sequence();
  assertEqual(seq.sinceRev(), null, "nothing seen");
  seq.noteRev(60);
  seq.noteRev(58);  // an older change replayed late
  seq.noteRev(undefined);  // a frame without a revision
  assertEqual(seq.sinceRev(), 60, "the highest");
  seq.noteRev(62);
  assertEqual(seq.sinceRev(), 62, "a newer one");
});

test("a change older than what is shown does not replace it", () => {
  assertEqual(isNewer(61, 62), true, "newer");
  assertEqual(isNewer(61, 61), true, "the same revision again");
  assertEqual(isNewer(62, 61), false, "older");
  assertEqual(isNewer(undefined, 5), true, "nothing known");
});
