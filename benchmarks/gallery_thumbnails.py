"""Montage of the gallery thumbnails after a docs build: benchmarks/results/gallery_thumbnails.png.

Run after ``sphinx-build docs docs/_build`` (which writes docs/auto_examples/images/thumb/)::

    python benchmarks/gallery_thumbnails.py
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.image as mpimg  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
THUMBS = ROOT / "docs" / "auto_examples" / "images" / "thumb"
OUT = ROOT / "benchmarks" / "results" / "gallery_thumbnails.png"


def main(columns: int = 4) -> Path:
    files = sorted(THUMBS.glob("sphx_glr_plot_*_thumb.png"))
    if not files:
        raise SystemExit(f"no thumbnails in {THUMBS}: build the docs first")
    rows = math.ceil(len(files) / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(4 * columns, 3.1 * rows))
    for ax in axes.ravel():
        ax.axis("off")
    for ax, path in zip(axes.ravel(), files, strict=False):
        ax.imshow(mpimg.imread(path))
        name = path.name.removeprefix("sphx_glr_").removesuffix("_thumb.png")
        ax.set_title(name, fontsize=9)
    fig.suptitle(f"diffusion-regimes gallery: {len(files)} examples", fontsize=12)
    fig.tight_layout()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(OUT, dpi=110)
    return OUT


if __name__ == "__main__":
    print(main())
