"""Array backends of the Monte Carlo engine: numpy, torch and CuPy arrays, kept on their device.

The empirical-score kernel, the backward-SDE step, the cloning protocol and the estimators take
numpy arrays, torch tensors (CPU or GPU) or CuPy arrays; :func:`get_backend` picks the library and
the device from the arrays themselves, and every intermediate stays there.  Standard operations go
through the array-API namespace of the arrays (``array_api_compat.array_namespace`` when the package
``array-api-compat`` is installed; otherwise a small internal namespace covering the operations this
package uses, so that a machine with torch or CuPy but without array-api-compat runs the same code).
The few operations the array API does not standardise (in-place exponential, segment reductions,
device random numbers, TF32 matrix products) are methods of :class:`Backend`.

Precision: float64 (default) or float32 arrays; on CUDA devices ``tf32=True`` lets torch and CuPy
use TensorFloat-32 matrix products for the logits (about 8x the float32 rate on Hopper, with a
10-bit mantissa: the kernel then widens its round-off bound and recomputes the condensed rows
exactly, see :func:`validation.posterior_summary`).

Examples
--------
>>> import numpy as np
>>> be = get_backend(np.zeros((2, 3)))
>>> be.name, be.is_gpu
('numpy', False)
>>> be.to_numpy(be.xp.ones(2)).tolist()
[1.0, 1.0]

References
----------
Consortium for Python Data API Standards, "Python array API standard" (2023.12),
https://data-apis.org/array-api/; TensorFloat-32: NVIDIA A100 Tensor Core GPU Architecture
whitepaper (2020), p. 26.
"""

from __future__ import annotations

import contextlib
import math
from typing import Any

import numpy as np

__all__ = ["Backend", "get_backend", "to_numpy", "box_muller", "has_torch", "has_cupy"]

_GPU_CHUNK_BYTES = 512 * 2**20   # one B x chunk block of logits on a GPU (fewer, larger launches)
_CPU_CHUNK_BYTES = 32 * 2**20    # ... on a CPU (stays in the last-level cache's neighbourhood)


def has_torch() -> bool:
    """Whether torch can be imported.

    Returns
    -------
    bool
    """
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def has_cupy() -> bool:
    """Whether CuPy can be imported (and sees a GPU).

    Returns
    -------
    bool
    """
    try:
        import cupy
        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:                                         # noqa: BLE001 - any CUDA error
        return False


def _library(x) -> str:
    mod = type(x).__module__.split(".")[0]
    if mod == "torch":
        return "torch"
    if mod == "cupy":
        return "cupy"
    return "numpy"


class _TorchNamespace:
    """The array-API functions this package uses, for torch, when array-api-compat is missing."""

    def __init__(self):
        import torch

        self._t = torch
        self.float32, self.float64, self.int64, self.bool = (torch.float32, torch.float64,
                                                             torch.int64, torch.bool)
        for name in ("exp", "log", "sqrt", "isfinite", "where", "reshape", "searchsorted",
                     "tanh", "abs", "matmul", "log1p", "cos", "sin", "square"):
            setattr(self, name, getattr(torch, name))

    def asarray(self, x, dtype=None, device=None, copy=None):
        out = self._t.as_tensor(x, dtype=dtype, device=device)
        return out.clone() if copy else out

    def zeros(self, shape, dtype=None, device=None):
        return self._t.zeros(shape, dtype=dtype, device=device)

    def empty(self, shape, dtype=None, device=None):
        return self._t.empty(shape, dtype=dtype, device=device)

    def full(self, shape, fill_value, dtype=None, device=None):
        return self._t.full(shape if isinstance(shape, tuple) else (shape,), fill_value,
                            dtype=dtype, device=device)

    def arange(self, n, dtype=None, device=None):
        return self._t.arange(n, dtype=dtype, device=device)

    def astype(self, x, dtype, copy=True):
        return x.to(dtype, copy=copy)

    def sum(self, x, axis=None, dtype=None):
        return self._t.sum(x, dim=axis, dtype=dtype) if axis is not None else self._t.sum(x, dtype=dtype)

    def max(self, x, axis=None):
        return self._t.amax(x, dim=axis) if axis is not None else self._t.max(x)

    def min(self, x, axis=None):
        return self._t.amin(x, dim=axis) if axis is not None else self._t.min(x)

    def argmax(self, x, axis=None):
        return self._t.argmax(x, dim=axis)

    def maximum(self, a, b):
        if not isinstance(b, self._t.Tensor):
            return self._t.clamp_min(a, b)
        return self._t.maximum(a, b)

    def all(self, x):
        return self._t.all(x)

    def any(self, x):
        return self._t.any(x)

    def nonzero(self, x):
        return self._t.nonzero(x, as_tuple=True)

    def concat(self, arrays, axis=0):
        return self._t.cat(list(arrays), dim=axis)

    def argsort(self, x, stable=True):
        return self._t.argsort(x, stable=stable)

    def take(self, x, idx, axis=None):
        return self._t.index_select(x, 0 if axis is None else axis, idx)


class _CupyNamespace:
    """The array-API functions this package uses, for CuPy, when array-api-compat is missing."""

    def __init__(self):
        import cupy

        self._c = cupy
        self.float32, self.float64, self.int64, self.bool = (cupy.float32, cupy.float64, cupy.int64,
                                                             cupy.bool_)
        for name in ("exp", "log", "sqrt", "isfinite", "where", "reshape", "searchsorted", "tanh",
                     "abs", "matmul", "log1p", "cos", "sin", "square", "maximum", "all", "any",
                     "nonzero", "take"):
            setattr(self, name, getattr(cupy, name))

    def asarray(self, x, dtype=None, device=None, copy=None):
        out = self._c.asarray(x, dtype=dtype)
        return out.copy() if copy else out

    def zeros(self, shape, dtype=None, device=None):
        return self._c.zeros(shape, dtype=dtype)

    def empty(self, shape, dtype=None, device=None):
        return self._c.empty(shape, dtype=dtype)

    def full(self, shape, fill_value, dtype=None, device=None):
        return self._c.full(shape, fill_value, dtype=dtype)

    def arange(self, n, dtype=None, device=None):
        return self._c.arange(n, dtype=dtype)

    def astype(self, x, dtype, copy=True):
        return x.astype(dtype, copy=copy)

    def sum(self, x, axis=None, dtype=None):
        return self._c.sum(x, axis=axis, dtype=dtype)

    def max(self, x, axis=None):
        return self._c.max(x, axis=axis)

    def min(self, x, axis=None):
        return self._c.min(x, axis=axis)

    def argmax(self, x, axis=None):
        return self._c.argmax(x, axis=axis)

    def concat(self, arrays, axis=0):
        return self._c.concatenate(list(arrays), axis=axis)

    def argsort(self, x, stable=True):
        return self._c.argsort(x)            # CuPy's argsort is a stable radix/merge sort


def _namespace(lib: str, sample):
    if lib == "numpy":
        return np                              # numpy >= 2 is an array-API namespace itself
    try:
        import array_api_compat
    except ImportError:
        return _TorchNamespace() if lib == "torch" else _CupyNamespace()
    return array_api_compat.array_namespace(sample)


class Backend:
    """One array library on one device, with the non-standard operations the kernel needs.

    Attributes
    ----------
    name : {"numpy", "torch", "cupy"}
    xp : module-like
        The array-API namespace of the library.
    device : object
        Where new arrays go (``None`` for numpy).
    is_gpu : bool
    """

    def __init__(self, name: str, xp: Any, device: Any = None):
        self.name = name
        self.xp = xp
        self.device = device
        if name == "torch":
            import torch

            self._torch = torch
            self.is_gpu = torch.device(device).type != "cpu"
        else:
            self.is_gpu = name == "cupy"

    def __repr__(self) -> str:
        return f"Backend({self.name!r}, device={self.device!r})"

    # -- conversions -------------------------------------------------------------------------
    def dtype(self, kind: str):
        """The library's dtype for ``"float32"``, ``"float64"``, ``"int64"`` or ``"bool"``."""
        return getattr(self.xp, kind)

    def asarray(self, x, dtype=None):
        """``x`` as an array of this library on this backend's device (no copy when it is one)."""
        if self.name == "numpy":
            return np.asarray(to_numpy(x), dtype=dtype)
        if self.name == "torch":
            t = self._torch
            if isinstance(x, t.Tensor):
                return x.to(device=self.device, dtype=dtype)
            return t.as_tensor(to_numpy(x) if _library(x) == "cupy" else np.asarray(x),
                               dtype=dtype, device=self.device)
        import cupy

        if _library(x) == "torch":
            x = to_numpy(x)
        return cupy.asarray(x, dtype=dtype)

    def to_numpy(self, x) -> np.ndarray:
        """A numpy copy (or view) of an array of this backend."""
        return to_numpy(x)

    def itemsize(self, dtype) -> int:
        return 4 if dtype in (self.xp.float32, np.float32) else 8

    def is_float32(self, x) -> bool:
        return x.dtype == self.xp.float32

    def chunk_bytes(self) -> int:
        """Size of one streamed block of logits on this device."""
        return _GPU_CHUNK_BYTES if self.is_gpu else _CPU_CHUNK_BYTES

    def scalar(self, x) -> float:
        """A Python float from a 0-d array (one device synchronisation on GPUs)."""
        return float(x.item() if hasattr(x, "item") else x)

    # -- non-standard element-wise and reduction operations -----------------------------------
    def exp_(self, x):
        """Exponential in place; returns ``x``."""
        if self.name == "torch":
            return x.exp_()
        self._mod().exp(x, out=x)
        return x

    def flush_subnormal_(self, w):
        """Set the entries of ``w`` below the smallest normal number of its dtype to zero, in place.

        Subnormal weights (float32: below 1.18e-38, i.e. logits more than 87.3 below the row's
        maximum) carry a relative mass below n * 1.2e-38 of the row's sum (which is >= 1), but
        make the matrix products that follow up to an order of magnitude slower on CPUs that
        handle them in microcode.  GPUs handle subnormal numbers at full speed: there the flush
        is skipped (the weights then keep their subnormal values, relative mass < n * 1.2e-38), and
        so it is in float64, whose subnormal range (logits 708 to 745 below the maximum) is rarely
        populated.
        """
        if self.is_gpu or not self.is_float32(w):
            return w
        tiny = float(np.finfo(np.float32).tiny)
        if self.name == "torch":
            w.masked_fill_(w < tiny, 0.0)
        else:
            self._mod().copyto(w, 0.0, where=w < tiny) if self.name == "numpy" else \
                self._mod().putmask(w, w < tiny, 0.0)
        return w

    def max_argmax(self, x):
        """Row maxima and their column indices of a 2-d array (one pass)."""
        if self.name == "torch":
            v, i = self._torch.max(x, dim=1)
            return v, i
        mod = self._mod()
        i = mod.argmax(x, axis=1)
        return mod.take_along_axis(x, i[:, None], axis=1)[:, 0], i

    def segment_sum(self, vals, seg, nseg: int):
        """Sums of ``vals`` (P,) or (P, k) over the segments ``seg`` (P,) in 0..nseg-1."""
        shape = (nseg,) + tuple(vals.shape[1:])
        if self.name == "torch":
            out = self._torch.zeros(shape, dtype=vals.dtype, device=vals.device)
            return out.index_add_(0, seg, vals)
        if self.name == "numpy":
            return _np_segment_sum(vals, seg, nseg)
        import cupyx

        out = self._mod().zeros(shape, dtype=vals.dtype)
        cupyx.scatter_add(out, seg, vals)
        return out

    def segment_max(self, vals, seg, nseg: int):
        """Maxima of ``vals`` (P,) over the segments ``seg`` (each segment non-empty)."""
        if self.name == "torch":
            out = self._torch.full((nseg,), -math.inf, dtype=vals.dtype, device=vals.device)
            return out.scatter_reduce_(0, seg, vals, reduce="amax", include_self=True)
        if self.name == "numpy":
            order_ok = seg.size == 0 or bool(np.all(seg[1:] >= seg[:-1]))
            if order_ok:
                starts = np.searchsorted(seg, np.arange(nseg))
                return np.maximum.reduceat(vals, starts)
            out = np.full(nseg, -np.inf)
            np.maximum.at(out, seg, vals)
            return out
        import cupyx

        out = self._mod().full(nseg, -math.inf, dtype=vals.dtype)
        cupyx.scatter_max(out, seg, vals)
        return out

    # -- random numbers ---------------------------------------------------------------------
    def standard_normal(self, rng: np.random.Generator, shape: tuple[int, ...], dtype,
                        scale: float = 1.0):
        """Normal numbers N(0, scale^2) of ``dtype`` on this device.

        numpy: a vectorised Box-Muller transform of the raw 64-bit output of ``rng``'s bit
        generator (:func:`box_muller`).  torch / CuPy: a device generator seeded by one 63-bit draw
        from ``rng`` per call, so a run is reproducible from its seed and successive calls are
        independent streams.
        """
        if self.name == "numpy":
            return box_muller(rng, shape, np.float32 if dtype in (np.float32, self.xp.float32)
                              else np.float64, scale)
        seed = int(rng.integers(0, 2**63 - 1))
        if self.name == "torch":
            gen = self._torch.Generator(device=self.device).manual_seed(seed)
            out = self._torch.randn(shape, generator=gen, dtype=dtype, device=self.device)
        else:
            import cupy

            gen = cupy.random.Generator(cupy.random.Philox4x3210(seed))
            out = gen.standard_normal(shape, dtype=dtype)
        if scale != 1.0:
            out *= scale
        return out

    # -- matrix products ----------------------------------------------------------------------
    def tf32(self, enabled: bool):
        """Context in which float32 matrix products may use TensorFloat-32 (CUDA devices only)."""
        if not (enabled and self.is_gpu):
            return contextlib.nullcontext()
        if self.name == "torch":
            return _torch_tf32(self._torch)
        return _cupy_tf32()

    def _mod(self):
        if self.name == "numpy":
            return np
        import cupy

        return cupy


def box_muller(rng: np.random.Generator, shape, dtype=np.float64, scale: float = 1.0) -> np.ndarray:
    r"""Standard normal numbers (times ``scale``) by the Box-Muller transform, vectorised.

    Parameters
    ----------
    rng : numpy.random.Generator
        Its bit generator supplies one raw 64-bit word per pair of normal numbers.
    shape : tuple of int
    dtype : numpy.float64 or numpy.float32
    scale : float

    Returns
    -------
    ndarray of ``dtype``

    Notes
    -----
    A word w gives :math:`u_1 \in (0, 1]` from its top 40 bits and an angle
    :math:`\theta = 2\pi u_2` from its low 24 bits; then
    :math:`(z_1, z_2) = \sqrt{-2\log u_1}\,(\cos\theta, \sin\theta)` are two independent
    N(0, 1) numbers.  The resolution of u_1 cuts the tails at :math:`\sqrt{80\log 2} = 7.4`
    standard deviations (probability 1e-13); the angle is quantised to :math:`2\pi/2^{24}`.  The
    transform runs in float32 (where numpy vectorises log, sqrt, cos and sin), block by block in
    cache, and the result is stored in ``dtype``: float64 numbers then carry float32 resolution
    (relative 6e-8, far below any Monte Carlo error of the package).  Two to three times faster
    than numpy's ziggurat on this package's benchmark machine (benchmarks/bench_scale.py).

    References
    ----------
    G. E. P. Box, M. E. Muller, "A note on the generation of random normal deviates", Ann. Math.
    Statist. 29, 610-611 (1958).
    """
    shape = tuple(int(k) for k in np.atleast_1d(shape)) if not isinstance(shape, tuple) else shape
    size = int(np.prod(shape))
    out = np.empty(size, dtype=dtype)
    raw = rng.bit_generator.random_raw((size + 1) // 2)
    scratch = _BoxMullerScratch(min(_BM_BLOCK, (size + 1) // 2), dtype)
    for e0 in range(0, size, 2 * _BM_BLOCK):
        e1 = min(size, e0 + 2 * _BM_BLOCK)
        scratch.fill(raw[e0 // 2:(e1 + 1) // 2], out[e0:e1], scale)
    return out.reshape(shape)


class _BoxMullerScratch:
    """Cache-resident work arrays of one Box-Muller block (up to ``pairs`` pairs)."""

    def __init__(self, pairs: int, dtype):
        pairs = max(int(pairs), 1)
        self.bits = np.empty(pairs, dtype=np.uint64)
        self.u = np.empty(pairs, dtype=np.float32)       # float32 throughout: numpy vectorises
        self.r = np.empty(pairs, dtype=np.float32)       # its log, sqrt, cos and sin
        self.theta = np.empty(pairs, dtype=np.float32)
        self.trig = np.empty(pairs, dtype=np.float32)
        self.t = np.float32

    def fill(self, words: np.ndarray, out: np.ndarray, scale: float) -> None:
        """Write ``out.size`` (<= 2 len(words)) normal numbers times ``scale`` into ``out``:
        cosines in the first half of the block, sines in the second."""
        m = words.size
        th, u, rr, tg, bits = self.theta[:m], self.u[:m], self.r[:m], self.trig[:m], self.bits[:m]
        np.bitwise_and(words, np.uint64(0xFFFFFF), out=bits)
        th[...] = bits
        th *= np.float32(2.0 * np.pi * 2.0**-24)
        np.right_shift(words, np.uint64(24), out=bits)
        u[...] = bits
        u += 1
        u *= self.t(2.0**-40)
        np.log(u, out=rr)
        rr *= self.t(-2.0 * scale * scale)
        np.sqrt(rr, out=rr)
        k = out.size - m                                   # sines: m, or m - 1 for an odd block
        np.cos(th, out=tg)
        np.multiply(tg, rr, out=tg)
        out[:m] = tg                                       # cast to the output dtype on the way
        np.sin(th[:k], out=tg[:k])
        np.multiply(tg[:k], rr[:k], out=tg[:k])
        out[m:] = tg[:k]


_BM_BLOCK = 65536        # pairs per cache-resident block of the Box-Muller transform


def _np_segment_sum(vals, seg, nseg):
    """numpy segment sums: one bincount (1-d) or a reduceat over sorted, non-empty segments."""
    if vals.ndim == 1:
        return np.bincount(seg, weights=vals, minlength=nseg).astype(vals.dtype, copy=False)
    starts = np.searchsorted(seg, np.arange(nseg))
    if seg.size and np.all(seg[1:] >= seg[:-1]) and np.all(np.diff(np.append(starts, seg.size)) > 0):
        return np.add.reduceat(vals, starts, axis=0)
    out = np.zeros((nseg,) + vals.shape[1:], dtype=vals.dtype)
    np.add.at(out, seg, vals)
    return out


@contextlib.contextmanager
def _torch_tf32(torch):
    old = torch.backends.cuda.matmul.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = True
    try:
        yield
    finally:
        torch.backends.cuda.matmul.allow_tf32 = old


@contextlib.contextmanager
def _cupy_tf32():
    import os

    old = os.environ.get("CUPY_TF32")
    os.environ["CUPY_TF32"] = "1"
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("CUPY_TF32", None)
        else:
            os.environ["CUPY_TF32"] = old


def get_backend(*arrays) -> Backend:
    """The backend (library, device) of the given arrays: torch or CuPy if any is one, else numpy.

    Parameters
    ----------
    *arrays : array_like
        numpy arrays, torch tensors or CuPy arrays (other inputs count as numpy).

    Returns
    -------
    Backend

    Raises
    ------
    TypeError
        If torch and CuPy arrays are mixed.
    """
    libs = {_library(a) for a in arrays if a is not None}
    libs.discard("numpy")
    if len(libs) > 1:
        raise TypeError(f"arrays must come from one library (got {sorted(libs)})")
    if not libs:
        return _NUMPY
    lib = libs.pop()
    sample = next(a for a in arrays if a is not None and _library(a) == lib)
    if lib == "torch":
        return Backend("torch", _namespace("torch", sample), sample.device)
    return Backend("cupy", _namespace("cupy", sample), sample.device)


def to_numpy(x) -> np.ndarray:
    """A numpy array from a numpy array, a torch tensor (any device) or a CuPy array.

    Parameters
    ----------
    x : array
        numpy array, torch tensor or CuPy array.

    Returns
    -------
    ndarray
        The values on the host.
    """
    lib = _library(x)
    if lib == "torch":
        return x.detach().cpu().numpy()
    if lib == "cupy":
        return x.get()
    return np.asarray(x)


_NUMPY = Backend("numpy", np, None)
