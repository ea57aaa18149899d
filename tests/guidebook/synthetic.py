"""Write a synthetic process definitions folder: any number of stages and milestones, valid YAML."""

from __future__ import annotations

from pathlib import Path

COMPETITORS = ("acme", "globex")
WORDS = ("budget", "timeline", "champion", "security", "pricing", "rollout", "legal", "renewal")


def write_definitions(folder: Path, *, stages: int = 4, milestones: int = 3, process_key: str = "synthetic") -> Path:
    """A folder with one process of `stages` open stages (plus won and lost) × `milestones` each."""
    for sub in ("processes", "competitors", "content"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    for key in COMPETITORS:
        (folder / "competitors" / f"{key}.yaml").write_text(_competitor(key, key.title(), status_quo=False))
    (folder / "competitors" / "status-quo.yaml").write_text(_competitor("status-quo", "Status quo", status_quo=True))
    (folder / "content" / "library.yaml").write_text(
        "content:\n"
        "  - key: overview-deck\n    title: Overview deck\n    kind: deck\n"
        "    url: https://content.example/overview\n    description: The overview.\n"
    )
    (folder / "processes" / f"{process_key}.yaml").write_text(_process(process_key, stages, milestones))
    return folder


def _competitor(key: str, name: str, *, status_quo: bool) -> str:
    return (
        f"key: {key}\nname: {name}\nstatus_quo: {'true' if status_quo else 'false'}\n"
        f"summary: {name} in a sentence.\n"
        f"when_we_win: [We win against {name} on rollout.]\n"
        f"when_they_win: [{name} wins on price.]\n"
        f"strengths: [{name} is cheap.]\nweaknesses: [{name} is slow.]\n"
        f"landmines: [How long did {name} take to roll out?]\n"
        f"objections:\n  - objection: {name} is cheaper.\n    response: Compare the total cost.\n"
        f"proof_points: [Three customers left {name} for us.]\n"
    )


def _process(key: str, stages: int, milestones: int) -> str:
    lines = [
        f"key: {key}",
        f"name: Synthetic {stages}x{milestones}",
        "description: A generated process for tests and timings.",
        f"milestone_limit: {max(milestones, 1)}",
        "stages:",
    ]
    for s in range(1, stages + 1):
        lines += [
            f"  - key: stage-{s}",
            f"    name: Stage {s}",
            f"    objective: Deals in stage {s} have met objective {s}.",
            f"    probability: {round(s / (stages + 1), 2)}",
            "    milestones:",
        ]
        for m in range(1, milestones + 1):
            word = WORDS[(s * milestones + m) % len(WORDS)]
            lines += [
                f"      - key: s{s}-m{m}",
                f"        title: Milestone {m} of stage {s}",
                f"        mandatory: {'true' if m == 1 else 'false'}",
                f"        weight: {m}",
                f"        typical_days: {m + 1}",
                f"        why: Deals without the {word} step {s}.{m} stall.",
                f"        ask: Ask the buyer for the zx{s}q{m} {word} review.",
                f"        questions: [Who owns the {word} decision?, When is the {word} deadline?]",
                f"        activities: [Write up the {word} notes.]",
                "        content:",
                "          - content: overview-deck",
                "            send_when: after the call",
                "        plays:",
            ]
            for competitor in (*COMPETITORS, "status-quo"):
                lines += [
                    f"          - competitor: {competitor}",
                    f"            play: Against {competitor} at {s}.{m}, lead with {word}.",
                    f"            talk_track: Unlike {competitor}, we handle {word} for you.",
                ]
    lines += [
        "  - key: closed-won",
        "    name: Closed Won",
        "    objective: The contract is signed.",
        "    probability: 1",
        "    outcome: won",
        "  - key: closed-lost",
        "    name: Closed Lost",
        "    objective: The deal is lost.",
        "    probability: 0",
        "    outcome: lost",
    ]
    return "\n".join(lines) + "\n"


def add_competitor(
    folder: Path, key: str, name: str, *, short_name: str | None = None, plays_on: tuple[str, ...] = ()
) -> None:
    """Another battlecard in a folder `write_definitions` made, with a play on the milestones `plays_on`."""
    short = f"short_name: {short_name}\n" if short_name else ""
    (folder / "competitors" / f"{key}.yaml").write_text(f"key: {key}\nname: {name}\n{short}summary: {name}.\n")
    process = next((folder / "processes").glob("*.yaml"))
    blocks = process.read_text().split("      - key: ")
    for index, block in enumerate(blocks):
        if block.split("\n", 1)[0] in plays_on:
            play = f"          - competitor: {key}\n            play: Against {name}, lead with the ERP.\n"
            blocks[index] = block.replace("        plays:\n", "        plays:\n" + play)
    process.write_text("      - key: ".join(blocks))
