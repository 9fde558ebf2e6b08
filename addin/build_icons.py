"""Draw the add-in's ribbon and manifest icons (16, 32, 64 and 80 px PNG) from code, with no image library.

Run ``python -m ofsted_tracker.addin.build_icons`` after changing the drawing; it rewrites
``addin/server/static/images/improvement-plan-<size>.png`` and tests/test_deploy.py checks the files still match.
The drawing: a rounded dark-teal tile with three white bars rising left to right (a plan's progress) and a green
tick, scaled to each size with 4x4 supersampling so the small sizes stay clean.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

SIZES = (16, 32, 64, 80)
FOLDER = Path(__file__).resolve().parent / "server" / "static" / "images"
TILE = (0, 94, 102)  # dark teal
BAR = (255, 255, 255)
TICK = (120, 220, 90)
SAMPLES = 4


def _shape(x: float, y: float) -> tuple[int, int, int] | None:
    """The colour at (x, y) in a unit square, or None outside the tile (transparent)."""
    radius = 0.18
    cx = min(max(x, radius), 1 - radius)
    cy = min(max(y, radius), 1 - radius)
    if (x - cx) ** 2 + (y - cy) ** 2 > radius**2:
        return None
    for left, top in ((0.17, 0.62), (0.39, 0.45), (0.61, 0.28)):
        if left <= x <= left + 0.17 and top <= y <= 0.83:
            return BAR
    # the tick: two strokes of width 0.07 from (0.56, 0.2) down to (0.66, 0.3) then up to (0.86, 0.1)
    for (x0, y0), (x1, y1) in (((0.58, 0.17), (0.68, 0.27)), ((0.68, 0.27), (0.86, 0.09))):
        dx, dy = x1 - x0, y1 - y0
        t = max(0.0, min(1.0, ((x - x0) * dx + (y - y0) * dy) / (dx * dx + dy * dy)))
        if (x - x0 - t * dx) ** 2 + (y - y0 - t * dy) ** 2 <= 0.045**2:
            return TICK
    return TILE


def pixels(size: int) -> list[bytes]:
    """The icon's rows as RGBA bytes, each pixel the average of SAMPLES x SAMPLES points."""
    rows = []
    for row in range(size):
        line = bytearray()
        for col in range(size):
            red = green = blue = alpha = 0
            for sy in range(SAMPLES):
                for sx in range(SAMPLES):
                    x = (col + (sx + 0.5) / SAMPLES) / size
                    y = (row + (sy + 0.5) / SAMPLES) / size
                    colour = _shape(x, y)
                    if colour:
                        red, green, blue, alpha = (
                            red + colour[0],
                            green + colour[1],
                            blue + colour[2],
                            alpha + 1,
                        )
            n = SAMPLES * SAMPLES
            if alpha:
                line += bytes((red // alpha, green // alpha, blue // alpha, 255 * alpha // n))
            else:
                line += bytes(4)
        rows.append(bytes(line))
    return rows


def png(size: int) -> bytes:
    """The icon at ``size`` px as a PNG file (8-bit RGBA, no interlace)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    raw = b"".join(b"\x00" + row for row in pixels(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def path(size: int) -> Path:
    return FOLDER / f"improvement-plan-{size}.png"


def main() -> None:
    FOLDER.mkdir(parents=True, exist_ok=True)
    for size in SIZES:
        path(size).write_bytes(png(size))
        print(path(size))


if __name__ == "__main__":
    main()
