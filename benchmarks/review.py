"""``aligner review`` speed: opening a large run, and realigning a 1,000-sentence pair.

Open: :class:`Workspace` over a finished run folder (``--run OUT``), then everything the page
asks for first (summary, queue with its estimate, the first page of pairs, the first pair's
first page of beads); then one edit and a save (reviewed file, the pair's TMX, corpus.tmx and
the report rewritten from the run's files).

Realign: a 1,000-sentence ru-en pair made of whole WMT22 documents (``split_perturbed``:
omissions and merged lines), aligned once (which also warms the embedding cache). A bead in
the middle is then shifted (``a-x b-y c-z`` -> ``a- b-x c-y -z``) and repaired as a person
would (the target sentence moved up), and the realignment around the fix is timed against
aligning the whole pair again (both with one BLAS thread, as realign runs), in alternating
runs of the same process; wall and CPU seconds.

    python benchmarks/review.py --run out/            # both
    python benchmarks/review.py                       # realign only
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from threadpoolctl import threadpool_limits

from aligner.alignment import AlignConfig, align_sentences
from aligner.records import Alignment, Bead
from aligner.review import model
from aligner.review.model import PairReview
from aligner.review.realign import realign
from aligner.review.workspace import Workspace

SENTENCES = 1000


def timed(function, *args, **kwargs):
    """Wall seconds, CPU seconds of this process, and the result."""
    started, cpu = time.perf_counter(), time.process_time()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, time.process_time() - cpu, result


class CountingAligner:
    """``align_sentences``, counting the calls and the source sentences they aligned."""

    def __init__(self) -> None:
        self.calls = self.sentences = 0

    def __call__(self, src, tgt, config=None):
        self.calls += 1
        self.sentences += len(src)
        return align_sentences(src, tgt, config)


def open_run(run: Path) -> dict[str, float]:
    def first_pages() -> Workspace:
        workspace = Workspace.open(run)
        workspace.summary()
        workspace.queue(0, 10, 20)
        first = workspace.pairs_page(0, 50)["pairs"][0]["key"]
        workspace.pair_page(first, 0, 200)
        return workspace

    seconds = []
    for _ in range(3):
        elapsed, _, workspace = timed(first_pages)
        seconds.append(elapsed)
    key = workspace.order[0]
    workspace.edit(key, {"op": "confirm", "version": 0, "bead": 0}, 0, 200)
    save_seconds, _, _ = timed(workspace.save)
    figures = workspace.summary()
    return {"pairs": figures["pairs"], "beads": figures["beads"],
            "open_median": statistics.median(seconds), "open_max": max(seconds),
            "save": save_seconds}


def thousand_sentences(shared: Path) -> tuple[list[str], list[str]]:
    folder = shared / "data" / "wmt22-ruen" / "split_perturbed"
    src: list[str] = []
    tgt: list[str] = []
    for path in sorted(folder.glob("doc*.ru")):
        src += path.read_text(encoding="utf-8").splitlines()
        tgt += path.with_suffix(".en").read_text(encoding="utf-8").splitlines()
        if len(src) >= SENTENCES:
            return src, tgt
    raise SystemExit(f"{folder}: fewer than {SENTENCES} sentences")


def shifted_and_repaired(machine: PairReview) -> PairReview:
    """The shift mistake in the middle, repaired by moving one target sentence up."""
    beads = list(machine.beads)
    k = next(k for k in range(len(beads) // 2, len(beads) - 3)
             if all(bead.type == "1-1" for bead in beads[k:k + 3]))
    a, b, c = beads[k:k + 3]
    wrong = [Bead(a.src, (), 0.4), Bead(b.src, a.tgt, 0.08), Bead(c.src, b.tgt, 0.3),
             Bead((), c.tgt, 0.3)]
    shifted = model.with_beads(machine, k, k + 3, wrong, ("machine",) * 4, (None,) * 4,
                               (True,) * 4)
    return model.move(shifted, k + 1, "tgt", a.tgt[0], "up")


def realign_pair(shared: Path, rounds: int) -> dict[str, float]:
    src, tgt = thousand_sentences(shared)
    config = AlignConfig(src_lang="ru", tgt_lang="en")
    beads = align_sentences(src, tgt, config)  # warms the embedding cache
    alignment = Alignment("ru", "en", "ru", "en", tuple(src), tuple(tgt), tuple(beads))
    machine = PairReview.from_machine("ru__en", alignment)
    repaired = shifted_and_repaired(machine)
    around, whole, around_cpu, whole_cpu = [], [], [], []
    counter = CountingAligner()
    for _ in range(rounds):  # alternating, so both see the same machine load
        elapsed, cpu, result = timed(realign, repaired, config, aligner=counter)
        around.append(elapsed)
        around_cpu.append(cpu)
        with threadpool_limits(limits=1, user_api="blas"):  # as realign runs
            elapsed, cpu, _ = timed(align_sentences, src, tgt, config)
        whole.append(elapsed)
        whole_cpu.append(cpu)
    restored = [(b.src, b.tgt) for b in result.beads] == [(b.src, b.tgt) for b in beads]
    return {"sentences": len(src), "target_sentences": len(tgt),
            "realign_median": statistics.median(around), "realign_max": max(around),
            "realign_cpu": statistics.median(around_cpu),
            "whole_median": statistics.median(whole), "whole_cpu": statistics.median(whole_cpu),
            "calls": counter.calls / rounds, "realigned": counter.sentences / rounds,
            "restored": restored}


def main() -> None:
    from common import benchmark_parser

    parser = benchmark_parser(__doc__)
    parser.add_argument("--run", type=Path, help="a finished run folder to open")
    parser.add_argument("--rounds", type=int, default=5, help="timed realignments")
    args = parser.parse_args()
    if args.run:
        opened = open_run(args.run)
        print(f"open {args.run}: {opened['pairs']} pairs, {opened['beads']} beads: "
              f"median {opened['open_median']:.2f} s (max {opened['open_max']:.2f} s); "
              f"one edit saved (review, pair TMX, corpus.tmx, report) in "
              f"{opened['save']:.2f} s")
    figures = realign_pair(args.shared, args.rounds)
    print(f"realign around one fix in a {figures['sentences']}x{figures['target_sentences']}"
          f"-sentence pair: median {figures['realign_median']:.3f} s wall, "
          f"{figures['realign_cpu']:.3f} s CPU (max {figures['realign_max']:.3f} s wall; "
          f"{figures['calls']:.0f} aligner calls over {figures['realigned']:.0f} source "
          f"sentences); aligning the whole pair again: median {figures['whole_median']:.3f} s "
          f"wall, {figures['whole_cpu']:.3f} s CPU; ratio (wall) "
          f"{figures['realign_median'] / figures['whole_median']:.3f}; machine alignment "
          f"restored: {'yes' if figures['restored'] else 'no'}")


if __name__ == "__main__":
    main()
