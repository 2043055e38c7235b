"""The alignment signals' CLI options, generated from the signal registry.

Every registered signal gets ``--no-NAME`` (switch it off), ``--NAME-weight`` and one
``--NAME-PARAM`` per field of its parameters, with the registry's defaults and help;
:func:`align_config` turns the parsed values into an :class:`AlignConfig`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import MISSING, Field, fields
from typing import Any, TypeVar

import click
from click.core import ParameterSource

from aligner.alignment import AlignConfig
from aligner.cli.common import UserError
from aligner.errors import ConfigurationError
from aligner.signals import SIGNALS, Signal
from aligner.signals.base import WEIGHT_BOUNDS, Bounds, check_bounds

F = TypeVar("F", bound=Callable[..., Any])


def _dashed(*parts: str) -> str:
    return "--" + "-".join(parts).replace("_", "-")


def _checked(name: str, bounds: Bounds) -> Callable[[click.Context, click.Parameter, Any], Any]:
    """An option callback: the library's range check, its error naming the option (exit 2)."""

    def check(_context: click.Context, option: click.Parameter, value: Any) -> Any:
        try:
            check_bounds(name, value, bounds)
        except ConfigurationError as error:
            raise UserError(f"{error} ({option.opts[0]})", error.exit_code) from None
        return value

    return check


def _param_option(name: str, param: Field[Any]) -> Callable[[F], F]:
    default = param.default if param.default is not MISSING else param.default_factory()
    bounds = param.metadata.get("bounds")
    option = _dashed(name, param.name)
    explained = param.metadata.get("help", param.name).rstrip(".")
    return click.option(option, f"{name}_{param.name}", type=type(default),
                        default=default, show_default=True,
                        callback=_checked(param.name, bounds) if bounds else None,
                        help=f"{name} signal: {explained}; e.g. {option} {default}.")


def _signal_options(name: str, cls: type[Signal], switch: bool) -> list[Callable[[F], F]]:
    options = [click.option(_dashed(name, "weight"), f"{name}_weight", type=float,
                            default=cls.weight, show_default=True,
                            callback=_checked(f"the weight of signal {name!r}", WEIGHT_BOUNDS),
                            help=f"Weight of {cls.help} in a bead's score "
                                 f"(e.g. {_dashed(name, 'weight')} 0.5).")]
    if switch:
        options.insert(0, click.option(_dashed("no", name), f"no_{name}", is_flag=True,
                                       help=f"Switch off {cls.help}."))
    options += [_param_option(name, param) for param in fields(cls.Params)]
    return options


def signal_options(translation_switches: bool = True) -> Callable[[F], F]:
    """Decorator adding every registered signal's options to a click command.

    ``translation_switches=False`` leaves out ``--no-NAME`` for signals that need a
    translation, for commands whose own MT option decides (``aligner run --no-mt``).
    """
    options = [option for name, cls in SIGNALS.items()
               for option in _signal_options(name, cls,
                                             translation_switches or not cls.needs_translation)]

    def decorate(command: F) -> F:
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


def align_config(settings: Mapping[str, Any], chosen: Sequence[str] | None = None,
                 **options: Any) -> AlignConfig:
    """The alignment settings of the generated options' values (``chosen``: the signals asked
    for, all by default, less those switched off) and other ``AlignConfig`` fields."""
    disabled = {name for name in SIGNALS if settings.get(f"no_{name}")}
    signals = tuple(name for name in (SIGNALS if chosen is None else chosen)
                    if name not in disabled)
    _refuse_options_of_signals_off(set(SIGNALS) - set(signals))
    weights = {name: settings[f"{name}_weight"] for name in SIGNALS}
    params = {name: {param.name: settings[f"{name}_{param.name}"]
                     for param in fields(cls.Params)} for name, cls in SIGNALS.items()}
    return AlignConfig(signals=signals, weights=weights, params=params, **options)


def _refuse_options_of_signals_off(off: set[str]) -> None:
    """A weight or parameter given for a signal that is off would do nothing: a usage error."""
    context = click.get_current_context(silent=True)
    if context is None:
        return
    for param in context.command.params:
        signal = next((name for name in off if (param.name or "").startswith(f"{name}_")), None)
        if signal and context.get_parameter_source(param.name or "") is not ParameterSource.DEFAULT:
            raise ConfigurationError(f"{param.opts[0]}: the {signal} signal is off (see "
                                     f"--signals and --no-{signal}); drop the option or switch "
                                     "the signal on")
