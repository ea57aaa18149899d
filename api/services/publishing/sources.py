"""A version's content: the definition files as published, their content hash and label, and reading them
back into the process model."""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Mapping
from pathlib import Path

from api.process import ProcessDefinitions, load_definitions

Sources = Mapping[str, str]
"""Definition file texts by path relative to the definitions folder, e.g. `processes/new-business.yaml`."""


def read_sources(directory: Path) -> dict[str, str]:
    """Every YAML file under `directory` (all the loader reads), as text."""
    return {
        path.relative_to(directory).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(directory.rglob("*.y*ml"))
        if path.is_file()
    }


def write_sources(sources: Sources, directory: Path) -> Path:
    """The files, written under `directory` (which must not hold other definition files)."""
    for relative, text in sources.items():
        path = directory / relative
        if directory.resolve() not in path.resolve().parents:
            raise ValueError(f"{relative!r} is not a path inside the definitions folder")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return directory


def definitions_of(sources: Sources) -> ProcessDefinitions:
    """The process model the files describe, read exactly as `waymark check` reads a folder."""
    with tempfile.TemporaryDirectory(prefix="waymark-version-") as folder:
        return load_definitions(write_sources(sources, Path(folder)))


def content_hash(definitions: ProcessDefinitions) -> str:
    """sha256 of the content: two readings that say the same (whatever their comments and layout) match."""
    canonical = json.dumps(definitions.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def label_of(definitions: ProcessDefinitions) -> str | None:
    """The processes' own `version` labels: one when they agree, else each with its process."""
    labels = {p.key: p.version for p in definitions.processes}
    if not labels:
        return None
    if len(set(labels.values())) == 1:
        return next(iter(labels.values()))
    return ", ".join(f"{key} {label}" for key, label in labels.items())
