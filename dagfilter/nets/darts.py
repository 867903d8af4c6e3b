"""DARTS / NDS evaluation networks built from a genotype.

The structure is DARTS' (Liu et al., ICLR 2019) evaluation network, also used by NDS and
NAS-Bench-301:

* CIFAR: stem Conv 3x3 (3 -> ``stem_multiplier * C``) + BN; ImageNet: two stride-2 stems;
* ``layers`` cells; the cells at ``layers // 3`` and ``2 * layers // 3`` are reduction cells
  and double the channel count;
* each cell preprocesses its two inputs (the outputs of the two previous cells) to ``C``
  channels: ReLU-Conv1x1-BN, or :class:`FactorizedReduce` for the older input when the
  previous cell reduced; every intermediate node sums two ops applied to earlier nodes;
  the cell output concatenates the ``concat`` nodes;
* optional auxiliary head on the output of the second reduction cell (training only);
* drop-path on every non-identity op output while training;
* global average pooling and a linear classifier. ``forward`` returns ``(logits, logits_aux)``
  with ``logits_aux`` ``None`` unless training with the auxiliary head.

The number of intermediate nodes is ``len(genotype.normal) // 2`` (4 for DARTS, 5 for the NDS
NASNet / Amoeba / PNAS / ENAS spaces); the reduction cell uses ``len(genotype.reduce) // 2``.
"""
from __future__ import annotations

from typing import Any

import torch
from torch import nn

from ..errors import CellFormatError, ConfigError
from .ops_darts import DARTS_OPS, FactorizedReduce, ReLUConvBN, make_darts_op

CellSpec = tuple[tuple[tuple[str, int], ...], tuple[int, ...]]


def _field(genotype: Any, name: str) -> Any:
    if isinstance(genotype, dict):
        if name not in genotype:
            raise CellFormatError(f"genotype dict lacks the key {name!r} (has {sorted(genotype)})")
        return genotype[name]
    if not hasattr(genotype, name):
        raise CellFormatError(
            f"genotype {genotype!r} lacks the attribute {name!r}; expected normal, normal_concat, "
            "reduce, reduce_concat")
    return getattr(genotype, name)


def parse_cell_spec(edges: Any, concat: Any, part: str, reduction: bool) -> CellSpec:
    """Validate one half of a genotype and return ``(edges, concat)`` as tuples.

    Args:
        edges: ``[(op, input), ...]``, two per intermediate node; inputs 0/1 are the cell
            inputs, intermediate nodes are numbered from 2.
        concat: node ids concatenated into the cell output.
        part: ``"normal"`` or ``"reduce"`` (for messages).
        reduction: whether the cell reduces (its output cannot include the unreduced inputs).

    Raises:
        CellFormatError: an odd or empty edge list, a malformed pair, an input index that
            points to the node itself or a later node, or a bad ``concat``.
        UnknownOpError: an op not in :data:`dagfilter.nets.ops_darts.DARTS_OPS`.
    """
    try:
        pairs = [tuple(e) for e in edges]
    except TypeError:
        raise CellFormatError(f"genotype.{part} must be a list of (op, input) pairs, got {edges!r}") from None
    if not pairs or len(pairs) % 2:
        raise CellFormatError(
            f"genotype.{part} needs two (op, input) pairs per node (an even, non-zero count), got {len(pairs)}")
    checked = []
    for k, pair in enumerate(pairs):
        if len(pair) != 2 or not isinstance(pair[0], str):
            raise CellFormatError(f"genotype.{part}[{k}] must be an (op, input) pair, got {pair!r}")
        op, src = pair
        if isinstance(src, bool) or not isinstance(src, int):
            try:
                src = int(src)
            except (TypeError, ValueError):
                raise CellFormatError(f"genotype.{part}[{k}] input must be an integer, got {src!r}") from None
        node = 2 + k // 2
        if not 0 <= src < node:
            raise CellFormatError(
                f"genotype.{part}[{k}] = {pair!r}: node {node} may only read nodes 0..{node - 1}")
        if op not in DARTS_OPS:
            make_darts_op(op, 2, 1)  # raises UnknownOpError naming the op
        checked.append((op, src))
    steps = len(checked) // 2
    try:
        cat = tuple(int(i) for i in concat)
    except (TypeError, ValueError):
        raise CellFormatError(f"genotype.{part}_concat must be a list of node ids, got {concat!r}") from None
    low = 2 if reduction else 0
    if not cat or any(not low <= i < steps + 2 for i in cat):
        raise CellFormatError(
            f"genotype.{part}_concat = {list(cat)} must be non-empty node ids in {low}..{steps + 1}")
    return tuple(checked), cat


def parse_genotype(genotype: Any) -> tuple[CellSpec, CellSpec]:
    """Validate a genotype (namedtuple, any object with the 4 attributes, or an NDS dict).

    Returns:
        ``(normal_spec, reduce_spec)`` as produced by :func:`parse_cell_spec`.
    """
    normal = parse_cell_spec(_field(genotype, "normal"), _field(genotype, "normal_concat"), "normal", False)
    reduce = parse_cell_spec(_field(genotype, "reduce"), _field(genotype, "reduce_concat"), "reduce", True)
    return normal, reduce


def drop_path(x: torch.Tensor, drop_prob: float, generator: torch.Generator | None = None) -> torch.Tensor:
    """Zero whole samples with probability ``drop_prob`` and rescale the rest by ``1/(1-p)``."""
    keep = 1.0 - drop_prob
    mask = torch.empty((x.shape[0], 1, 1, 1), device=x.device, dtype=x.dtype)
    if generator is not None and generator.device != x.device:
        mask = mask.cpu().bernoulli_(keep, generator=generator).to(x.device)
    else:
        mask.bernoulli_(keep, generator=generator)
    return x / keep * mask


class DartsCell(nn.Module):
    """One normal or reduction cell.

    Args:
        spec: ``(edges, concat)`` from :func:`parse_cell_spec`.
        c_prev_prev, c_prev: channels of the two cell inputs.
        C: channels of every node inside the cell.
        reduction: this cell halves the resolution (stride 2 on edges from the inputs).
        reduction_prev: the previous cell halved it (the older input is factor-reduced).
    """

    def __init__(self, spec: CellSpec, c_prev_prev: int, c_prev: int, C: int, reduction: bool,
                 reduction_prev: bool, affine: bool = True) -> None:
        super().__init__()
        edges, concat = spec
        self.reduction = reduction
        if reduction_prev:
            self.preprocess0: nn.Module = FactorizedReduce(c_prev_prev, C)
        else:
            self.preprocess0 = ReLUConvBN(c_prev_prev, C, 1, 1, 0)
        self.preprocess1 = ReLUConvBN(c_prev, C, 1, 1, 0)
        self.steps = len(edges) // 2
        self.indices = tuple(src for _, src in edges)
        self.concat = concat
        self.multiplier = len(concat)
        self.ops = nn.ModuleList(
            make_darts_op(op, C, 2 if reduction and src < 2 else 1, affine) for op, src in edges)

    def forward(self, s0: torch.Tensor, s1: torch.Tensor, drop_prob: float = 0.0,
                generator: torch.Generator | None = None) -> torch.Tensor:  # noqa: D102
        states = [self.preprocess0(s0), self.preprocess1(s1)]
        for i in range(self.steps):
            total = None
            for k in (2 * i, 2 * i + 1):
                op = self.ops[k]
                h = op(states[self.indices[k]])
                if self.training and drop_prob > 0.0 and not isinstance(op, nn.Identity):
                    h = drop_path(h, drop_prob, generator)
                total = h if total is None else total + h
            states.append(total)
        return torch.cat([states[i] for i in self.concat], dim=1)


class AuxiliaryHeadCIFAR(nn.Module):
    """DARTS auxiliary classifier for 8x8 feature maps."""

    def __init__(self, C: int, num_classes: int) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.ReLU(inplace=True),
            nn.AvgPool2d(5, stride=3, padding=0, count_include_pad=False),
            nn.Conv2d(C, 128, 1, bias=False), nn.BatchNorm2d(128), nn.ReLU(inplace=True),
            nn.Conv2d(128, 768, 2, bias=False), nn.BatchNorm2d(768), nn.ReLU(inplace=True),
        )
        self.classifier = nn.Linear(768, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # noqa: D102
        return self.classifier(self.features(x).flatten(1))


class AuxiliaryHeadImageNet(nn.Module):
    """DARTS auxiliary classifier for 14x14 feature maps (no BN after the 2x2 conv, as in DARTS)."""

    def __init__(self, C: int, num_classes: int) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.ReLU(inplace=True),
            nn.AvgPool2d(5, stride=2, padding=0, count_include_pad=False),
            nn.Conv2d(C, 128, 1, bias=False), nn.BatchNorm2d(128), nn.ReLU(inplace=True),
            nn.Conv2d(128, 768, 2, bias=False), nn.ReLU(inplace=True),
        )
        self.classifier = nn.Linear(768, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # noqa: D102
        return self.classifier(self.features(x).flatten(1))


def _check_sizes(C: int, num_classes: int, layers: int, drop_path_prob: float) -> None:
    for name, value in (("C", C), ("num_classes", num_classes), ("layers", layers)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"{name} must be a positive integer, got {value!r}")
    if not 0.0 <= float(drop_path_prob) < 1.0:
        raise ConfigError(f"drop_path_prob must be in [0, 1), got {drop_path_prob!r}")


class _DartsNetwork(nn.Module):
    """Shared cell stack of the CIFAR and ImageNet networks."""

    def _build_cells(self, normal: CellSpec, reduce: CellSpec, layers: int, C: int,
                     c_prev_prev: int, c_prev: int, reduction_prev: bool, affine: bool) -> int:
        self.cells = nn.ModuleList()
        self.reduction_layers = (layers // 3, 2 * layers // 3)
        self.aux_layer = 2 * layers // 3
        c_curr, c_aux = C, c_prev
        for i in range(layers):
            reduction = i in self.reduction_layers
            if reduction:
                c_curr *= 2
            cell = DartsCell(reduce if reduction else normal, c_prev_prev, c_prev, c_curr, reduction,
                             reduction_prev, affine)
            self.cells.append(cell)
            reduction_prev = reduction
            c_prev_prev, c_prev = c_prev, cell.multiplier * c_curr
            if i == self.aux_layer:
                c_aux = c_prev
        self.c_out = c_prev
        return c_aux

    def _run_cells(self, s0: torch.Tensor, s1: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        logits_aux = None
        for i, cell in enumerate(self.cells):
            s0, s1 = s1, cell(s0, s1, self.drop_path_prob, self.drop_path_generator)
            if i == self.aux_layer and self.auxiliary_head is not None and self.training:
                logits_aux = self.auxiliary_head(s1)
        return s1, logits_aux


class NetworkCIFAR(_DartsNetwork):
    """DARTS evaluation network for 32x32 inputs.

    Args:
        C: initial channels (36 in DARTS, 32 in NAS-Bench-301, 16 in NDS by default).
        num_classes: classifier outputs.
        layers: number of cells (20 in DARTS, 8 in NAS-Bench-301).
        genotype: a ``Genotype`` or any object/dict with ``normal``, ``normal_concat``,
            ``reduce``, ``reduce_concat``.
        auxiliary: build the auxiliary head (used only in training mode).
        drop_path_prob: drop-path probability while training (mutable attribute; training
            loops usually ramp it up per epoch).
        stem_multiplier: stem width is ``stem_multiplier * C`` (3 in DARTS).

    Attributes:
        drop_path_generator: optional ``torch.Generator`` used for the drop-path masks
            (seeded drop-path); ``None`` uses torch's global generator.

    Raises:
        CellFormatError, UnknownOpError: a malformed genotype; ConfigError: bad sizes.
    """

    def __init__(self, C: int, num_classes: int, layers: int, genotype: Any, auxiliary: bool = False,
                 drop_path_prob: float = 0.0, stem_multiplier: int = 3, affine: bool = True) -> None:
        super().__init__()
        _check_sizes(C, num_classes, layers, drop_path_prob)
        normal, reduce = parse_genotype(genotype)
        self.drop_path_prob = float(drop_path_prob)
        self.drop_path_generator: torch.Generator | None = None
        c_stem = stem_multiplier * C
        self.stem = nn.Sequential(nn.Conv2d(3, c_stem, 3, padding=1, bias=False), nn.BatchNorm2d(c_stem))
        c_aux = self._build_cells(normal, reduce, layers, C, c_stem, c_stem, False, affine)
        self.auxiliary_head = AuxiliaryHeadCIFAR(c_aux, num_classes) if auxiliary else None
        self.global_pooling = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(self.c_out, num_classes)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:  # noqa: D102
        s = self.stem(x)
        out, logits_aux = self._run_cells(s, s)
        return self.classifier(self.global_pooling(out).flatten(1)), logits_aux

    def pre_pool(self, x: torch.Tensor) -> torch.Tensor:
        """The feature map before global pooling (the last cell's output)."""
        s = self.stem(x)
        return self._run_cells(s, s)[0]

    def forward_features(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """``(logits, features)``: the main logits of ``forward(x)`` (no auxiliary head) and the
        feature map after the stem and after every cell, in order, still attached to the autograd
        graph (for AZ-NAS-style per-block measures; a cell also reads the map two steps back)."""
        feats = [self.stem(x)]
        s0 = s1 = feats[0]
        for cell in self.cells:
            s0, s1 = s1, cell(s0, s1, self.drop_path_prob, self.drop_path_generator)
            feats.append(s1)
        return self.classifier(self.global_pooling(s1).flatten(1)), feats


class NetworkImageNet(_DartsNetwork):
    """DARTS evaluation network for 224x224 ImageNet inputs (three stride-2 stem convs).

    Args and attributes as :class:`NetworkCIFAR` (DARTS uses ``C=48, layers=14``).
    The final pooling is adaptive (7x7 at 224x224 input, as in DARTS).
    """

    def __init__(self, C: int, num_classes: int, layers: int, genotype: Any, auxiliary: bool = False,
                 drop_path_prob: float = 0.0, affine: bool = True) -> None:
        super().__init__()
        _check_sizes(C, num_classes, layers, drop_path_prob)
        if C % 2:
            raise ConfigError(f"NetworkImageNet needs an even C (stem width C // 2), got {C}")
        normal, reduce = parse_genotype(genotype)
        self.drop_path_prob = float(drop_path_prob)
        self.drop_path_generator: torch.Generator | None = None
        self.stem0 = nn.Sequential(
            nn.Conv2d(3, C // 2, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(C // 2), nn.ReLU(inplace=True),
            nn.Conv2d(C // 2, C, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(C),
        )
        self.stem1 = nn.Sequential(
            nn.ReLU(inplace=True), nn.Conv2d(C, C, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(C),
        )
        c_aux = self._build_cells(normal, reduce, layers, C, C, C, True, affine)
        self.auxiliary_head = AuxiliaryHeadImageNet(c_aux, num_classes) if auxiliary else None
        self.global_pooling = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(self.c_out, num_classes)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:  # noqa: D102
        s0 = self.stem0(x)
        s1 = self.stem1(s0)
        out, logits_aux = self._run_cells(s0, s1)
        return self.classifier(self.global_pooling(out).flatten(1)), logits_aux


__all__ = ["NetworkCIFAR", "NetworkImageNet", "DartsCell", "parse_genotype", "parse_cell_spec", "drop_path",
           "AuxiliaryHeadCIFAR", "AuxiliaryHeadImageNet"]
