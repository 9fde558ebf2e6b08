"""Write deploy/constraints.txt: the exact version of every package ``ofsted-tracker[server]`` installs, as installed
in this environment (the one the tests ran in). The Dockerfile and the systemd install use it with ``pip -c``.

Run ``.venv/bin/python deploy/constraints.py`` after upgrading a dependency and commit the file.
"""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "deploy" / "constraints.txt"


def _key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins() -> dict[str, str]:
    """Package name -> installed version, for the core dependencies, the server extra and all they pull in."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    todo = [
        Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["server"]
    ]
    found: dict[str, str] = {}
    while todo:
        req = todo.pop()
        if _key(req.name) in found:
            continue
        dist = metadata.distribution(req.name)  # fails loudly when the environment lacks it
        found[_key(req.name)] = dist.version
        for text in dist.requires or []:
            sub = Requirement(text)
            extras = [""] + sorted(req.extras)
            if sub.marker is None or any(sub.marker.evaluate({"extra": e}) for e in extras):
                todo.append(sub)
    return dict(sorted(found.items()))


def main() -> None:
    lines = [f"{name}=={version}" for name, version in pins().items()]
    OUT.write_text(
        "# Exact versions for the container and the systemd install: ofsted-tracker[server] and all it pulls in,\n"
        "# as installed where the tests ran. Regenerate: .venv/bin/python deploy/constraints.py\n"
        + "\n".join(lines)
        + "\n"
    )
    print(f"{OUT}: {len(lines)} packages")


if __name__ == "__main__":
    main()
