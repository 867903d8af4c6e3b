"""Parse ranker specs such as ``naswot+prior``, ``2*naswot+prior:params,d_bar``, ``zscore(naswot+d_bar)``.

Grammar (whitespace is ignored)::

    spec    := sum | METHOD "(" sum ")"            METHOD: rank | zscore | logrank
    sum     := term { "+" term }
    term    := ["-"] [NUMBER "*"] atom ["*" NUMBER]
    atom    := NAME [":" ARG { "," ARG }]           e.g. params:cifar100, prior:params=1,d_bar=2

* A single atom without a method is that ranker's raw score (``params`` = parameter count).
* Two or more terms (or an explicit method) are combined among the scored candidates:
  ``rank`` (default) = weighted mean of normalised average ranks; ``zscore`` = weighted mean of
  standardised scores; ``logrank`` = AZ-NAS's sum of log normalised ranks. A leading ``-`` negates a
  term's weight (prefer low values).
* Alias groups expand into several terms with the term's weight (:data:`ALIASES`): ``az`` is
  ``az_expressivity+az_progressivity+az_trainability+flops`` (AZ-NAS), so ``logrank(az+prior)`` works.
* ``ARG`` may not contain ``+``, ``*``, ``(`` or ``)``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import ConfigError, show
from .combine import METHODS

ALIASES: dict[str, tuple[str, ...]] = {
    "az": ("az_expressivity", "az_progressivity", "az_trainability", "flops"),
}
"""Alias group name -> the ranker names it stands for (expanded by :func:`parse_spec`)."""

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_NUMBER = re.compile(r"^[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?$")


@dataclass(frozen=True)
class Term:
    """One weighted ranker of a spec."""

    weight: float
    name: str
    args: tuple[str, ...] = ()

    @property
    def atom(self) -> str:
        """``name`` or ``name:arg,arg``."""
        return self.name + (":" + ",".join(self.args) if self.args else "")

    def __str__(self) -> str:
        if self.weight == 1:
            return self.atom
        if self.weight == -1:
            return "-" + self.atom
        return f"{self.weight:g}*{self.atom}"


@dataclass(frozen=True)
class Spec:
    """A parsed spec: ``method`` is None for a single bare atom (raw scores)."""

    method: str | None
    terms: tuple[Term, ...]

    def __str__(self) -> str:
        body = "+".join(str(t) for t in self.terms)
        return body if self.method is None else f"{self.method}({body})"

    @property
    def is_single(self) -> bool:
        """A bare atom with weight 1 (no combination)."""
        return self.method is None and len(self.terms) == 1 and self.terms[0].weight == 1


def parse_spec(text: str, combine: str | None = None) -> Spec:
    """Parse a spec (see the module docstring).

    Args:
        text: the spec.
        combine: default method for multi-term specs without an explicit ``METHOD(...)``
            (``"rank"`` when None); it also wraps a single term when given.

    Raises:
        ConfigError: a malformed spec, naming the offending part.
    """
    if not isinstance(text, str) or not text.strip():
        raise ConfigError(f"ranker spec must be a non-empty string, got {show(text)}")
    if combine is not None and combine not in METHODS:
        raise ConfigError(f"unknown combination method {show(combine)}; choose one of {', '.join(METHODS)}")
    s = re.sub(r"\s+", "", text)
    method = None
    m = re.match(r"^([A-Za-z_]+)\((.*)\)$", s)
    if m:
        method, s = m.group(1), m.group(2)
        if method not in METHODS:
            raise ConfigError(f"unknown combination method {show(method)} in {show(text)}; use {' or '.join(METHODS)}")
        if combine is not None and combine != method:
            raise ConfigError(f"spec {show(text)} says {show(method)} but combine={show(combine)} was requested")
    if "(" in s or ")" in s:
        raise ConfigError(f"unbalanced or nested parentheses in ranker spec {show(text)}")
    terms = tuple(t for part in s.split("+") for t in _expand(_term(part, text), text))
    if method is None and (len(terms) > 1 or combine is not None):
        method = combine or "rank"
    if method is None and terms[0].weight != 1:
        method = "rank"
    return Spec(method, terms)


def _term(part: str, text: str) -> Term:
    if not part:
        raise ConfigError(f"empty term in ranker spec {show(text)}")
    sign = 1.0
    if part.startswith("-"):
        sign, part = -1.0, part[1:]
    pieces = part.split("*")
    if len(pieces) > 2:
        raise ConfigError(f"term {show(part)} of {show(text)}: at most one weight (NUMBER*name or name*NUMBER)")
    weight = 1.0
    if len(pieces) == 2:
        a, b = pieces
        if _NUMBER.match(a):
            weight, atom = float(a), b
        elif _NUMBER.match(b):
            weight, atom = float(b), a
        else:
            raise ConfigError(f"term {show(part)} of {show(text)}: the weight must be a number")
    else:
        atom = pieces[0]
    name, colon, args = atom.partition(":")
    if colon and not args:
        raise ConfigError(f"empty argument list after {name + ':'!r} in spec {show(text)}")
    if not _NAME.match(name):
        raise ConfigError(f"bad ranker name {show(name)} in spec {show(text)}")
    arg_list = tuple(a for a in args.split(",")) if args else ()
    if any(not a for a in arg_list):
        raise ConfigError(f"empty argument in {show(atom)} of spec {show(text)}")
    return Term(sign * weight, name, arg_list)


def _expand(term: Term, text: str) -> tuple[Term, ...]:
    names = ALIASES.get(term.name)
    if names is None:
        return (term,)
    if term.args:
        raise ConfigError(f"alias group {term.name!r} in {text!r} takes no arguments, got {term.atom!r}")
    return tuple(Term(term.weight, n) for n in names)
