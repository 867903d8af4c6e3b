"""Bayesian ridge regression and the ``beta_eff -> 0`` extrapolation (neural capacitance
paper, Sec. 4.4 and Appendix E).

The paper fits ``I = h(beta_eff; theta)``, a regularised linear model of the validation
accuracy ``I`` in ``beta_eff``, with Bayesian ridge regression (Tipping 2001; evidence updates of
MacKay 1992, as in scikit-learn's ``BayesianRidge``), on the observations from a starting point
``t0`` on, ``t0`` chosen by BIC; the predicted final accuracy is ``h(0)``.

Choices made here: ``h`` is affine in ``beta_eff`` (``I = theta_0 + theta_1 beta``); the
observations run from ``t0`` to the last one (with 1-3 training epochs there is no room for a
fixed-length window), and ``t0`` ranges over the starts leaving at least ``min_points``
observations. Pure numpy (no scikit-learn dependency).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..errors import ConfigError, DataError


@dataclass(frozen=True)
class RidgeFit:
    """A fitted Bayesian ridge model ``y = intercept + X @ coef``.

    Attributes:
        coef: slopes; intercept: unpenalised intercept; alpha: noise precision;
        lambda_: weight precision; rss: residual sum of squares; n: observations.
    """

    coef: np.ndarray
    intercept: float
    alpha: float
    lambda_: float
    rss: float
    n: int

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Predictions for rows of ``X`` (``(n, d)`` or ``(n,)`` for one feature)."""
        X = np.asarray(X, dtype=float)
        if X.ndim == 1:
            X = X[:, None]
        return self.intercept + X @ self.coef

    def bic(self, k: int | None = None) -> float:
        """Bayesian information criterion ``n ln(RSS/n) + k ln n`` (``k``: slopes + intercept)."""
        k = len(self.coef) + 1 if k is None else k
        rss = max(self.rss, 1e-12 * max(self.n, 1))
        return self.n * math.log(rss / self.n) + k * math.log(self.n)


def bayesian_ridge(X: np.ndarray, y: np.ndarray, n_iter: int = 300, tol: float = 1e-6,
                   alpha_1: float = 1e-6, alpha_2: float = 1e-6, lambda_1: float = 1e-6,
                   lambda_2: float = 1e-6) -> RidgeFit:
    """Fit Bayesian ridge regression by evidence maximisation (MacKay updates, Gamma hyper-priors).

    Args:
        X: ``(n, d)`` features (or ``(n,)`` for one feature). y: ``(n,)`` targets.
        n_iter, tol: iteration cap and coefficient-change tolerance.
        alpha_1, alpha_2, lambda_1, lambda_2: Gamma hyper-prior shape/rate parameters.

    Raises:
        DataError: fewer than 2 observations, shape mismatch or non-finite values.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.ndim == 1:
        X = X[:, None]
    if X.shape[0] != y.shape[0]:
        raise DataError(f"X has {X.shape[0]} rows but y has {y.shape[0]} values")
    if X.shape[0] < 2:
        raise DataError(f"Bayesian ridge needs at least 2 observations, got {X.shape[0]}")
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
        raise DataError("Bayesian ridge got non-finite observations")
    n = X.shape[0]
    x_mean, y_mean = X.mean(axis=0), y.mean()
    Xc, yc = X - x_mean, y - y_mean
    alpha = 1.0 / (np.var(yc) + 1e-12)
    lam = 1.0
    U, S, Vt = np.linalg.svd(Xc, full_matrices=False)
    eig = S ** 2
    Uty = U.T @ yc
    coef = np.zeros(X.shape[1])
    for _ in range(n_iter):
        new = Vt.T @ (S * Uty / (eig + lam / alpha))
        rss = float(np.sum((yc - Xc @ new) ** 2))
        gamma = float(np.sum(alpha * eig / (lam + alpha * eig)))
        lam = (gamma + 2 * lambda_1) / (float(np.sum(new ** 2)) + 2 * lambda_2)
        alpha = (n - gamma + 2 * alpha_1) / (rss + 2 * alpha_2)
        done = np.sum(np.abs(new - coef)) < tol
        coef = new
        if done:
            break
    rss = float(np.sum((yc - Xc @ coef) ** 2))
    return RidgeFit(coef, float(y_mean - x_mean @ coef), float(alpha), float(lam), rss, n)


@dataclass(frozen=True)
class CapacitanceFit:
    """The ``beta_eff -> 0`` extrapolation.

    Attributes:
        predicted: ``h(0)``, the predicted final accuracy (units of the accuracies given).
        t0: index of the first observation used.
        bic: BIC of the chosen fit.
        fit: the :class:`RidgeFit`.
    """

    predicted: float
    t0: int
    bic: float
    fit: RidgeFit

    def to_dict(self) -> dict:
        """Plain-data form."""
        return {"predicted": self.predicted, "t0": self.t0, "bic": self.bic,
                "intercept": self.fit.intercept, "slope": [float(c) for c in self.fit.coef],
                "n": self.fit.n}


def extrapolate_accuracy(betas: Sequence[float], accuracies: Sequence[float],
                         min_points: int = 3, select_t0: bool = True) -> CapacitanceFit:
    """Predict the final accuracy as ``h(beta_eff = 0)`` from early observations.

    Args:
        betas: ``beta_eff`` observations in training order.
        accuracies: validation accuracies at the same points.
        min_points: fewest observations a fit may use.
        select_t0: choose the starting observation by BIC (else use all of them).

    Raises:
        DataError: fewer than ``min_points`` (and 2) finite observations or mismatched lengths.
        ConfigError: ``min_points`` < 2.
    """
    if min_points < 2:
        raise ConfigError(f"min_points must be at least 2, got {min_points}")
    b = np.asarray(betas, dtype=float)
    a = np.asarray(accuracies, dtype=float)
    if b.shape != a.shape:
        raise DataError(f"{b.size} beta_eff values but {a.size} accuracies")
    keep = np.isfinite(b) & np.isfinite(a)
    b, a = b[keep], a[keep]
    if b.size < min_points:
        raise DataError(f"need at least {min_points} finite (beta_eff, accuracy) observations, got {b.size}")
    starts = range(0, b.size - min_points + 1) if select_t0 else range(1)
    best: CapacitanceFit | None = None
    for t0 in starts:
        fit = bayesian_ridge(b[t0:], a[t0:])
        cand = CapacitanceFit(float(fit.predict(np.zeros(1))[0]), t0, fit.bic(), fit)
        if best is None or cand.bic < best.bic:
            best = cand
    assert best is not None
    return best
