"""TMX I/O: stream-write and stream-read a million units; speed, peak memory, flat memory.

Units are real sentence pairs (the seed pair 000/002 in ``corpus/``, line by line), made
unique by a counter, with the seven props ``aligner.export`` writes. Phases:

* write: :class:`tmx.TmxWriter` with ``--duplicates none`` (nothing remembered: memory must
  stay flat) and with the default ``pairs`` (a 16-byte digest per unit is remembered);
* write with markup: the same units with TMX level-2 inline markup on both sides (a bold
  first word as ``bpt``/``ept``, an italic run, a ``ph`` image: 5 inline elements a segment),
  and reading them back;
* read: :func:`tmx.read_units` over the file just written (streaming iterparse);
* validate: :func:`tmx.validate` (DTD per unit) on the first ``--validate-units`` units;
* baseline: translate-toolkit's ``tmxfile`` writer (builds the whole tree, then serialises)
  on ``--baseline-units`` units, scaled per unit.

Speeds are units per second of CPU time of this process (one core; the machine is shared, so
wall time is shown too); "net" subtracts the time spent making the units (measured
alone). Memory is the process RSS above the start, sampled at several sizes.
Target: write >= 50,000 units/s on one core, with markup too; memory flat as the file grows.

    python benchmarks/tmx_io.py --quick        # 100k units
    python benchmarks/tmx_io.py                # 1M units
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tmx import Inline, TmxHeader, TmxUnit, TmxWriter, read_units, validate  # noqa: E402

WRITE_TARGET = 50_000
MB = 2**20


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="100k units instead of 1M")
    parser.add_argument("--units", type=int, default=None, help="units to write and read")
    parser.add_argument("--baseline-units", type=int, default=None,
                        help="units for translate-toolkit's writer (default 20k; 10k quick)")
    parser.add_argument("--validate-units", type=int, default=None,
                        help="units to validate (default 100k; 20k quick)")
    parser.add_argument("--json", type=Path, default=None, help="also write the rows as JSON")
    return parser.parse_args(argv)


def sentence_pairs() -> list[tuple[str, str]]:
    """Non-empty line pairs of the seed documents 000 (ru) and 002 (en)."""
    def lines(pattern: str) -> list[str]:
        path = next((ROOT / "corpus").glob(pattern))
        return [line.strip() for line in path.read_text(encoding="utf-8").splitlines()
                if len(line.strip()) > 20]
    return list(zip(lines("000_*.txt"), lines("002_*.txt")))


def make_units(count: int, pairs: list[tuple[str, str]]) -> Iterator[TmxUnit]:
    for index, (source, target) in zip(range(count), itertools.cycle(pairs)):
        yield TmxUnit(f"{source} {index}", f"{target} {index}", "ru", "en", props=(
            ("x-align-score", f"{(index % 1000) / 1000:.4f}"), ("x-bead-type", "1-1"),
            ("x-src-doc", "000_63edd8b27567c1c6"), ("x-tgt-doc", "002_1775d5543770e237"),
            ("x-src-idx", str(index)), ("x-tgt-idx", str(index)), ("x-mt-chrf", "55.20")),
            tuid=f"000_63edd8b27567c1c6:{index}")


def _marked_up(text: str) -> tuple[str | Inline, ...]:
    """``text`` with its first word bold, its middle italic and an image at the end."""
    first, _, rest = text.partition(" ")
    middle = len(rest) // 2
    return (Inline("bpt", (("i", "1"), ("x", "1"), ("type", "bold")), ("<b>",)), first,
            Inline("ept", (("i", "1"),), ("</b>",)), " " + rest[:middle],
            Inline("bpt", (("i", "2"), ("x", "2"), ("type", "italic")), ("<i>",)),
            rest[middle:], Inline("ept", (("i", "2"),), ("</i>",)), " ",
            Inline("ph", (("x", "3"), ("type", "image")), ('<img src="a.png"/>',)))


def make_markup_units(count: int, pairs: list[tuple[str, str]]) -> Iterator[TmxUnit]:
    """The units of :func:`make_units`, each side with 5 inline elements."""
    for unit in make_units(count, pairs):
        yield dataclasses.replace(unit, source_markup=_marked_up(unit.source),
                                  target_markup=_marked_up(unit.target))


class Meter:
    """CPU and wall time of a phase, with RSS (above a baseline) sampled at checkpoints."""

    def __init__(self, total: int) -> None:
        self.process = psutil.Process()
        self.checkpoints = {max(1, total * share // 100) for share in (10, 25, 50, 100)}
        self.samples: dict[int, float] = {}
        self.base = self.process.memory_info().rss

    def watch(self, items: Iterable[Any]) -> Iterator[Any]:
        for count, item in enumerate(items, 1):
            if count in self.checkpoints:
                self.samples[count] = (self.process.memory_info().rss - self.base) / MB
            yield item

    def run(self, work: Callable[[], int]) -> dict[str, Any]:
        cpu, wall = time.process_time(), time.perf_counter()
        count = work()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        if not self.samples:  # the phase streamed nothing through watch(): sample at the end
            self.samples[count] = (self.process.memory_info().rss - self.base) / MB
        return {"units": count, "cpu_s": round(cpu, 2), "wall_s": round(wall, 2),
                "units_per_s": round(count / cpu) if cpu else None,
                "rss_mb_at": {n: round(mb, 1) for n, mb in sorted(self.samples.items())},
                "peak_rss_mb": round(max(self.samples.values(), default=0.0), 1)}


Maker = Callable[[int, list[tuple[str, str]]], Iterator[TmxUnit]]


def generate_phase(count: int, pairs: list[tuple[str, str]],
                   maker: Maker = make_units) -> dict[str, Any]:
    """Only making the units: its CPU time is subtracted to give the writer's own speed."""
    meter = Meter(count)
    return meter.run(lambda: sum(1 for _ in meter.watch(maker(count, pairs))))


def write_phase(path: Path, count: int, pairs: list[tuple[str, str]],
                duplicates: str, maker: Maker = make_units) -> dict[str, Any]:
    meter = Meter(count)
    header = TmxHeader(srclang="ru", creationtool="tmx-benchmark")

    def work() -> int:
        with open(path, "wb") as handle, TmxWriter(handle, header,
                                                   duplicates=duplicates) as writer:
            writer.write_all(meter.watch(maker(count, pairs)))
        return writer.stats.written
    row = meter.run(work)
    row["file_mb"] = round(path.stat().st_size / MB, 1)
    return row


def read_phase(path: Path, count: int) -> dict[str, Any]:
    meter = Meter(count)
    return meter.run(lambda: sum(1 for _ in meter.watch(read_units(path))))


def validate_phase(path: Path, count: int, pairs: list[tuple[str, str]]) -> dict[str, Any]:
    write_phase(path, count, pairs, "none")
    meter = Meter(count)

    def work() -> int:
        report = validate(path)
        if not report.ok:
            raise SystemExit(f"benchmark file invalid: {report.errors[:3]}")
        return report.units
    return meter.run(work)


def baseline_phase(path: Path, count: int, pairs: list[tuple[str, str]]) -> dict[str, Any]:
    from translate.storage.tmx import tmxfile

    meter = Meter(count)

    def work() -> int:
        store = tmxfile(sourcelanguage="ru", targetlanguage="en")
        for unit in meter.watch(make_units(count, pairs)):
            tm_unit = store.addsourceunit(unit.source)
            tm_unit.target = unit.target
            tm_unit.setid(unit.tuid)
            for key, value in unit.props:  # props as notes: tmxunit has no prop API
                tm_unit.addnote(f"{key}={value}", origin="translator")
        path.write_bytes(bytes(store))
        return count
    return meter.run(work)


MAKE = "make units only (subtracted)"
MAKE_MARKUP = "make markup units (subtracted)"


def net_speeds(rows: dict[str, dict[str, Any]]) -> None:
    """Units/s of each writer without the time spent making the units it was given."""
    per_unit = {name: rows[name]["cpu_s"] / rows[name]["units"] for name in (MAKE, MAKE_MARKUP)}
    for name, row in rows.items():
        if name in per_unit:
            continue
        maker = MAKE_MARKUP if "markup" in name else MAKE
        uses_generator = name.startswith(("write", "baseline"))
        cpu = row["cpu_s"] - per_unit[maker] * row["units"] if uses_generator else row["cpu_s"]
        row["net_units_per_s"] = round(row["units"] / cpu) if cpu > 0 else None


def print_table(rows: dict[str, dict[str, Any]]) -> None:
    print(f"{'phase':<30}{'units':>10}{'units/s cpu':>13}{'net units/s':>13}{'wall s':>8}"
          f"{'peak MB':>9}  RSS MB above start, at N units")
    for name, row in rows.items():
        samples = "  ".join(f"{n:,}:{mb}" for n, mb in row["rss_mb_at"].items())
        speed, net = (f"{row[key]:,}" if row.get(key) else "-"
                      for key in ("units_per_s", "net_units_per_s"))
        print(f"{name:<30}{row['units']:>10,}{speed:>13}{net:>13}{row['wall_s']:>8}"
              f"{row['peak_rss_mb']:>9}  {samples}")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    units = args.units or (100_000 if args.quick else 1_000_000)
    baseline_units = args.baseline_units or (10_000 if args.quick else 20_000)
    validate_units = args.validate_units or (20_000 if args.quick else 100_000)
    pairs = sentence_pairs()
    rows: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="tmx-bench-") as folder:
        path = Path(folder) / "bench.tmx"
        rows[MAKE] = generate_phase(units, pairs)
        rows[MAKE_MARKUP] = generate_phase(units, pairs, make_markup_units)
        rows["write (duplicates=none)"] = write_phase(path, units, pairs, "none")
        rows["read"] = read_phase(path, units)
        rows["write markup (duplicates=none)"] = write_phase(path, units, pairs, "none",
                                                             make_markup_units)
        rows["read markup"] = read_phase(path, units)
        rows["write (duplicates=pairs)"] = write_phase(path, units, pairs, "pairs")
        rows["validate (DTD per unit)"] = validate_phase(path, validate_units, pairs)
        rows["baseline: translate-toolkit"] = baseline_phase(path, baseline_units, pairs)
    net_speeds(rows)
    print_table(rows)
    ours = rows["write (duplicates=none)"]
    baseline = rows["baseline: translate-toolkit"]
    ratio = ours["net_units_per_s"] / baseline["net_units_per_s"]
    per_unit = {name: round(row["peak_rss_mb"] * MB / row["units"]) for name, row in rows.items()}
    print(f"\nwrite speed vs translate-toolkit (per unit, same run): {ratio:.1f}x")
    print("peak RSS bytes per unit: " + ", ".join(f"{k}: {v}" for k, v in per_unit.items()))
    for name in ("write (duplicates=none)", "write markup (duplicates=none)"):
        row = rows[name]
        verdict = "PASS" if row["net_units_per_s"] >= WRITE_TARGET else "BELOW TARGET"
        print(f"target {name} >= {WRITE_TARGET:,} units/s on one core (writer alone): "
              f"{row['net_units_per_s']:,} -> {verdict}; with making the units: "
              f"{row['units_per_s']:,}")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "write_vs_ttk": ratio}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
