"""Frozen dataclasses to plain JSON values and back, for the entry cache (cache.py).

JSON, not pickle: the cache folder is restored from CI caches that other branches can write,
and loading a pickle runs code. Decoding is compiled once per class from its type hints, so
reading back a cached business costs a few dozen microseconds. Fields left at their default are
not written; decoding fills them in again through the class's own constructor.

Supported field types: str, int, float, bool, None unions, `date`, `Path`, `tuple[X, ...]`,
`frozenset[X]` and nested frozen dataclasses of the same kinds.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

_T = TypeVar("_T")
_PLAIN = (str, int, float, bool, type(None))


class CodecError(ValueError):
    """A value that cannot be encoded, or data that does not fit the class it is decoded as."""


def encode(value: Any) -> Any:
    """A JSON-ready value: dataclasses become dicts without their default-valued fields."""
    if isinstance(value, _PLAIN):
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {}
        for name, default in _defaults(type(value)):
            item = getattr(value, name)
            if item is not default and not (default is not _NO_DEFAULT and item == default):
                out[name] = encode(item)
        return out
    if isinstance(value, tuple | list):
        return [encode(item) for item in value]
    if isinstance(value, frozenset):
        return sorted(encode(item) for item in value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Path):
        return value.as_posix()
    raise CodecError(f"cannot encode {type(value).__name__}")


def decode(cls: type[_T], data: Any) -> _T:
    """The instance of `cls` that `encode` turned into `data`; CodecError when it does not fit."""
    try:
        value: _T = _decoder(cls)(data)
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise CodecError(f"data does not fit {cls.__name__}: {exc}") from None
    return value


_NO_DEFAULT = object()


@functools.cache
def _defaults(cls: type) -> tuple[tuple[str, Any], ...]:
    out = []
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            out.append((f.name, f.default))
        elif f.default_factory is not dataclasses.MISSING:
            out.append((f.name, f.default_factory()))
        else:
            out.append((f.name, _NO_DEFAULT))
    return tuple(out)


def _identity(value: Any) -> Any:
    return value


@functools.cache
def _decoder(kind: Any) -> Callable[[Any], Any]:
    if kind in _PLAIN or kind is Any:
        return _check_plain(kind)
    if kind is date:
        return date.fromisoformat
    if kind is Path:
        return Path
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return _dataclass_decoder(kind)
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        if len(options) != 1:
            raise CodecError(f"unsupported union {kind}")
        inner = _decoder(options[0])
        return lambda value: None if value is None else inner(value)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        inner = _decoder(args[0])
        if args[0] is str:
            return _str_tuple
        return lambda value: tuple(inner(item) for item in value)
    if origin is frozenset:
        inner = _decoder(args[0])
        return lambda value: frozenset(inner(item) for item in value)
    raise CodecError(f"unsupported type {kind}")


def _check_plain(kind: Any) -> Callable[[Any], Any]:
    if kind is Any:
        return _identity
    allowed = (int, float) if kind is float else kind

    def check(value: Any) -> Any:
        if not isinstance(value, allowed) or (kind is int and isinstance(value, bool)):
            raise TypeError(f"expected {kind.__name__}, found {type(value).__name__}")
        return value

    return check


def _str_tuple(value: Any) -> tuple[str, ...]:
    items = tuple(value)
    if not all(isinstance(item, str) for item in items):
        raise TypeError("expected a list of text")
    return items


def _dataclass_decoder(cls: type) -> Callable[[Any], Any]:
    hints = typing.get_type_hints(cls)
    fields = {f.name: _decoder(hints[f.name]) for f in dataclasses.fields(cls)}
    defaults = dict(_defaults(cls))
    required = frozenset(name for name, default in defaults.items() if default is _NO_DEFAULT)
    if any(f.init is False for f in dataclasses.fields(cls)) or hasattr(cls, "__post_init__") or hasattr(cls, "__slots__"):
        raise CodecError(f"unsupported dataclass {cls.__name__}")
    new = object.__new__

    def decode_instance(data: Any) -> Any:
        if not isinstance(data, dict):
            raise TypeError(f"expected an object for {cls.__name__}")
        if not required <= data.keys():
            raise KeyError(", ".join(sorted(required - data.keys())))
        # What the frozen dataclass's own __init__ would store, without its per-field
        # object.__setattr__ calls (half the cost of decoding); defaults are immutable values.
        instance = new(cls)
        values = instance.__dict__
        values.update(defaults)
        values.update({name: fields[name](value) for name, value in data.items()})
        return instance

    return decode_instance
