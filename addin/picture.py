"""A picture of the "Improvement Plan" ribbon tab drawn from the customUI, for the README (no Excel needed).

Groups, buttons, labels and the first button's tooltip come from ``ribbon.xml``; the icons are simple
stand-ins for Office's built-in ones (named by ``imageMso``), which only Excel can draw.
Run ``python -m addin.picture docs/ribbon-tab.png`` to redraw it after changing the ribbon.
"""

from __future__ import annotations

import sys
import textwrap
from itertools import groupby
from pathlib import Path

from addin import customui

TABS_BEFORE, TABS_AFTER = ("File", "Home"), ("Insert", "Page Layout", "Formulas", "Data", "Review", "View")
GREEN = "#217346"  # Excel's green
BUTTON_W, GAP, PAD = 1.15, 0.25, 0.2


def _icon(ax, image: str, x: float, y: float) -> None:
    """A stand-in for a built-in icon, centred at (x, y), about 0.5 units wide."""
    from matplotlib import patches

    if image == "AcceptInvitation":
        ax.add_patch(patches.Circle((x, y), 0.24, color="#2E8B3D"))
        ax.plot([x - 0.12, x - 0.03, x + 0.13], [y, y - 0.1, y + 0.11], color="white", lw=3, solid_capstyle="round")
    elif image == "RefreshAll":
        ax.add_patch(patches.Arc((x, y), 0.44, 0.44, theta1=30, theta2=300, color="#2F6FB5", lw=3))
        ax.add_patch(patches.FancyArrow(x + 0.2, y + 0.1, 0.0, 0.12, width=0.02, head_width=0.13,
                                        head_length=0.09, color="#2F6FB5"))
    elif image == "ExportWord":
        ax.add_patch(patches.FancyBboxPatch((x - 0.17, y - 0.24), 0.34, 0.48, boxstyle="round,pad=0.01",
                                            fc="white", ec="#2B579A", lw=1.5))
        ax.add_patch(patches.Rectangle((x - 0.27, y - 0.13), 0.3, 0.26, color="#2B579A"))
        ax.text(x - 0.12, y, "W", color="white", ha="center", va="center", fontsize=9, fontweight="bold")
    elif image == "GoTo":
        ax.add_patch(patches.Rectangle((x - 0.22, y - 0.22), 0.44, 0.44, fc="white", ec="#7F7F7F", lw=1))
        ax.add_patch(patches.FancyArrow(x - 0.2, y - 0.15, 0.26, 0.2, width=0.05, head_width=0.17,
                                        head_length=0.12, color="#C00000"))
    else:
        ax.add_patch(patches.Rectangle((x - 0.22, y - 0.22), 0.44, 0.44, color="#A6A6A6"))
        ax.text(x, y, image[:1], ha="center", va="center", color="white", fontweight="bold")


def draw(out: Path, ribbon: Path = customui.RIBBON_XML) -> list[str]:
    """Draw the tab into ``out`` (PNG); returns the texts drawn, in order, so a test can compare them with the XML."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import patches, pyplot as plt

    root = customui.check(customui.load(ribbon))
    tab = next(root.iter(f"{{{customui.CUSTOMUI_NS}}}tab")).get("label")
    buttons = customui.buttons(root)
    groups = [(label, list(items)) for label, items in groupby(buttons, key=lambda b: b.group)]
    width = 12.0
    fig, ax = plt.subplots(figsize=(width * 0.8, 4.0), dpi=150)
    ax.set_xlim(0, width)
    ax.set_ylim(-1.75, 2.4)
    ax.axis("off")
    renderer = fig.canvas.get_renderer()
    to_data = ax.transData.inverted()
    drawn: list[str] = []

    def text(x: float, y: float, s: str, **kw):
        drawn.append(s)
        return ax.text(x, y, s, **kw)

    def extent(artist) -> tuple[float, float, float, float]:
        (x0, y0), (x1, y1) = to_data.transform(artist.get_window_extent(renderer).get_points())
        return x0, y0, x1, y1

    ax.add_patch(patches.Rectangle((0, 2.05), width, 0.35, color=GREEN))
    text(width / 2, 2.22, "lewisham-tracker.xlsx - Excel", ha="center", va="center", fontsize=8.5, color="white")
    x = 0.2
    for name in (*TABS_BEFORE, tab, *TABS_AFTER):
        selected = name == tab
        label = text(x + 0.12, 1.82, name, ha="left", va="center", fontsize=9.5, color=GREEN if selected else "#262626",
                     fontweight="bold" if selected else "normal")
        x0, _, x1, _ = extent(label)
        if selected:
            ax.add_patch(patches.Rectangle((x0 - 0.12, 1.6), x1 - x0 + 0.24, 0.42, fc="#F3F3F3", ec="#C8C8C8",
                                           zorder=0))
            ax.plot([x0, x1], [1.64, 1.64], color=GREEN, lw=3)
        x = x1 + 0.2
    ax.add_patch(patches.Rectangle((0, -0.25), width, 1.85, fc="#F3F3F3", ec="#C8C8C8", zorder=0))
    x = PAD
    first = None
    for label, items in groups:
        caption = text(0, -0.17, label, ha="center", va="bottom", fontsize=8, color="#595959")
        x0, _, x1, _ = extent(caption)
        span = max(len(items) * BUTTON_W, x1 - x0 + 0.3)
        caption.set_x(x + span / 2)
        left = x + (span - len(items) * BUTTON_W) / 2
        for button in items:
            cx = left + BUTTON_W / 2
            _icon(ax, button.image, cx, 1.15)
            text(cx, 0.72, "\n".join(textwrap.wrap(button.label, 11)), ha="center", va="top", fontsize=8.5)
            first = first or (cx, button)
            left += BUTTON_W
        x += span + GAP / 2
        ax.plot([x, x], [-0.15, 1.5], color="#C8C8C8", lw=1)
        x += GAP / 2
    if first:
        cx, button = first
        top = -0.4
        title = text(cx, top - 0.12, button.screentip, ha="left", va="top", fontsize=8.5, fontweight="bold")
        body = text(cx, extent(title)[1] - 0.1, "\n".join(textwrap.wrap(button.supertip, 72)), ha="left", va="top",
                    fontsize=8, linespacing=1.35)
        x0, y0, x1, _ = extent(body)
        ax.add_patch(patches.Rectangle((cx - 0.15, y0 - 0.12), max(x1, extent(title)[2]) - cx + 0.3, top - y0 + 0.12,
                                       fc="white", ec="#8C8C8C", zorder=0.5))
    fig.savefig(out, bbox_inches="tight", facecolor="white")
    plt.close(fig)
    return drawn


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/ribbon-tab.png")
    target.parent.mkdir(parents=True, exist_ok=True)
    draw(target)
    print(f"Drew {target}")
