"""The fields enablement staff use to shape the guidebook: competitor order, short names, objection
phrasings and branding. All optional: files without them load as before."""

from __future__ import annotations

from pathlib import Path

from api.process import Colour, load_definitions, read_definitions

STATUS_QUO_FIRST = ["status-quo", "rival"]


def _keys(folder: Path) -> list[str]:
    definitions = load_definitions(folder)
    return [c.key for c in definitions.competitors_in_order(definitions.processes[0])]


def test_without_an_order_the_status_quo_comes_first(definitions_copy: Path) -> None:
    assert _keys(definitions_copy) == STATUS_QUO_FIRST


def test_a_process_orders_its_competitors_and_the_rest_follow(definitions_copy: Path) -> None:
    # given a third competitor, listed first by the process
    (definitions_copy / "competitors" / "acme.yaml").write_text("key: acme\nname: Acme\nsummary: A rival.\n")
    starter = definitions_copy / "processes" / "starter.yaml"
    starter.write_text(starter.read_text().replace("stages:\n", "competitor_order: [rival]\nstages:\n", 1))

    # then rival first as declared, then the status quo, then the others by name
    assert _keys(definitions_copy) == ["rival", "status-quo", "acme"]


def test_an_unknown_or_repeated_competitor_in_the_order_is_an_error(definitions_copy: Path) -> None:
    starter = definitions_copy / "processes" / "starter.yaml"
    text = starter.read_text().replace("stages:\n", "competitor_order: [rival, rivals, rival]\nstages:\n", 1)
    starter.write_text(text)

    errors = [str(p) for p in read_definitions(definitions_copy).errors]

    assert errors == [
        "process_definitions/processes/starter.yaml:5:27: competitor_order[1]: "
        "unknown competitor 'rivals' (known: rival, status-quo)",
        "process_definitions/processes/starter.yaml:5:35: competitor_order[2]: "
        "'rival' is listed twice; list each competitor once",
    ]


def test_a_short_name_labels_tabs_and_the_name_stays_the_title(definitions_copy: Path) -> None:
    rival = definitions_copy / "competitors" / "rival.yaml"
    rival.write_text(rival.read_text().replace("name: Rival Software\n", "name: Rival Software\nshort_name: Rival\n"))

    definitions = load_definitions(definitions_copy)

    competitor = definitions.competitor("rival")
    assert competitor is not None
    assert (competitor.name, competitor.label) == ("Rival Software", "Rival")
    status_quo = definitions.competitor("status-quo")
    assert status_quo is not None
    assert status_quo.label == "Status quo"


def test_a_short_name_longer_than_a_tab_is_an_error(definitions_copy: Path) -> None:
    rival = definitions_copy / "competitors" / "rival.yaml"
    rival.write_text(rival.read_text() + "short_name: Rival Software Enterprise Suite\n")

    [error] = read_definitions(definitions_copy).errors

    assert error.field == "short_name"
    assert error.message.startswith("string should have at most 24 characters")


def test_objections_list_the_other_ways_buyers_say_them(definitions_copy: Path) -> None:
    rival = definitions_copy / "competitors" / "rival.yaml"
    rival.write_text(
        rival.read_text()
        + "objections:\n"
        + "  - objection: Rival is cheaper.\n"
        + "    also_heard: [We got a better price from Rival., Rival costs less.]\n"
        + "    response: Compare three years, not one.\n"
    )

    competitor = load_definitions(definitions_copy).competitor("rival")

    assert competitor is not None
    assert competitor.objections[0].also_heard == ("We got a better price from Rival.", "Rival costs less.")


def test_an_unknown_content_kind_lists_the_kinds_and_the_fallback(definitions_copy: Path) -> None:
    library = definitions_copy / "content" / "library.yaml"
    library.write_text(library.read_text().replace("kind: calculator", "kind: webinar"))

    [error] = read_definitions(definitions_copy).errors

    assert error.field == "content[0].kind"
    assert error.message.startswith("'webinar' is not one of: 'case-study', 'calculator',")
    assert error.message.endswith("'other' (use 'other' for anything else)")


def test_branding_names_and_colours_the_guidebook(definitions_copy: Path) -> None:
    (definitions_copy / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    (definitions_copy / "branding.yaml").write_text(
        "site_name: Acme sales guidebook\nprimary_color: teal\nlogo: logo.svg\ncopyright: Acme Ltd.\n"
    )

    branding = load_definitions(definitions_copy).branding

    assert (branding.site_name, branding.primary_color, branding.logo) == (
        "Acme sales guidebook",
        Colour.TEAL,
        "logo.svg",
    )
    assert branding.accent_color is None


def test_without_a_branding_file_nothing_is_set(definitions_copy: Path) -> None:
    branding = load_definitions(definitions_copy).branding

    assert branding.model_dump(exclude_none=True) == {}


def test_a_logo_must_be_an_image_in_the_folder(definitions_copy: Path) -> None:
    branding = definitions_copy / "branding.yaml"
    problems = {}
    for logo in ("../logo.svg", "notes.txt", "'<svg><g></svg>'", "'<svg><script>'", "'<p>not an svg</p>'"):
        branding.write_text(f"site_name: Acme\nlogo: {logo}\n")
        [error] = read_definitions(definitions_copy).errors
        problems[logo] = (str(error.path), error.line, error.field, error.message)

    assert problems == {
        "../logo.svg": (
            "process_definitions/branding.yaml",
            2,
            "logo",
            "'../logo.svg' is outside the process definitions folder: put the image next to branding.yaml",
        ),
        "notes.txt": (
            "process_definitions/branding.yaml",
            2,
            "logo",
            "'notes.txt' is not an image the guidebook can show: use an SVG, PNG, JPEG or WebP file",
        ),
        "'<svg><g></svg>'": (
            "process_definitions/branding.yaml",
            2,
            "logo",
            "the SVG logo is not well-formed: mismatched tag: line 1, column 10",
        ),
        "'<svg><script>'": (
            "process_definitions/branding.yaml",
            2,
            "logo",
            "the SVG logo is not well-formed: no element found: line 1, column 13",
        ),
        "'<p>not an svg</p>'": (
            "process_definitions/branding.yaml",
            2,
            "logo",
            "'<p>not an svg</p>' is not an image the guidebook can show: use an SVG, PNG, JPEG or WebP file",
        ),
    }


def test_a_missing_logo_file_is_a_warning_and_the_rest_loads(definitions_copy: Path) -> None:
    (definitions_copy / "branding.yaml").write_text("site_name: Acme\nlogo: missing.svg\n")

    report = read_definitions(definitions_copy)

    assert report.definitions is not None
    assert [str(p) for p in report.warnings] == [
        "process_definitions/branding.yaml:2:7: logo: warning: no file 'missing.svg' in process_definitions/: "
        "the guidebook shows its default icon"
    ]


def test_a_logo_written_out_as_svg_needs_no_file(definitions_copy: Path) -> None:
    svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>'
    (definitions_copy / "branding.yaml").write_text(f"logo: '{svg}'\n")

    report = read_definitions(definitions_copy)

    assert report.problems == ()
    assert report.definitions is not None
    assert report.definitions.branding.logo == svg


def test_an_unknown_colour_lists_the_colours(definitions_copy: Path) -> None:
    (definitions_copy / "branding.yaml").write_text("primary_color: ledgerwell-blue\n")

    [error] = read_definitions(definitions_copy).errors

    assert str(error).startswith(
        "process_definitions/branding.yaml:1:16: primary_color: 'ledgerwell-blue' is not one of: 'red', 'pink',"
    )
