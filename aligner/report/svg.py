"""Inline SVG plots for the report: alignment path over a similarity grid, histograms.

Plots are drawn from figures the pipeline already computed; nothing here scores anything.
The SVG is inline (no ``xmlns`` URL, no external reference), so the page needs no network.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

HEATMAP_PX = 260
HISTOGRAM_WIDTH = 300
HISTOGRAM_HEIGHT = 120


def _fmt(value: float) -> str:
    """A coordinate with at most three decimals and no trailing zeros.

    >>> _fmt(1.0), _fmt(0.33333), _fmt(2.5)
    ('1', '0.333', '2.5')
    """
    return f"{value:.3f}".rstrip("0").rstrip(".")


def cell_colour(percent: int) -> str:
    """Heatmap colour of a similarity in percent: white for 0, deep blue for 100.

    >>> cell_colour(0), cell_colour(100)
    ('hsl(214,70%,98%)', 'hsl(214,70%,38%)')
    """
    lightness = 98 - round(max(0, min(100, percent)) * 0.6)
    return f"hsl(214,70%,{lightness}%)"


def alignment_plot(beads: Sequence[Mapping[str, Any]], n_src: int, n_tgt: int,
                   similarity: Mapping[str, Any] | None = None) -> str:
    """The alignment path (bead boxes joined by a line) over the sentence similarity grid.

    Rows are source sentences, columns target sentences. Without a similarity grid the boxes
    are filled by bead confidence instead. Null beads (omissions) are red marks on an edge.
    """
    width = max(n_tgt, 1)
    height = max(n_src, 1)
    parts = [f'<svg class="path-plot" role="img" viewBox="0 0 {width} {height}" '
             f'width="{HEATMAP_PX}" height="{HEATMAP_PX}" preserveAspectRatio="none">',
             f'<title>alignment path: {n_src} source x {n_tgt} target sentences</title>',
             f'<rect x="0" y="0" width="{width}" height="{height}" fill="#fafafa"/>']
    if similarity:
        parts.extend(_grid_cells(similarity, n_src, n_tgt))
    parts.extend(_bead_boxes(beads, filled=not similarity))
    parts.append(_path_line(beads))
    parts.append("</svg>")
    return "".join(parts)


def _grid_cells(similarity: Mapping[str, Any], n_src: int, n_tgt: int) -> list[str]:
    cells: list[list[int]] = similarity["cells"]
    rows = len(cells)
    cols = len(cells[0]) if rows else 0
    row_h = n_src / rows if rows else 0
    col_w = n_tgt / cols if cols else 0
    # every cell of a row shares its y and height, of a column its x and width: formatted once
    xs = [f'<rect x="{_fmt(c * col_w)}" y="' for c in range(cols)]
    ys = [f'{_fmt(r * row_h)}" width="{_fmt(col_w)}" height="{_fmt(row_h)}" fill="'
          for r in range(rows)]
    colours = {value: cell_colour(value) for row in cells for value in row}
    return [f'{xs[c]}{ys[r]}{colours[value]}"/>'
            for r, row in enumerate(cells) for c, value in enumerate(row)]


def _bead_boxes(beads: Sequence[Mapping[str, Any]], filled: bool) -> list[str]:
    boxes = []
    for bead in beads:
        x, y, w, h = _bead_box(bead)
        null = not bead["src"] or not bead["tgt"]
        stroke = "#c62828" if null or bead.get("doubtful") else "#e65100"
        fill = cell_colour(round(100 * bead["confidence"])) if filled and not null else "none"
        boxes.append(f'<rect class="bead" x="{_fmt(x)}" y="{_fmt(y)}" width="{_fmt(w)}" '
                     f'height="{_fmt(h)}" fill="{fill}" stroke="{stroke}" stroke-width="1.5" '
                     f'vector-effect="non-scaling-stroke"><title>{escape(bead["type"])} '
                     f'confidence {bead["confidence"]:.2f}</title></rect>')
    return boxes


def _bead_box(bead: Mapping[str, Any]) -> tuple[float, float, float, float]:
    """Box of a bead in sentence coordinates; a null bead gets a thin box on its side."""
    src, tgt = bead["src"], bead["tgt"]
    thin = 0.25
    x = tgt[0] if tgt else bead.get("tgt_position", 0)
    y = src[0] if src else bead.get("src_position", 0)
    return float(x), float(y), float(len(tgt) or thin), float(len(src) or thin)


def _path_line(beads: Sequence[Mapping[str, Any]]) -> str:
    points = []
    for bead in beads:
        if bead["src"] and bead["tgt"]:
            x, y, w, h = _bead_box(bead)
            points.append(f"{_fmt(x + w / 2)},{_fmt(y + h / 2)}")
    if len(points) < 2:
        return ""
    return (f'<polyline points="{" ".join(points)}" fill="none" stroke="#e65100" '
            f'stroke-width="1" stroke-dasharray="3 2" vector-effect="non-scaling-stroke"/>')


def histogram_plot(histogram: Mapping[str, Any], label: str) -> str:
    """Bars of a histogram ``{"edges": [...], "counts": [...]}`` with its axis range.

    >>> svg = histogram_plot({"edges": [0, 0.5, 1], "counts": [1, 3]}, "confidence")
    >>> svg.count('class="bar"')
    2
    """
    counts: list[int] = histogram["counts"]
    edges: list[float] = histogram["edges"]
    peak = max(counts) if counts and max(counts) > 0 else 1
    bar_w = HISTOGRAM_WIDTH / max(len(counts), 1)
    plot_h = HISTOGRAM_HEIGHT - 18
    parts = [f'<svg class="histogram" role="img" width="{HISTOGRAM_WIDTH}" '
             f'height="{HISTOGRAM_HEIGHT}" viewBox="0 0 {HISTOGRAM_WIDTH} {HISTOGRAM_HEIGHT}">',
             f"<title>{escape(label)}</title>"]
    for i, count in enumerate(counts):
        bar_h = plot_h * count / peak
        parts.append(f'<rect class="bar" x="{_fmt(i * bar_w + 1)}" y="{_fmt(plot_h - bar_h)}" '
                     f'width="{_fmt(max(bar_w - 2, 1))}" height="{_fmt(bar_h)}" fill="#1565c0">'
                     f"<title>{_fmt(edges[i])}-{_fmt(edges[i + 1])}: {count}</title></rect>")
    parts.append(f'<text x="0" y="{HISTOGRAM_HEIGHT - 4}" font-size="11">{_fmt(edges[0])}</text>')
    parts.append(f'<text x="{HISTOGRAM_WIDTH}" y="{HISTOGRAM_HEIGHT - 4}" font-size="11" '
                 f'text-anchor="end">{_fmt(edges[-1])}</text>')
    parts.append(f'<text x="{HISTOGRAM_WIDTH / 2}" y="{HISTOGRAM_HEIGHT - 4}" font-size="11" '
                 f'text-anchor="middle">{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)
