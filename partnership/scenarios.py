"""A scenario explorer: change three assumptions and see how the flows and pressures described in the course move.

This is a teaching model, not a forecast. It starts from an index of 100 for each flow, meaning "the level the
cited rows describe for 2024-25", and multiplies it by three factors, one per assumption:

    index = 100 × war factor × enforcement factor × China factor

Every factor is a number the course chose and wrote down in :data:`ASSUMPTIONS`, with the reason and the rows
that motivated it. Change them (pass ``assumptions=``) and the model changes with them; nothing is hidden.
The model is deliberately independent of the exchange and leakage models of earlier chapters, so that its
assumptions can be read on one page.
"""
from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .check import Exercise
from .figures import PALETTE, CourseFigure

WAR_STATES = {"continues": "War continues", "ceasefire": "Ceasefire (frozen front)", "ends": "War ends in a settlement"}
CHINA_STANCES = {"shields": "China shields Pyongyang", "as_now": "China as now", "presses": "China presses Pyongyang"}
#: Enforcement is a change in effort by the states that enforce sanctions, in percent of the 2024-25 level.
ENFORCEMENT_RANGE = (-100, 100)
ENFORCEMENT_STEPS = (-100, -50, 0, 50, 100)


@dataclass(frozen=True)
class Flow:
    key: str
    label: str
    kind: str  # "flow" falls when enforcement rises; "pressure" rises
    baseline_rows: tuple[str, ...]
    baseline_note: str


FLOWS = (
    Flow("munitions_to_russia", "Munitions and weapons to Russia", "flow",
         ("transfers:arms-est-038", "transfers:arms-est-039", "transfers:arms-est-040"),
         "The MSMT's estimates for 2024: shells and rockets, ballistic missiles, artillery systems."),
    Flow("personnel_to_russia", "Troops and workers in Russia", "flow",
         ("force_estimates:est-019", "force_estimates:est-051"),
         "The MSMT's counts of troops sent in 2024 and workers in Russia."),
    Flow("fuel_food_to_dprk", "Fuel and food to North Korea", "flow",
         ("transfers:rp-osc-2024", "transfers:fd-inss-rice"),
         "Refined petroleum loaded at Vostochny in 2024 (OSC) and the reported rice element of the troop deal (INSS)."),
    Flow("technology_to_dprk", "Military technology to North Korea", "flow",
         ("transfers:ad-msmt-pantsir", "transfers:ew-msmt-2025", "transfers:ms-msmt-missile-data"),
         "Air defence, electronic warfare and missile data reported by the MSMT."),
    Flow("hard_currency_to_dprk", "Hard currency reaching North Korea", "flow",
         ("transfers:mo-kida-troops", "transfers:mo-nis-2025-nocash", "events:2025-10-22-msmt-second-report"),
         "Troop pay (KIDA estimate), the NIS finding of no cash for munitions, and cyber theft (MSMT)."),
    Flow("pressure_on_pyongyang", "Economic pressure on Pyongyang", "pressure",
         ("trade:prk-chn-total-2024-1", "events:2024-04-30-poe-mandate-ends", "events:2024-10-16-msmt-launch"),
         "North Korea's recorded trade, almost all with China, and the monitoring left after the UN panel ended."),
)
FLOW_KEYS = tuple(f.key for f in FLOWS)


#: The assumptions, written out: each is a multiplier on the 2024-25 index, with the course's reason and rows.
ASSUMPTIONS = {
    "war": {
        "continues": {key: 1.0 for key in FLOW_KEYS},
        "ceasefire": {"munitions_to_russia": 0.5, "personnel_to_russia": 0.6, "fuel_food_to_dprk": 0.8,
                      "technology_to_dprk": 0.8, "hard_currency_to_dprk": 0.6, "pressure_on_pyongyang": 1.1},
        "ends": {"munitions_to_russia": 0.2, "personnel_to_russia": 0.4, "fuel_food_to_dprk": 0.6,
                 "technology_to_dprk": 0.6, "hard_currency_to_dprk": 0.4, "pressure_on_pyongyang": 1.25},
    },
    # Enforcement factor for a flow = 1 - sensitivity × change (change from -1 to +1); for pressure = 1 + sensitivity × change.
    "enforcement_sensitivity": {"munitions_to_russia": 0.1, "personnel_to_russia": 0.05, "fuel_food_to_dprk": 0.25,
                                "technology_to_dprk": 0.05, "hard_currency_to_dprk": 0.35, "pressure_on_pyongyang": 0.3},
    "china": {
        "shields": {"munitions_to_russia": 1.0, "personnel_to_russia": 1.0, "fuel_food_to_dprk": 1.1,
                    "technology_to_dprk": 1.0, "hard_currency_to_dprk": 1.15, "pressure_on_pyongyang": 0.7},
        "as_now": {key: 1.0 for key in FLOW_KEYS},
        "presses": {"munitions_to_russia": 0.95, "personnel_to_russia": 1.0, "fuel_food_to_dprk": 0.9,
                    "technology_to_dprk": 1.0, "hard_currency_to_dprk": 0.8, "pressure_on_pyongyang": 1.4},
    },
}

#: Why each group of assumptions is what it is, and the rows that motivated it (rows are evidence, numbers are choices).
REASONS = (
    ("war", "Russia's demand drives the flows north. If fighting stops, demand for shells and soldiers falls most; payments in kind fall with them. Not to zero: the treaty, a road bridge, flights and reconstruction work outlast the fighting.",
     ("events:2022-09-06-pentagon-russia-seeks-dprk-ammo", "transfers:arms-est-044", "events:2024-12-04-treaty-enters-into-force",
      "events:2025-04-30-tumen-bridge-construction", "events:2025-06-17-shoigu-engineers-builders")),
    ("enforcement_sensitivity", "Enforcement by other states barely touches state-to-state shipments on Russian ships and trains across the border; it bites more on tankers, banks, crypto laundering and IT workers, which pass through places others can watch.",
     ("routes:sea_rajin_vostochny", "routes:rail_tumangang_khasan_2023", "transfers:rp-osc-2024", "events:2025-10-22-msmt-second-report",
      "events:2025-05-29-msmt-first-report-russia-side")),
    ("china", "China handles almost all of North Korea's recorded trade, so its stance moves economic pressure most. It has little say over what Russia and North Korea ship to each other directly.",
     ("trade:prk-chn-total-2024-1", "resolutions:draft-2022-05-26", "statements:chn-2025-04-28-guo-jiakun", "statements:g7-2025-03-14-charlevoix")),
)


class ScenarioError(ValueError):
    """A scenario was asked for with an assumption the model does not know, or a number out of range."""


def _check_assumptions(assumptions: dict) -> None:
    for group, states in (("war", WAR_STATES), ("china", CHINA_STANCES)):
        if set(assumptions.get(group, {})) != set(states):
            raise ScenarioError(f"assumptions['{group}'] must give factors for each of: {', '.join(states)}.")
        for state in states:
            _check_factors(assumptions[group][state], f"assumptions['{group}']['{state}']")
    sensitivity = assumptions.get("enforcement_sensitivity", {})
    _check_factors(sensitivity, "assumptions['enforcement_sensitivity']")
    if any(v > 1 for v in sensitivity.values()):
        raise ScenarioError("An enforcement sensitivity above 1 would push a flow below zero at full enforcement; use 0 to 1.")


def _check_factors(factors: dict, where: str) -> None:
    if set(factors) != set(FLOW_KEYS):
        raise ScenarioError(f"{where} must give a number for each of: {', '.join(FLOW_KEYS)}.")
    for key, value in factors.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
            raise ScenarioError(f"{where}['{key}'] must be a number of 0 or more, not {value!r}.")


def scenario(war: str = "continues", enforcement: float = 0, china: str = "as_now", assumptions: dict | None = None) -> pd.DataFrame:
    """Index (2024-25 = 100) of each flow and pressure under the given assumptions.

    ``war``: one of ``continues``, ``ceasefire``, ``ends``. ``enforcement``: change in enforcement effort by the states
    that enforce sanctions, from -100 (stops) through 0 (as in 2024-25) to +100 (doubled). ``china``: ``shields``,
    ``as_now`` or ``presses``. ``assumptions``: your own version of :data:`ASSUMPTIONS`.
    """
    if war not in WAR_STATES:
        raise ScenarioError(f"war must be one of {', '.join(WAR_STATES)}, not {war!r}.")
    if china not in CHINA_STANCES:
        raise ScenarioError(f"china must be one of {', '.join(CHINA_STANCES)}, not {china!r}.")
    if isinstance(enforcement, bool) or not isinstance(enforcement, (int, float)) or not math.isfinite(enforcement):
        raise ScenarioError(f"enforcement must be a number from {ENFORCEMENT_RANGE[0]} to {ENFORCEMENT_RANGE[1]}, not {enforcement!r}.")
    if not ENFORCEMENT_RANGE[0] <= enforcement <= ENFORCEMENT_RANGE[1]:
        raise ScenarioError(f"enforcement is a change in percent and must lie between {ENFORCEMENT_RANGE[0]} and {ENFORCEMENT_RANGE[1]}; got {enforcement}.")
    assumptions = ASSUMPTIONS if assumptions is None else assumptions
    _check_assumptions(assumptions)
    change = enforcement / 100.0
    rows = []
    for flow in FLOWS:
        war_factor = assumptions["war"][war][flow.key]
        sensitivity = assumptions["enforcement_sensitivity"][flow.key]
        enforcement_factor = 1 + sensitivity * change if flow.kind == "pressure" else 1 - sensitivity * change
        china_factor = assumptions["china"][china][flow.key]
        rows.append({
            "flow": flow.key, "label": flow.label, "kind": flow.kind,
            "war_factor": war_factor, "enforcement_factor": enforcement_factor, "china_factor": china_factor,
            "index": round(100 * war_factor * enforcement_factor * china_factor, 1),
            "baseline_rows": ";".join(flow.baseline_rows),
        })
    return pd.DataFrame(rows)


def assumptions_table(assumptions: dict | None = None) -> pd.DataFrame:
    """Every multiplier the model uses, one row per flow: the assumptions, shown as assumptions."""
    assumptions = ASSUMPTIONS if assumptions is None else assumptions
    _check_assumptions(assumptions)
    rows = []
    for flow in FLOWS:
        row = {"flow": flow.label, "100 means": flow.baseline_note}
        for state, label in WAR_STATES.items():
            row[f"× if {label.lower()}"] = assumptions["war"][state][flow.key]
        row["enforcement sensitivity"] = assumptions["enforcement_sensitivity"][flow.key]
        for stance, label in CHINA_STANCES.items():
            row[f"× if {label.lower()}"] = assumptions["china"][stance][flow.key]
        rows.append(row)
    return pd.DataFrame(rows)


def reasons_table() -> pd.DataFrame:
    """Why the assumptions are what they are, with the rows that motivated them."""
    return pd.DataFrame([{"assumption": group, "reason": reason, "rows": "; ".join(refs)} for group, reason, refs in REASONS])


def _all_refs() -> list[str]:
    refs = [r for f in FLOWS for r in f.baseline_rows] + [r for _, _, rs in REASONS for r in rs]
    return list(dict.fromkeys(refs))


def _rows_by_table() -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for ref in _all_refs():
        table, row_id = ref.split(":", 1)
        grouped.setdefault(table, []).append(row_id)
    return grouped


def _sources() -> list[str]:
    from .claims import sources_of  # one resolver for table:row_id references in the whole package

    return sources_of(tuple(r.split(":", 1)) for r in _all_refs())


STANCE_STYLE = {"shields": (PALETTE["vermillion"], "x"), "as_now": (PALETTE["grey"], ""), "presses": (PALETTE["blue"], "/")}


def scenario_figure() -> CourseFigure:
    """The kernel-free explorer: three panels (war continues / ceasefire / ends), China's stance in a menu, enforcement on a slider."""
    labels = [f.label for f in FLOWS]
    fig = make_subplots(rows=1, cols=3, shared_yaxes=True, subplot_titles=list(WAR_STATES.values()), horizontal_spacing=0.04)
    order = list(CHINA_STANCES)
    traces = []  # (war, stance) in trace order
    for col, war in enumerate(WAR_STATES, start=1):
        for stance in order:
            result = scenario(war, 0, stance)
            colour, pattern = STANCE_STYLE[stance]
            fig.add_trace(go.Bar(
                x=result["index"], y=labels, orientation="h", name=CHINA_STANCES[stance], visible=stance == "as_now",
                marker=dict(color=colour, pattern=dict(shape=pattern, fgcolor="white")), showlegend=False,
                text=[f"{v:.0f}" for v in result["index"]], textposition="outside", cliponaxis=False,
                hovertemplate="<b>%{y}</b><br>index %{x:.1f} (2024-25 = 100)<extra>" + WAR_STATES[war] + "</extra>",
            ), row=1, col=col)
            traces.append((war, stance))
        fig.add_vline(x=100, line_dash="dash", line_color=PALETTE["black"], layer="below", row=1, col=col)
    n = len(traces)
    menu = [dict(label=CHINA_STANCES[s], method="restyle", args=[{"visible": [t[1] == s for t in traces]}]) for s in order]
    steps = []
    for level in ENFORCEMENT_STEPS:
        xs, texts = [], []
        for war, stance in traces:
            values = scenario(war, level, stance)["index"]
            xs.append(list(values))
            texts.append([f"{v:.0f}" for v in values])
        label = "as now" if level == 0 else f"{level:+d}%"
        steps.append(dict(label=label, method="restyle", args=[{"x": xs, "text": texts}]))
    fig.update_layout(
        updatemenus=[dict(name="China's stance", buttons=menu, active=order.index("as_now"), x=0.0, xanchor="left", y=1.18, yanchor="bottom",
                          bgcolor="white", bordercolor="#6b6b6b", font=dict(size=12))],
        sliders=[dict(name="Enforcement by sanctioning states, change from 2024-25", steps=steps, active=ENFORCEMENT_STEPS.index(0), x=0.05, len=0.9, y=-0.12, yanchor="top",
                      currentvalue=dict(prefix="Enforcement by sanctioning states, change from 2024-25: "), pad=dict(t=10))],
        height=560, margin=dict(l=220, r=40, t=120, b=120), bargap=0.35,
        title=dict(text="Scenarios: an index of each flow, 2024-25 = 100 (assumptions, not predictions)", y=0.98),
        meta={"kind": "explorer"},
    )
    top = max(max(x for xs in step["args"][0]["x"] for x in xs) for step in steps)
    for col in (1, 2, 3):
        fig.update_xaxes(range=[0, 25 * math.ceil(top * 1.12 / 25)], title_text="index", row=1, col=col)
    fig.update_yaxes(autorange="reversed", row=1, col=1)
    table = pd.concat([scenario(w, e, c).assign(war=WAR_STATES[w], enforcement=e, china=CHINA_STANCES[c])
                       for w in WAR_STATES for c in CHINA_STANCES for e in ENFORCEMENT_STEPS])
    table = table.pivot_table(index=["war", "china", "enforcement"], columns="label", values="index").reset_index()
    return CourseFigure(
        figure=fig,
        alt="Three bar-chart panels, one per war scenario (continues, ceasefire, ends), each showing six bars: munitions and "
            "weapons to Russia, troops and workers in Russia, fuel and food to North Korea, military technology to North Korea, "
            "hard currency reaching North Korea, and economic pressure on Pyongyang, as an index where the 2024-25 level is 100 "
            "(dashed line). Under the course's assumptions the flows to Russia fall most if the war ends; stronger enforcement "
            "moves fuel, money and pressure more than munitions; China's stance moves pressure most.",
        caption="A teaching model, not a forecast. Pick China's stance in the menu and move the enforcement slider; each panel "
                "is one assumption about the war. Every multiplier behind the bars is listed in the assumptions table, with the "
                "rows that motivated it.",
        figure_id="scenario-explorer",
        table=table,
        tables=tuple(_rows_by_table()),
        sources=tuple(_sources()),
        rows=_rows_by_table(),
    )


def _bar(result: pd.DataFrame, title: str) -> go.Figure:
    fig = go.Figure(go.Bar(
        x=result["index"], y=result["label"], orientation="h", marker=dict(color=PALETTE["blue"]),
        text=[f"{v:.0f}" for v in result["index"]], textposition="outside", cliponaxis=False,
        hovertemplate="<b>%{y}</b><br>index %{x:.1f} (2024-25 = 100)<extra></extra>",
    ))
    fig.add_vline(x=100, line_dash="dash", line_color=PALETTE["black"], layer="below")
    top = 25 * math.ceil(max(150, float(result["index"].max()) * 1.12) / 25)
    fig.update_layout(title=title, height=380, xaxis=dict(range=[0, top], title="index (2024-25 = 100)"),
                      yaxis=dict(autorange="reversed"), margin=dict(l=230, r=40))
    return fig


def explorer(assumptions: dict | None = None):
    """The live explorer for JupyterLab: three controls, one chart, the assumptions one click away."""
    import ipywidgets as widgets
    from IPython.display import display

    from .figures import show

    war = widgets.Dropdown(options=[(v, k) for k, v in WAR_STATES.items()], value="continues", description="War")
    enforcement = widgets.IntSlider(value=0, min=ENFORCEMENT_RANGE[0], max=ENFORCEMENT_RANGE[1], step=10,
                                    description="Enforcement %", continuous_update=False,
                                    style={"description_width": "initial"})
    china = widgets.Dropdown(options=[(v, k) for k, v in CHINA_STANCES.items()], value="as_now", description="China")
    message = widgets.HTML()
    output = widgets.Output()

    def update(*_):
        try:
            result = scenario(war.value, enforcement.value, china.value, assumptions=assumptions)
        except ScenarioError as error:
            message.value = f"<p role='alert'><strong>Cannot draw this scenario:</strong> {error}</p>"
            output.clear_output()
            return
        message.value = "<p><em>Assumptions, not predictions: see the assumptions table for every multiplier.</em></p>"
        with output:
            output.clear_output(wait=True)
            show(_bar(result, f"{WAR_STATES[war.value]}; enforcement {enforcement.value:+d}%; {CHINA_STANCES[china.value].lower()}"),
                 alt="Bar chart of the six flow indices for the chosen scenario, with 100 (the 2024-25 level) dashed.",
                 caption="Your scenario, computed by scenarios.scenario().", figure_id="scenario-live",
                 table=result[["label", "war_factor", "enforcement_factor", "china_factor", "index"]])

    for control in (war, enforcement, china):
        control.observe(update, names="value")
    update()
    box = widgets.VBox([widgets.HBox([war, china]), enforcement, message, output])
    box.update = update  # exposed so tests can drive it without a browser
    return box


def assumptions_copy() -> dict:
    """A copy of ASSUMPTIONS to edit and pass back as scenario(..., assumptions=...)."""
    return copy.deepcopy(ASSUMPTIONS)


EXERCISES = {
    "ex-10-war-ends-munitions": Exercise(
        prompt="Under the course's assumptions, what index does the model give munitions and weapons to Russia if the war "
               "ends, enforcement stays as now and China's stance is unchanged?",
        expected=lambda: float(scenario("ends", 0, "as_now").set_index("flow").at["munitions_to_russia", "index"]),
        hint="Call scenarios.scenario('ends', 0, 'as_now') and read the index of munitions_to_russia.",
        tolerance=0.01,
    ),
}
