"""What kvtrace.aiperf needs from its surroundings: a model base and AIPerf's seeding.

Models are pydantic 2 models when pydantic 2 is importable (as AIPerf's are), else small
objects with the same fields, defaults, bounds (ValueError) and `model_dump()`.
Random streams are taken the way AIPerf takes them (`rng.derive(identifier)` once the global
generator of `aiperf.common.random_generator` is initialized), else from an explicit seed.
"""
from __future__ import annotations

import json
from typing import Any

from kvtrace import _kvtrace

try:
    import pydantic

    HAVE_PYDANTIC = int(pydantic.VERSION.split(".")[0]) >= 2
except ImportError:  # pragma: no cover - depends on the Python
    HAVE_PYDANTIC = False

if HAVE_PYDANTIC:
    from pydantic import BaseModel, ConfigDict, Field

    class ModelBase(BaseModel):
        """AIPerf's AIPerfBaseModel configuration: extra fields allowed."""

        model_config = ConfigDict(arbitrary_types_allowed=True, extra="allow")

else:
    _MISSING = object()

    def Field(default: Any = _MISSING, *, ge: float | None = None, le: float | None = None,
              description: str = "") -> Any:
        """A field's default and bounds, as pydantic's Field records them."""
        return {"default": default, "ge": ge, "le": le, "description": description}

    class ModelBase:
        """A stand-in for a pydantic model: keyword construction, defaults, ge/le checks
        (ValueError), attribute access, model_dump() and model_dump_json()."""

        _fields: dict[str, dict] = {}

        def __init_subclass__(cls, **kwargs: Any) -> None:
            super().__init_subclass__(**kwargs)
            fields: dict[str, dict] = {}
            for base in reversed(cls.__mro__[1:]):
                fields.update(getattr(base, "_fields", {}))
            for name in getattr(cls, "__annotations__", {}):
                spec = cls.__dict__.get(name, _MISSING)
                if isinstance(spec, dict) and "ge" in spec:
                    fields[name] = spec
                else:
                    fields[name] = {"default": spec, "ge": None, "le": None}
                if name in cls.__dict__:
                    delattr(cls, name)
            cls._fields = fields

        def __init__(self, **values: Any) -> None:
            for name, spec in self._fields.items():
                if name in values:
                    value = values.pop(name)
                elif spec["default"] is not _MISSING:
                    value = spec["default"]
                else:
                    raise ValueError(f"{type(self).__name__}: field required: {name}")
                if value is not None and not isinstance(value, ModelBase):
                    if spec["ge"] is not None and value < spec["ge"]:
                        raise ValueError(f"{name}: must be >= {spec['ge']}, got {value}")
                    if spec["le"] is not None and value > spec["le"]:
                        raise ValueError(f"{name}: must be <= {spec['le']}, got {value}")
                object.__setattr__(self, name, value)
            for name, value in values.items():  # extra="allow"
                object.__setattr__(self, name, value)

        def model_dump(self) -> dict[str, Any]:
            out = {}
            for name, value in vars(self).items():
                out[name] = value.model_dump() if isinstance(value, ModelBase) else value
            return out

        def model_dump_json(self, *, indent: int | None = None) -> str:
            return json.dumps(self.model_dump(), indent=indent)

        def __eq__(self, other: object) -> bool:
            return type(other) is type(self) and vars(self) == vars(other)

        def __repr__(self) -> str:
            body = " ".join(f"{k}={v!r}" for k, v in vars(self).items())
            return f"{type(self).__name__}({body})"


def child_seed(identifier: str, seed: int | None) -> int | None:
    """The seed of AIPerf's derived stream `identifier`.

    An explicit `seed` is the root seed (AIPerf's `--random-seed`). Without one, AIPerf's
    global generator decides when AIPerf is installed (its `derive`, which raises when it was
    not initialized); without AIPerf the stream is not reproducible (None: OS entropy).
    """
    if seed is not None:
        return _kvtrace.derive_seed(seed, identifier)
    try:
        from aiperf.common import random_generator as rng
    except ImportError:
        return None
    return rng.derive(identifier).seed
