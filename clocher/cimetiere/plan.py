"""The SVG plan of a cemetery, drawn on the server from plot geometry.

Each plot is a link (``<a href>`` around a ``<polygon>`` or ``<rect>``, named by its ``<title>``)
to its page, filled with the colour *and the pattern* of its legal state, so the plan does not
rely on colour alone; the legend shows colour, pattern and a letter for each state. The same data
is given as a table (``PlanDrawing.sections``) so the drawing is never the only way in.

Geometry is a polygon in the cemetery's metric frame (metres, y growing northwards, see
``Plot.geometry``); a plot without geometry is drawn from its grid cell (``grid_*``, one cell =
``CELL_METRES``), and a plot with neither is listed in the table only. No map tiles, no script:
the SVG is plain markup inside the page.

Speed: a cemetery of 10,000 plots renders in well under 300 ms (``bench/cemetery_plan.py``):
one pass over the plots, strings joined once, URLs built from a template instead of ``reverse()``
per plot.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from html import escape
from typing import Any, NamedTuple

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clocher.cimetiere.models import PlotKind
from clocher.core.reversing import url_builder

CELL_METRES = 1.0
PADDING_METRES = 1.0
PATTERN_METRES = 0.4
BACKGROUND = "#ffffff"
OUTLINE = "#ffffff"
NOT_DRAWN = "not_drawn"


@dataclass(frozen=True)
class StateStyle:
    """How one legal state looks: a fill colour (at least 3:1 against the white background; in
    fact 4.5:1 so the white marks and letters on it read too), a pattern and a letter."""

    key: str
    label: Any
    colour: str
    letter: str
    pattern: str  # "solid", "diagonal", "dots", "horizontal", "cross", "vertical", "backslash"


STATE_STYLES: dict[str, StateStyle] = {
    style.key: style
    for style in (
        StateStyle("free", gettext_lazy("Libre"), "#2f6f3e", "L", "solid"),
        StateStyle("occupied", gettext_lazy("Occupé"), "#4f5861", "O", "diagonal"),
        StateStyle("expiring", gettext_lazy("Expire dans l'année"), "#8a5300", "E", "dots"),
        StateStyle(
            "renewal_window",
            gettext_lazy("Expirée, délai de renouvellement"),
            "#b03a00",
            "R",
            "horizontal",
        ),
        StateStyle("repossessable", gettext_lazy("Reprenable"), "#a4262c", "P", "cross"),
        StateStyle(
            "common_ground_reusable",
            gettext_lazy("Terrain commun réutilisable"),
            "#1d4e89",
            "T",
            "vertical",
        ),
        StateStyle(
            "under_procedure",
            gettext_lazy("Procédure de reprise en cours"),
            "#6a2c91",
            "A",
            "backslash",
        ),
    )
}
UNKNOWN_STATE = "free"


def state_key(state: Any) -> str:
    """The style key of a ``legal_clock.PlotState`` (or of its value, or of its name)."""
    if state is None:
        return UNKNOWN_STATE
    name = getattr(state, "name", None)
    for candidate in (str(getattr(state, "value", state)).lower(), str(name or "").lower()):
        if candidate in STATE_STYLES:
            return candidate
    return UNKNOWN_STATE


def _pattern_marks(pattern: str, size: float) -> str:
    half, stroke = size / 2, size / 6
    line = f'stroke="#ffffff" stroke-width="{stroke:.3f}"'
    if pattern == "diagonal":
        return f'<path d="M0 {size} L{size} 0" {line}/>'
    if pattern == "backslash":
        return f'<path d="M0 0 L{size} {size}" {line}/>'
    if pattern == "horizontal":
        return f'<path d="M0 {half} H{size}" {line}/>'
    if pattern == "vertical":
        return f'<path d="M{half} 0 V{size}" {line}/>'
    if pattern == "cross":
        return f'<path d="M0 0 L{size} {size} M0 {size} L{size} 0" {line}/>'
    if pattern == "dots":
        return f'<circle cx="{half}" cy="{half}" r="{size / 5:.3f}" fill="#ffffff"/>'
    return ""


def pattern_defs(prefix: str, size: float, *, flipped: bool = False) -> str:
    """``<defs>`` with one pattern per state: the state's colour and its white marks.
    ``flipped`` undoes the plan's north-up flip so marks look the same as in the legend."""
    parts = ["<defs>"]
    transform = ' patternTransform="scale(1 -1)"' if flipped else ""
    for style in STATE_STYLES.values():
        parts.append(
            f'<pattern id="{prefix}-{style.key}" patternUnits="userSpaceOnUse"{transform} '
            f'width="{size}" height="{size}"><rect width="{size}" height="{size}" '
            f'fill="{style.colour}"/>{_pattern_marks(style.pattern, size)}</pattern>'
        )
    parts.append("</defs>")
    return "".join(parts)


def legend_swatch(key: str) -> SafeString:
    """A small standalone SVG showing the colour, the pattern and the letter of a state."""
    style = STATE_STYLES[key]
    prefix = f"legend-{key}"
    return mark_safe(  # noqa: S308 - built from constants only
        f'<svg xmlns="http://www.w3.org/2000/svg" width="36" height="24" viewBox="0 0 36 24" '
        f'aria-hidden="true" focusable="false" class="plan-swatch">'
        f"{pattern_defs(prefix, 8)}"
        f'<rect x="1" y="1" width="34" height="22" fill="url(#{prefix}-{key})" '
        f'stroke="#1b1f23" stroke-width="1"/>'
        f'<rect x="11" y="4" width="14" height="16" fill="{style.colour}"/>'
        f'<text x="18" y="17" text-anchor="middle" font-size="14" font-weight="700" '
        f'font-family="sans-serif" fill="#ffffff">{style.letter}</text></svg>'
    )


class PlanRow(NamedTuple):
    """One line of the plan's text alternative."""

    pk: int
    number: str
    kind_label: str
    state: StateStyle
    is_drawn: bool
    url: str


@dataclass
class PlanDrawing:
    svg: SafeString
    drawn_count: int
    sections: list[tuple[Any, list[PlanRow]]] = field(default_factory=list)
    legend: list[tuple[StateStyle, SafeString, int]] = field(default_factory=list)

    def table_sections(self) -> list[tuple[Any, int, SafeString]]:
        """``(section, number of plots, <tr> rows)`` of the text alternative, built here rather
        than in the template: ten thousand rows take 20 ms this way, a second in the template."""
        placed, not_placed = escape(_("oui")), escape(_("non placé"))
        states = {
            key: f"{style.letter} — {escape(str(style.label))}"
            for key, style in STATE_STYLES.items()
        }
        tables = []
        for section, rows in self.sections:
            body = "".join(
                [
                    f'<tr><th scope="row"><a href="{escape(row.url)}">{escape(row.number)}</a>'
                    f"</th><td>{escape(row.kind_label)}</td><td>{states[row.state.key]}</td>"
                    f"<td>{placed if row.is_drawn else not_placed}</td></tr>"
                    for row in rows
                ]
            )
            tables.append((section, len(rows), mark_safe(body)))  # noqa: S308 - escaped above
        return tables


def _grid_polygon(plot: Any) -> list[tuple[float, float]] | None:
    if plot.grid_x is None or plot.grid_y is None:
        return None
    x0 = plot.grid_x * CELL_METRES
    # Grid rows grow southwards (downwards on screen): y in the metric frame is negative.
    y0 = -plot.grid_y * CELL_METRES
    x1 = x0 + max(plot.grid_width or 1, 1) * CELL_METRES
    y1 = y0 - max(plot.grid_height or 1, 1) * CELL_METRES
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


def _points(geometry: Any) -> str | None:
    """``"x,y x,y …"`` (metres, two decimals) of a stored outline, or None when it is not a
    list of at least three numeric points. ``%f`` refuses anything but a number, so a string in
    the data can never reach the markup."""
    if type(geometry) is not list or len(geometry) < 3:
        return None
    try:
        return " ".join(["%.2f,%.2f" % (point[0], point[1]) for point in geometry])  # noqa: UP031
    except (TypeError, ValueError, IndexError, KeyError):
        return None


def plot_url_builder(commune_slug: str) -> Callable[[int], str]:
    """``pk → URL of the plot page``, reversing once instead of once per plot."""
    return url_builder(
        "staff:cimetiere:plot", kwargs={"commune_slug": commune_slug}, variable="plot"
    )


def render_plan(
    plots: Iterable[Any],
    states: Mapping[int, Any],
    *,
    sections: Mapping[int, Any],
    plot_url: Callable[[int], str],
    title: str,
    title_id: str = "plan-title",
    description_id: str = "plan-description",
) -> PlanDrawing:
    """Draw ``plots`` (``selectors.PlanPlot`` or anything with the same attributes) coloured by
    ``states`` (``legal_clock.plot_states``); return the SVG markup and the same data as rows,
    grouped by section (``sections``: id → section), for the text alternative."""
    style_of = {state: STATE_STYLES[state_key(state)] for state in set(states.values())}
    default_style = STATE_STYLES[UNKNOWN_STATE]
    kind_labels = {value: str(label) for value, label in PlotKind.choices}
    shapes: list[tuple[Any, StateStyle, str, str]] = []
    outlines: list[Any] = []
    rows_by_section: dict[int, list[PlanRow]] = {}
    counts = dict.fromkeys(STATE_STYLES, 0)
    for plot in plots:
        style = style_of.get(states.get(plot.pk), default_style)
        counts[style.key] += 1
        outline = plot.geometry
        points = _points(outline)
        if points is None:
            outline = _grid_polygon(plot)
            points = _points(outline) if outline is not None else None
        url = plot_url(plot.pk)
        rows = rows_by_section.get(plot.section_id)
        if rows is None:
            rows = rows_by_section[plot.section_id] = []
        rows.append(
            PlanRow(
                plot.pk,
                plot.number,
                kind_labels.get(plot.kind, plot.kind),
                style,
                points is not None,
                url,
            )
        )
        if points is not None:
            shapes.append((plot, style, points, url))
            outlines.append(outline)

    legend = [
        (style, legend_swatch(style.key), counts[style.key]) for style in STATE_STYLES.values()
    ]
    grouped = [(sections.get(key), rows) for key, rows in rows_by_section.items()]
    if not shapes:
        return PlanDrawing(svg=mark_safe(""), drawn_count=0, sections=grouped, legend=legend)

    xs = [point[0] for outline in outlines for point in outline]
    ys = [point[1] for outline in outlines for point in outline]
    min_x, max_x = min(xs) - PADDING_METRES, max(xs) + PADDING_METRES
    min_y, max_y = min(ys) - PADDING_METRES, max(ys) + PADDING_METRES
    width, height = max_x - min_x, max_y - min_y
    stroke = min(width, height) / 2000 + 0.03
    heading = escape(title)
    description = escape(
        _(
            "Chaque emplacement est coloré et hachuré selon son état ; le tableau qui suit le plan "
            "donne les mêmes informations."
        )
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="cemetery-plan" role="group" '
        f'aria-labelledby="{title_id} {description_id}" viewBox="0 0 {width:.2f} {height:.2f}" '
        f'width="100%" preserveAspectRatio="xMidYMid meet">'
        f'<title id="{title_id}">{heading}</title>'
        f'<desc id="{description_id}">{description}</desc>',
        pattern_defs("plan", PATTERN_METRES, flipped=True),
        f'<rect width="{width:.2f}" height="{height:.2f}" fill="{BACKGROUND}"/>',
        # Outlines are in metres with y growing northwards: one transform flips and shifts
        # them into the view box, instead of arithmetic on every point.
        f'<g stroke="{OUTLINE}" stroke-width="{stroke:.3f}" '
        f'transform="matrix(1 0 0 -1 {-min_x:.2f} {max_y:.2f})">',
    ]
    append = parts.append
    number_label = _("n°")
    section_labels = {key: escape(str(section)) for key, section in sections.items()}
    # The part of each link after the plot's name: « : Occupé</title><polygon … fill=… points="
    tails = {
        key: f' : {escape(str(style.label))}</title><polygon fill="url(#plan-{key})" points="'
        for key, style in STATE_STYLES.items()
    }
    for plot, style, points, url in shapes:
        section_label = section_labels.get(plot.section_id, "")
        append(
            f'<a href="{url}"><title>{section_label} {number_label} {escape(plot.number)}'
            f'{tails[style.key]}{points}"/></a>'
        )
    append("</g></svg>")
    return PlanDrawing(
        svg=mark_safe("".join(parts)),  # noqa: S308 - every dynamic value is escaped above
        drawn_count=len(shapes),
        sections=grouped,
        legend=legend,
    )


def relative_luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance of ``#rrggbb``."""
    channels = []
    for index in (1, 3, 5):
        value = int(colour[index : index + 2], 16) / 255
        channels.append(value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4)
    red, green, blue = channels
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
