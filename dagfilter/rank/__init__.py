"""Deprecated alias of :mod:`dagfilter.trained` (ranking briefly trained candidates).

``import dagfilter.rank`` and ``import dagfilter.rank.<module>`` keep working for one release
and warn with a :class:`DeprecationWarning`; ``dagfilter.rank.<module>`` is the very module
object of ``dagfilter.trained.<module>`` (same functions, same state), so code that patches or
reads it sees one module. Import :mod:`dagfilter.trained` instead.
"""
from __future__ import annotations

import importlib
import pkgutil
import sys
import warnings

from .. import trained as _trained

warnings.warn("dagfilter.rank was renamed dagfilter.trained (it ranks briefly trained candidates); "
              "import dagfilter.trained instead - the old name goes in the next release",
              DeprecationWarning, stacklevel=2)

for _info in pkgutil.iter_modules(_trained.__path__):
    sys.modules[f"{__name__}.{_info.name}"] = importlib.import_module(f"{_trained.__name__}.{_info.name}")

globals().update({k: getattr(_trained, k) for k in _trained.__all__})
__all__ = list(_trained.__all__)
