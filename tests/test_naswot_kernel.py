"""The NAS-WOT binary-Gram kernel: chosen by measurement on this machine, exact either way (issue 29)."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
import torch

from dagfilter.proxies import naswot


def _codes(batch: int, units: int, seed: int) -> torch.Tensor:
    return torch.rand(batch, units, generator=torch.Generator().manual_seed(seed)) > 0.5


def test_both_gram_kernels_give_the_exact_integer_product():
    codes = _codes(64, 3000, 0)
    exact = codes.to(torch.int64) @ codes.to(torch.int64).T
    c32 = codes.to(torch.float32)
    assert torch.equal((c32 @ c32.T).to(torch.int64), exact)
    if hasattr(torch, "_int_mm"):
        c8 = codes.view(torch.int8)
        assert torch.equal(torch._int_mm(c8, c8.t()).to(torch.int64), exact)
    # whatever kernel this machine picked, the kernel entries count agreeing units exactly
    k = naswot.hamming_kernel_from_codes(codes)
    agree = (codes[:, None, :] == codes[None, :, :]).sum(-1).to(torch.float64)
    assert torch.equal(k, agree)


def test_measurement_reports_both_kernels_and_the_choice_follows_it():
    times = naswot.measure_gram_kernels(batch=32, units=512, reps=1)
    assert set(times) == {"float32", "int8"}
    assert times["float32"] > 0
    assert naswot.gram_kernel() in ("float32", "int8")


@pytest.mark.slow
@pytest.mark.parametrize("forced", ["float32", "int8"])
def test_environment_variable_forces_the_kernel(forced):
    env = dict(os.environ, DAGFILTER_GRAM_KERNEL=forced)
    out = subprocess.run(
        [sys.executable, "-c", "from dagfilter.proxies.naswot import gram_kernel; print(gram_kernel())"],
        env=env, capture_output=True, text=True, check=True,
    )
    assert out.stdout.strip() == forced
