"""Architecture objects of other NAS code, read by what they offer (no import of those packages).

:func:`read_foreign` is consulted by :func:`dagfilter.encodings.parse.parse_arch` for values that no
built-in encoding claims, so every entry point (``DAGFilter.accepts``/``mask``, benchmark
``query_index_by_arch``/``query``/``simulate_train_eval``, the nats_bench facade) takes them:

* anything with a ``tostr()`` method - xautodl's / nas_201_api's ``CellStructure`` (``Structure``)
  and every object written to the nats_bench convention (``query_index_by_arch`` reads ``tostr()``
  too); the string must be a NAS-Bench-201 cell;
* NASLib search-space graphs: NAS-Bench-201 (``get_op_indices()``, NASLib op codes) and
  NAS-Bench-301 / DARTS (``get_compact()``); ``get_type()``, where present, must name one of them;
* NASLib's compact DARTS tuple ``((normal pairs), (reduce pairs))``, 8 ``(input node, op code)``
  pairs per cell, op codes indexing :data:`dagfilter.encodings.darts.DARTS_OPS`;
* NNI's NAS-Bench-201 dict ``{"0_1": op, "0_2": op, "1_2": op, "0_3": op, "1_3": op, "2_3": op}``
  (keys may carry a label scope such as ``"cell/0_1"``), with NNI's op names ``conv_3x3`` /
  ``conv_1x1`` or the NAS-Bench-201 ones.

``Genotype`` namedtuples of any DARTS-derived repository are read by the genotype reader already
(any object with ``normal``, ``normal_concat``, ``reduce``, ``reduce_concat``).
"""
from __future__ import annotations

from typing import Any, Mapping

from ..errors import CellFormatError, DagFilterError, show

NNI_EDGE_KEYS: tuple[str, ...] = ("0_1", "0_2", "1_2", "0_3", "1_3", "2_3")
"""NNI's NAS-Bench-201 edge labels (``src_dst``), in NAS-Bench-201 arch-string order."""
NNI_OPS: dict[str, str] = {"none": "none", "skip_connect": "skip_connect", "conv_1x1": "nor_conv_1x1",
                           "conv_3x3": "nor_conv_3x3", "avg_pool_3x3": "avg_pool_3x3"}
"""NNI's NAS-Bench-201 op names -> the benchmark's own."""
NASLIB_SPACES = ("nasbench201", "nasbench301")


def _kind(value: Any) -> str:
    return f"{type(value).__module__}.{type(value).__qualname__}"


def _call(value: Any, method: str) -> Any:
    try:
        return getattr(value, method)()
    except DagFilterError:
        raise
    except Exception as exc:  # noqa: BLE001 - a foreign object's own failure, named
        raise CellFormatError(f"{_kind(value)}.{method}() failed: {type(exc).__name__}: {exc}") from None


def _from_tostr(value: Any) -> Any:
    from . import nb201

    text = _call(value, "tostr")
    if not isinstance(text, str):
        raise CellFormatError(f"{_kind(value)}.tostr() returned {type(text).__name__}, not a string: {show(text)}")
    try:
        return nb201.from_str(text)
    except DagFilterError as exc:
        raise CellFormatError(f"{_kind(value)} is not a NAS-Bench-201 cell: its tostr() is {show(text)} ({exc})") from None


def _naslib(value: Any) -> Any:
    from . import nb201

    kind = getattr(value, "get_type", None)
    space = _call(value, "get_type") if callable(kind) else None
    if space is not None and space not in NASLIB_SPACES:
        raise CellFormatError(f"NASLib search space {show(space)} ({_kind(value)}) is not supported: dagfilter reads "
                              f"{' and '.join(NASLIB_SPACES)} graphs")
    if callable(getattr(value, "get_compact", None)) and space != "nasbench201":
        return compact_to_genotype(_call(value, "get_compact"))
    ops = _call(value, "get_op_indices")
    try:
        return nb201.from_naslib(ops)
    except DagFilterError as exc:
        raise CellFormatError(f"{_kind(value)}.get_op_indices() gave {show(ops)}, not a NAS-Bench-201 cell: {exc}") from None


def _is_int(v: Any) -> bool:
    import numbers

    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def looks_like_compact(value: Any) -> bool:
    """True for NASLib's compact DARTS form: two sequences of ``(int, int)`` pairs."""
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, (list, tuple)) or len(value) != 2:
        return False
    for cell in value:
        if isinstance(cell, (str, bytes)) or not isinstance(cell, (list, tuple)) or not cell or len(cell) > 64:
            return False
        for pair in cell:
            if not isinstance(pair, (list, tuple)) or len(pair) != 2 or not all(_is_int(v) for v in pair):
                return False
    return True


def compact_to_genotype(compact: Any) -> Any:
    """NASLib's compact DARTS tuple -> :class:`~dagfilter.genotypes.Genotype` (concat = all intermediate nodes)."""
    from ..genotypes import Genotype
    from .darts import DARTS_OPS

    if not looks_like_compact(compact):
        raise CellFormatError(f"NASLib compact DARTS form must be ((node, op) pairs, (node, op) pairs), got {show(compact)}")
    parts = []
    for name, cell in zip(("normal", "reduce"), compact):
        if len(cell) % 2:
            raise CellFormatError(f"NASLib compact {name} cell needs two (node, op) pairs per node, got {len(cell)} pairs")
        pairs = []
        for k, (node, op) in enumerate(cell):
            if not 0 <= op < len(DARTS_OPS):
                raise CellFormatError(f"NASLib compact {name}[{k}] op code {op} is outside 0..{len(DARTS_OPS) - 1} "
                                      f"({', '.join(DARTS_OPS)})")
            if not 0 <= node < 2 + k // 2:
                raise CellFormatError(f"NASLib compact {name}[{k}] input node {node} does not exist yet "
                                      f"(intermediate node {2 + k // 2} reads nodes 0..{1 + k // 2})")
            pairs.append((DARTS_OPS[op], int(node)))
        parts.append(pairs)
    concat = list(range(2, 2 + len(parts[0]) // 2))
    rconcat = list(range(2, 2 + len(parts[1]) // 2))
    return Genotype(normal=parts[0], normal_concat=concat, reduce=parts[1], reduce_concat=rconcat)


def nni_edge_ops(value: Mapping[Any, Any]) -> "list[str] | None":
    """The 6 NAS-Bench-201 op names of an NNI dict in arch-string order, or None if it is not one."""
    if len(value) != 6 or not all(isinstance(k, str) for k in value):
        return None
    by_edge = {k.rsplit("/", 1)[-1]: v for k, v in value.items()}
    if set(by_edge) != set(NNI_EDGE_KEYS) or len({k.rsplit("/", 1)[0] for k in value if "/" in k}) > 1:
        return None
    ops = []
    for key in NNI_EDGE_KEYS:
        op = by_edge[key]
        name = NNI_OPS.get(op, op) if isinstance(op, str) else op
        ops.append(name)
    return ops


def read_foreign(value: Any) -> Any:
    """A :class:`~dagfilter.cell.Cell` or :class:`~dagfilter.genotypes.Genotype` for a foreign object,
    or ``None`` when ``value`` is none of the forms in the module docstring.

    Raises :class:`CellFormatError` naming the object when it is one of those forms but not a cell
    dagfilter can read (e.g. a ``Structure`` of another search space).
    """
    from . import nb201

    if isinstance(value, (str, bytes, int)):
        return None
    if isinstance(value, Mapping):
        ops = nni_edge_ops(value)
        return None if ops is None else nb201.from_ops(ops)
    if callable(getattr(value, "tostr", None)):
        return _from_tostr(value)
    if callable(getattr(value, "get_op_indices", None)) or callable(getattr(value, "get_compact", None)):
        return _naslib(value)
    if looks_like_compact(value):
        return compact_to_genotype(value)
    return None


__all__ = ["read_foreign", "compact_to_genotype", "looks_like_compact", "nni_edge_ops", "NNI_EDGE_KEYS", "NNI_OPS"]
