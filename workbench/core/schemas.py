"""Typed schemas of the files the workbench reads, and one way to refuse a file that breaks one.

Projects, runs, checkpoint states and model metadata are files people share, so each is
validated (types, ranges, choices, unknown fields refused) before any of it is used. A file
that fails is refused with one line naming the file, the field and the problem.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, TypeVar

import pydantic

from workbench.core.errors import FileRejected

Model = TypeVar("Model", bound=pydantic.BaseModel)

# A measured number: a diverged epoch records NaN (json writes it as NaN), so NaN and
# infinity are kept where measurements are; everywhere else STRICT refuses them.
# (Strict floats take JSON integers too, so an epoch number passes; True does not.)
Measured = Annotated[float, pydantic.Field(allow_inf_nan=True)] | None

# The strictness every file schema shares: no unknown fields, no "5" for 5, no NaN.
STRICT = pydantic.ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=False)


def field_path(loc: tuple[Any, ...]) -> str:
    """``("layers", 2, "params", "units")`` -> ``layers[2].params.units``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif str(part).startswith(("function-", "model-")):
            continue  # pydantic's names for validators, not fields
        else:
            out += f".{part}" if out else str(part)
    return out


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def one_line(exc: pydantic.ValidationError) -> tuple[str, str]:
    """The first problem of a validation error as (field, problem), in words for a person."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    problem = str(first.get("msg", "invalid"))
    problem = problem.removeprefix("Value error, ")
    kind = first.get("type")
    context = first.get("ctx") or {}
    if kind == "extra_forbidden":
        problem = "not a setting this version knows"
    elif kind in ("model_type", "dict_type", "dataclass_type", "model_attributes_type"):
        problem = f"must be a JSON object (got {_shown(first.get('input'))})"
    elif kind == "too_long":
        problem = (
            f"has {context.get('actual_length', 'too many')} items; "
            f"at most {context.get('max_length')} are allowed"
        )
    elif first.get("type") not in ("value_error", "assertion_error") and "input" in first:
        problem = f"{problem} (got {_shown(first['input'])})"
    more = len(errors) - 1
    if more:
        problem += f" (and {more} more problem{'s' if more > 1 else ''})"
    return field_path(tuple(first.get("loc", ()))), problem


def validate(model: type[Model], data: Any, source: str | Path) -> Model:
    """``model`` validated from ``data`` read from ``source``, or FileRejected in one line."""
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        where, problem = one_line(exc)
        raise FileRejected(source, problem, where) from None
    except RecursionError:
        raise FileRejected(source, "nested too deeply.") from None
