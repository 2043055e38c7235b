"""A new signal needs only its class and its registration: config, search and CLI follow."""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import aligner.cli.align
from aligner.alignment import AlignConfig, align_sentences
from aligner.errors import ConfigurationError
from aligner.records import Bead
from aligner.signals import SIGNALS, Signal, SignalInput, SpanScorer, register

SRC = ["alpha", "beta", "gamma"]
TGT = ["alpha", "gamma"]


@dataclass(frozen=True)
class EchoParams:
    bonus: float = field(default=1.0, metadata={"help": "Score of identical spans."})
    penalise_after_first_search: bool = False


class EchoScorer(SpanScorer):
    """``bonus`` where the two spans are the same text, else 0."""

    def __init__(self, data: SignalInput, params: EchoParams) -> None:
        self.src, self.tgt, self.bonus = data.src, data.tgt, params.bonus
        self.penalise = params.penalise_after_first_search
        self.seen: list[int] = []

    def score(self, a: int, b: int, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        return np.array([self.bonus * (" ".join(self.src[i - a:i]) == " ".join(self.tgt[j - b:j]))
                         for i, j in zip(rows, cols)], dtype=np.float64)

    def refine(self, beads: Sequence[Bead]) -> bool:
        self.seen.append(len(beads))
        if self.penalise and len(self.seen) == 1:
            self.bonus = -5.0
            return True
        return False


class EchoSignal(Signal):
    name = "echo"
    help = "the identical-text signal"
    weight = 2.0
    Params = EchoParams
    similarity = True
    scorers: list[EchoScorer] = []

    def prepare(self, data: SignalInput) -> EchoScorer:
        scorer = EchoScorer(data, self.params)
        EchoSignal.scorers.append(scorer)
        return scorer


@pytest.fixture
def echo() -> Iterator[type[EchoSignal]]:
    register(EchoSignal)
    EchoSignal.scorers.clear()
    try:
        yield EchoSignal
    finally:
        SIGNALS.pop("echo", None)


def pairs(beads: Sequence[Bead]) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    return [(bead.src, bead.tgt) for bead in beads]


def test_a_registered_signal_aligns_with_its_weight_and_parameters(echo):
    config = AlignConfig(signals=("echo",), params={"echo": {"bonus": 1.5}})
    assert config.weight("echo") == 2.0 and "echo" in AlignConfig().signals
    beads = align_sentences(SRC, TGT, config)
    assert pairs(beads) == [((0,), (0,)), ((1,), ()), ((2,), (1,))]
    first = beads[0].scores
    units = 2.0  # a similarity signal: the bead cost is counted in its weight
    assert first["echo"] == 1.5
    assert first["total"] == pytest.approx(2.0 * 1.5 - config.bead_cost * units)
    assert AlignConfig(signals=("echo",)).to_json()["echo_bonus"] == 1.0


def test_the_search_asks_every_scorer_to_refine_and_searches_again(echo):
    refined = align_sentences(SRC, TGT, AlignConfig(
        signals=("echo",), params={"echo": {"penalise_after_first_search": True}}))
    assert EchoSignal.scorers[0].seen == [3]  # asked once, with the first search's beads
    penalised = align_sentences(SRC, TGT, AlignConfig(signals=("echo",),
                                                      params={"echo": {"bonus": -5.0}}))
    assert pairs(refined) == pairs(penalised) != [((0,), (0,)), ((1,), ()), ((2,), (1,))]


@pytest.mark.parametrize("options,message", [
    ({"weights": {"echoo": 1.0}}, "unknown signal 'echoo' in the weights or parameters; "
                                  "choose from: anchors, continuation, echo, embedding"),
    ({"params": {"echo": {"bonsu": 1}}}, "unknown parameter 'bonsu' of signal 'echo'; "
                                         "choose from: bonus, penalise_after_first_search"),
    ({"params": {"length": {"ratio": 1}}}, "unknown parameter 'ratio' of signal 'length'; "
                                           "it has none"),
    ({"params": {"embedding": {"exact_span": 0}}}, "exact_span must be at least 1"),
])
def test_unknown_signals_and_parameters_are_configuration_errors(echo, options, message):
    with pytest.raises(ConfigurationError, match=message.replace("(", r"\(")):
        AlignConfig(**options)


@pytest.fixture
def echo_cli(echo) -> Iterator[object]:
    """``aligner align`` rebuilt with the echo signal registered (and rebuilt without after)."""
    try:
        yield importlib.reload(aligner.cli.align).align
    finally:
        SIGNALS.pop("echo")
        importlib.reload(aligner.cli.align)


def test_cli_switches_of_a_registered_signal_are_generated(echo_cli, tmp_path: Path):
    runner = CliRunner()
    help_text = runner.invoke(echo_cli, ["--help"]).output
    for option in ("--no-echo", "--echo-weight", "--echo-bonus",
                   "--echo-penalise-after-first-search"):
        assert option in help_text
    assert "Switch off the identical-text signal." in help_text
    for name, lines in (("a.txt", SRC), ("b.txt", TGT)):
        (tmp_path / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(echo_cli, [str(tmp_path / "a.txt"), str(tmp_path / "b.txt"),
                                      "--presplit", "--src-lang", "en", "--tgt-lang", "en",
                                      "--signals", "echo,length", "--no-length",
                                      "--echo-weight", "0.5", "--echo-bonus", "3",
                                      "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    header, *rows = [json.loads(line) for line in result.stdout.splitlines()]
    signature = header["signature"]
    assert (signature["signals"], signature["echo_weight"], signature["echo_bonus"]) == (
        "echo", "0.5", "3.0")
    assert [(row["src"], row["tgt"]) for row in rows] == [([0], [0]), ([1], []), ([2], [1])]
    assert rows[0]["scores"]["echo"] == 3.0


def test_a_bad_signal_parameter_on_the_command_line_is_a_usage_error(tmp_path: Path):
    (tmp_path / "a.txt").write_text("Hello.\n", encoding="utf-8")
    result = CliRunner().invoke(aligner.cli.align.align, [
        str(tmp_path / "a.txt"), str(tmp_path / "a.txt"), "--presplit", "--src-lang", "en",
        "--tgt-lang", "de", "--embedding-exact-span", "0"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1].startswith("Error: exact_span must be at")


@pytest.mark.parametrize("options,message", [
    ({"weights": {"length": -5.0}}, "the weight of signal 'length' must be at least 0, not -5.0"),
    ({"weights": {"mt": float("inf")}}, "the weight of signal 'mt' must be at least 0, not inf"),
    ({"params": {"embedding": {"margin": -1.0}}},
     "signal 'embedding': margin must be at least 0, not -1.0"),
    ({"params": {"mt": {"member_floor": 1.5}}},
     "signal 'mt': member_floor must be between -1 and 1, not 1.5"),
    ({"params": {"embedding": {"margin": "wide"}}},
     "signal 'embedding': margin must be a number, not 'wide'"),
])
def test_weights_and_parameters_out_of_their_range_are_configuration_errors(options, message):
    with pytest.raises(ConfigurationError, match=message):
        AlignConfig(**options)


@pytest.mark.parametrize("command", ["align", "run"])
@pytest.mark.parametrize("option,value,message", [
    ("--length-weight", "-5", "the weight of signal 'length' must be at least 0, not -5.0"),
    ("--mt-weight", "nan", "the weight of signal 'mt' must be at least 0, not nan"),
    ("--embedding-margin", "-1", "margin must be at least 0, not -1.0"),
    ("--mt-member-floor", "7", "member_floor must be between -1 and 1, not 7.0"),
])
def test_a_signal_option_out_of_its_range_is_a_one_line_usage_error(tmp_path: Path, command,
                                                                    option, value, message):
    from aligner.cli import main

    (tmp_path / "a.txt").write_text("Hello.\n", encoding="utf-8")
    inputs = {"align": [str(tmp_path / "a.txt"), str(tmp_path / "a.txt"), "--presplit",
                        "--src-lang", "en", "--tgt-lang", "de"],
              "run": [str(tmp_path / "a.txt"), "-o", str(tmp_path / "out")]}[command]
    result = CliRunner().invoke(main, [command, *inputs, option, value])
    assert result.exit_code == 2, result.output
    assert result.output.strip().splitlines() == [f"Error: {message} ({option})"]
    assert not (tmp_path / "out").exists()
