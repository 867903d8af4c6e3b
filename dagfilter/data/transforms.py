"""Image augmentations written with numpy, PIL and torch (no torchvision).

Every transform is a callable ``t(image, rng) -> image`` taking an explicit
``numpy.random.Generator``, so a sample's augmentation is a pure function of the generator
it is given: the datasets derive one generator per (seed, epoch, index), which makes
augmentation reproducible whatever the number of loader workers and across resumes.

Small images (CIFAR, ImageNet16) stay ``(H, W, 3)`` uint8 numpy arrays until
:class:`ToTensorNormalize`; ImageFolder images are PIL images until then.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Sequence

import numpy as np
import torch
from PIL import Image, ImageEnhance

from ..errors import ConfigError

Transform = Callable[[Any, np.random.Generator], Any]


class Compose:
    """Apply transforms in order, all drawing from the same generator."""

    def __init__(self, transforms: Sequence[Transform]) -> None:
        self.transforms = list(transforms)

    def __call__(self, img: Any, rng: np.random.Generator) -> Any:
        for t in self.transforms:
            img = t(img, rng)
        return img

    def __repr__(self) -> str:
        return f"Compose({', '.join(repr(t) for t in self.transforms)})"


class RandomCropPad:
    """Zero-pad an ``(H, W, C)`` array by ``padding`` and take a random ``size`` x ``size`` crop."""

    def __init__(self, size: int, padding: int) -> None:
        if size <= 0 or padding < 0:
            raise ConfigError(f"RandomCropPad needs size > 0 and padding >= 0, got {size}, {padding}")
        self.size, self.padding = int(size), int(padding)

    def __call__(self, img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        p = self.padding
        if p:
            img = np.pad(img, ((p, p), (p, p), (0, 0)))
        h, w = img.shape[:2]
        i = int(rng.integers(0, h - self.size + 1))
        j = int(rng.integers(0, w - self.size + 1))
        return img[i:i + self.size, j:j + self.size]

    def __repr__(self) -> str:
        return f"RandomCropPad(size={self.size}, padding={self.padding})"


class RandomHorizontalFlip:
    """Mirror left-right with probability ``p`` (numpy arrays or PIL images)."""

    def __init__(self, p: float = 0.5) -> None:
        self.p = float(p)

    def __call__(self, img: Any, rng: np.random.Generator) -> Any:
        if rng.random() < self.p:
            if isinstance(img, Image.Image):
                return img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
            return img[:, ::-1]
        return img

    def __repr__(self) -> str:
        return f"RandomHorizontalFlip(p={self.p})"


class ToTensorNormalize:
    """uint8 RGB (numpy ``(H, W, 3)`` or PIL) -> float32 ``(3, H, W)`` tensor, ``(x/255 - mean)/std``."""

    def __init__(self, mean: Sequence[float], std: Sequence[float]) -> None:
        self.mean = np.asarray(mean, dtype=np.float32).reshape(3, 1, 1)
        self.std = np.asarray(std, dtype=np.float32).reshape(3, 1, 1)

    def __call__(self, img: Any, rng: np.random.Generator | None = None) -> torch.Tensor:
        if isinstance(img, Image.Image):
            img = np.asarray(img.convert("RGB"))
        arr = np.asarray(img, dtype=np.float32).transpose(2, 0, 1) / np.float32(255.0)
        return torch.from_numpy(np.ascontiguousarray((arr - self.mean) / self.std))

    def __repr__(self) -> str:
        return f"ToTensorNormalize(mean={self.mean.ravel().tolist()}, std={self.std.ravel().tolist()})"


class Cutout:
    """Zero a ``length`` x ``length`` square (clipped at the borders) at a random centre of a tensor."""

    def __init__(self, length: int) -> None:
        if length <= 0:
            raise ConfigError(f"cutout length must be positive, got {length}")
        self.length = int(length)

    def __call__(self, img: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
        h, w = img.shape[-2:]
        cy, cx = int(rng.integers(0, h)), int(rng.integers(0, w))
        half = self.length // 2
        y0, y1 = max(cy - half, 0), min(cy + half, h)
        x0, x1 = max(cx - half, 0), min(cx + half, w)
        img = img.clone()
        img[..., y0:y1, x0:x1] = 0.0
        return img

    def __repr__(self) -> str:
        return f"Cutout(length={self.length})"


class RandomResizedCrop:
    """Crop a random area fraction/aspect ratio of a PIL image and resize it to ``size`` x ``size``."""

    def __init__(self, size: int, scale: tuple[float, float] = (0.08, 1.0),
                 ratio: tuple[float, float] = (3 / 4, 4 / 3)) -> None:
        self.size, self.scale, self.ratio = int(size), scale, ratio

    def _box(self, width: int, height: int, rng: np.random.Generator) -> tuple[int, int, int, int]:
        area = width * height
        log_lo, log_hi = math.log(self.ratio[0]), math.log(self.ratio[1])
        for _ in range(10):
            target = area * rng.uniform(*self.scale)
            aspect = math.exp(rng.uniform(log_lo, log_hi))
            w = int(round(math.sqrt(target * aspect)))
            h = int(round(math.sqrt(target / aspect)))
            if 0 < w <= width and 0 < h <= height:
                top = int(rng.integers(0, height - h + 1))
                left = int(rng.integers(0, width - w + 1))
                return left, top, w, h
        # fall back to the largest central crop with an allowed aspect ratio
        in_ratio = width / height
        if in_ratio < self.ratio[0]:
            w, h = width, int(round(width / self.ratio[0]))
        elif in_ratio > self.ratio[1]:
            h, w = height, int(round(height * self.ratio[1]))
        else:
            w, h = width, height
        return (width - w) // 2, (height - h) // 2, w, h

    def __call__(self, img: Image.Image, rng: np.random.Generator) -> Image.Image:
        left, top, w, h = self._box(img.width, img.height, rng)
        return img.resize((self.size, self.size), Image.Resampling.BILINEAR,
                          box=(left, top, left + w, top + h))

    def __repr__(self) -> str:
        return f"RandomResizedCrop(size={self.size}, scale={self.scale}, ratio={self.ratio})"


class ColorJitter:
    """Random brightness, contrast and saturation factors in ``[1 - s, 1 + s]`` (PIL images)."""

    def __init__(self, brightness: float = 0.4, contrast: float = 0.4, saturation: float = 0.4) -> None:
        self.strengths = (float(brightness), float(contrast), float(saturation))

    def __call__(self, img: Image.Image, rng: np.random.Generator) -> Image.Image:
        enhancers = (ImageEnhance.Brightness, ImageEnhance.Contrast, ImageEnhance.Color)
        for idx in rng.permutation(3):
            s = self.strengths[idx]
            if s > 0:
                img = enhancers[idx](img).enhance(float(rng.uniform(max(0.0, 1 - s), 1 + s)))
        return img

    def __repr__(self) -> str:
        return "ColorJitter(brightness={}, contrast={}, saturation={})".format(*self.strengths)


class ResizeShorter:
    """Resize a PIL image so its shorter side is ``size`` (bilinear)."""

    def __init__(self, size: int) -> None:
        self.size = int(size)

    def __call__(self, img: Image.Image, rng: np.random.Generator | None = None) -> Image.Image:
        w, h = img.size
        if w <= h:
            new = (self.size, max(1, int(round(h * self.size / w))))
        else:
            new = (max(1, int(round(w * self.size / h))), self.size)
        return img.resize(new, Image.Resampling.BILINEAR)

    def __repr__(self) -> str:
        return f"ResizeShorter({self.size})"


class CenterCrop:
    """Take the central ``size`` x ``size`` region of a PIL image."""

    def __init__(self, size: int) -> None:
        self.size = int(size)

    def __call__(self, img: Image.Image, rng: np.random.Generator | None = None) -> Image.Image:
        w, h = img.size
        left, top = int(round((w - self.size) / 2)), int(round((h - self.size) / 2))
        return img.crop((left, top, left + self.size, top + self.size))

    def __repr__(self) -> str:
        return f"CenterCrop({self.size})"


def small_image_transform(mean: Sequence[float], std: Sequence[float], size: int, padding: int,
                          augment: bool, cutout: int = 0) -> Compose:
    """CIFAR / ImageNet16 pipeline: [crop with padding + flip] + normalise [+ cutout]."""
    steps: list[Transform] = []
    if augment:
        steps += [RandomCropPad(size, padding), RandomHorizontalFlip()]
    steps.append(ToTensorNormalize(mean, std))
    if augment and cutout > 0:
        steps.append(Cutout(cutout))
    return Compose(steps)


def imagenet_transform(mean: Sequence[float], std: Sequence[float], augment: bool,
                       color_jitter: float = 0.0, size: int = 224, resize: int = 256) -> Compose:
    """ImageNet pipeline: random-resized-crop + flip [+ jitter] when training, else resize + centre crop."""
    if augment:
        steps: list[Transform] = [RandomResizedCrop(size), RandomHorizontalFlip()]
        if color_jitter > 0:
            steps.append(ColorJitter(color_jitter, color_jitter, color_jitter))
    else:
        steps = [ResizeShorter(resize), CenterCrop(size)]
    steps.append(ToTensorNormalize(mean, std))
    return Compose(steps)
