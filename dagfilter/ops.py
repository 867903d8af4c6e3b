"""Operation registry: how each op counts toward effective depth.

Every edge op of a cell is one of three kinds (paper, Remark 4.2):

* ``"param"`` - a parameterized op (convolution, linear layer); counts 1 toward a path's depth ``d_p``;
* ``"free"``  - a parameter-free op (skip connection, pooling, concatenation); counts 0;
* ``"zero"``  - the zero op (``none``); the edge carries nothing, so every path through it is cut.

The registry covers every op of the NAS-Bench-201, NAS-Bench-101, DARTS and NDS (ENAS, PNAS,
AmoebaNet, NASNet) spaces. Unknown ops are an :class:`~dagfilter.errors.UnknownOpError`,
never silently counted. Users add their own with :func:`register_op` (on the default
registry) or build a private :class:`OpRegistry`.
"""
from __future__ import annotations

from typing import Iterable, Literal, Mapping

from .errors import DagFilterError, UnknownOpError

OpKind = Literal["param", "free", "zero"]
KINDS: tuple[OpKind, ...] = ("zero", "free", "param")
"""The op kinds; the position of a kind in this tuple is its integer code in arrays."""
KIND_CODE: dict[str, int] = {k: i for i, k in enumerate(KINDS)}
ZERO, FREE, PARAM = 0, 1, 2

_BUILTIN: dict[str, OpKind] = {
    # zero / broken edges
    "none": "zero", "zero": "zero", "Zero": "zero",
    # identity and concatenation
    "skip_connect": "free", "identity": "free", "Identity": "free", "skip": "free",
    "concat": "free", "output": "free",
    # pooling (NAS-Bench-201, DARTS, NDS, NAS-Bench-101)
    "avg_pool_3x3": "free", "max_pool_3x3": "free", "avg_pool_2x2": "free", "max_pool_2x2": "free",
    "max_pool_5x5": "free", "max_pool_7x7": "free", "avg_pool_5x5": "free", "avg_pool_7x7": "free",
    "maxpool3x3": "free", "AvgPool1x1": "free",
    # NAS-Bench-201 convolutions
    "nor_conv_1x1": "param", "nor_conv_3x3": "param", "nor_conv_5x5": "param",
    "ReLUConvBN3x3": "param", "ReLUConvBN1x1": "param",
    # DARTS / NDS convolutions
    "sep_conv_3x3": "param", "sep_conv_5x5": "param", "sep_conv_7x7": "param",
    "dil_conv_3x3": "param", "dil_conv_5x5": "param", "dil_sep_conv_3x3": "param",
    "conv_1x1": "param", "conv_3x3": "param", "conv_3x1_1x3": "param", "conv_7x1_1x7": "param",
    "lin_1x1": "param",
    # NAS-Bench-101 (ops on nodes; see encodings.adjacency)
    "conv3x3-bn-relu": "param", "conv1x1-bn-relu": "param",
    # fully connected layers (the paper's DAG#1-#3)
    "linear": "param", "fc": "param",
}


class OpRegistry:
    """A mapping from op name to :data:`OpKind`, with clear errors for unknown names.

    >>> reg = OpRegistry()
    >>> reg.kind("nor_conv_3x3")
    'param'
    >>> reg.register("my_attention", "param")
    >>> reg.kind("my_attention")
    'param'
    """

    def __init__(self, ops: Mapping[str, OpKind] | None = None) -> None:
        self._kinds: dict[str, OpKind] = dict(_BUILTIN if ops is None else ops)

    def register(self, name: str, kind: OpKind, *, overwrite: bool = False) -> None:
        """Add op ``name`` of ``kind`` ("param", "free" or "zero").

        Re-registering an existing name with a different kind needs ``overwrite=True``.
        """
        from .errors import show

        if not isinstance(name, str) or not name:
            raise DagFilterError(f"op name must be a non-empty string, got {show(name)}")
        if not isinstance(kind, str) or kind not in KIND_CODE:
            raise DagFilterError(f"op kind must be one of {KINDS}, got {show(kind)} for op {name!r}")
        old = self._kinds.get(name)
        if old is not None and old != kind and not overwrite:
            raise DagFilterError(
                f"op {name!r} is already registered as {old!r}; pass overwrite=True to make it {kind!r}"
            )
        self._kinds[name] = kind

    def kind(self, name: str, where: str = "") -> OpKind:
        """Return the kind of op ``name``; :class:`UnknownOpError` if it is not registered."""
        try:
            return self._kinds[name]
        except (KeyError, TypeError):
            raise UnknownOpError(name, list(self._kinds), where,
                                 "Register new ops with dagfilter.register_op(name, kind)") from None

    def code(self, name: str, where: str = "") -> int:
        """Integer code of the op's kind: 0 zero, 1 free, 2 param (see :data:`KINDS`)."""
        return KIND_CODE[self.kind(name, where)]

    def __contains__(self, name: object) -> bool:
        return name in self._kinds

    def names(self, kind: OpKind | None = None) -> list[str]:
        """All registered op names, optionally only those of one kind."""
        return sorted(n for n, k in self._kinds.items() if kind is None or k == kind)

    def copy(self) -> "OpRegistry":
        """An independent copy (to extend without touching the default registry)."""
        return OpRegistry(self._kinds)


DEFAULT_REGISTRY = OpRegistry()
"""The registry used when none is given. Extend it with :func:`register_op`."""


def register_op(name: str, kind: OpKind, *, overwrite: bool = False) -> None:
    """Register a user op on the default registry, e.g. ``register_op("mbconv_3x3", "param")``."""
    DEFAULT_REGISTRY.register(name, kind, overwrite=overwrite)


def op_kind(name: str, registry: OpRegistry | None = None) -> OpKind:
    """Kind of op ``name`` ("param", "free" or "zero") in ``registry`` (default registry if None)."""
    return (registry or DEFAULT_REGISTRY).kind(name)


def check_ops(names: Iterable[str], registry: OpRegistry | None = None, where: str = "") -> None:
    """Raise :class:`UnknownOpError` for the first name not in the registry."""
    reg = registry or DEFAULT_REGISTRY
    for n in names:
        reg.kind(n, where)
