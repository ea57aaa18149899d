"""Load, validate and lint the process definitions: the one source of truth for stages and milestones."""

from api.process.loader import DefinitionsInvalid, load_definitions, read_definitions
from api.process.models import (
    Branding,
    Colour,
    Competitor,
    ContentItem,
    ContentKind,
    ContentUse,
    Milestone,
    Objection,
    Outcome,
    Play,
    Process,
    ProcessDefinitions,
    Stage,
)
from api.process.problems import Problem, Severity

__all__ = [
    "Branding",
    "Colour",
    "Competitor",
    "ContentItem",
    "ContentKind",
    "ContentUse",
    "DefinitionsInvalid",
    "Milestone",
    "Objection",
    "Outcome",
    "Play",
    "Problem",
    "Process",
    "ProcessDefinitions",
    "Severity",
    "Stage",
    "load_definitions",
    "read_definitions",
]
