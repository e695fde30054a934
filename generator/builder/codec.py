"""Frozen dataclasses to plain JSON values and back, for the entry cache (cache.py).

JSON, not pickle: the cache folder is restored from CI caches that other branches can write,
and loading a pickle runs code. Decoding is compiled once per class from its type hints, so
reading back a cached business costs a few dozen microseconds. Fields left at their default are
not written; decoding fills them in again through the class's own constructor.

Supported field types: str, int, float, bool, None unions, `date`, `Path`, `tuple[X, ...]`,
`tuple[X, Y]`, `frozenset[X]`, `dict[str, X]` and nested frozen dataclasses of the same kinds.
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
        return _dataclass_encoder(type(value))(value)
    if isinstance(value, dict):
        return {str(k): encode(item) for k, item in value.items()}
    if isinstance(value, tuple | list):
        return [encode(item) for item in value]
    if isinstance(value, frozenset):
        return sorted(encode(item) for item in value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Path):
        return value.as_posix()
    raise CodecError(f"cannot encode {type(value).__name__}")


@functools.cache
def _dataclass_encoder(cls: type) -> Callable[[Any], dict[str, Any]]:
    """`encode` for one dataclass, with each field's encoding chosen once from its type hint."""
    hints = typing.get_type_hints(cls)
    fields = tuple((name, default, None if _is_plain(hints[name]) else _encoder(hints[name])) for name, default in _defaults(cls))

    def encode_instance(value: Any) -> dict[str, Any]:
        values = value.__dict__
        out = {}
        for name, default, encode_field in fields:
            item = values[name]
            if item is default or (default is not _NO_DEFAULT and item == default):
                continue
            out[name] = encode_field(item) if encode_field else item
        return out

    return encode_instance


@functools.cache
def _encoder(kind: Any) -> Callable[[Any], Any]:
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return _dataclass_encoder(kind)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis and _is_plain(args[0]):
        return list
    return encode


def decode(cls: type[_T], data: Any, **given: Any) -> _T:
    """The instance of `cls` that `encode` turned into `data`; CodecError when it does not fit.

    `given` supplies fields of `cls` that were left out of `data` (a record's parent, say)."""
    try:
        kind: Any = cls
        value: _T = _dataclass_decoder(kind)(data, given) if given else _decoder(kind)(data)
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


def _is_plain(kind: Any) -> bool:
    """Whether JSON gives the value back as it was (text, numbers, booleans, None)."""
    if kind in _PLAIN or kind is Any:
        return True
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        return all(_is_plain(a) for a in typing.get_args(kind))
    return False


# Plain values are passed through unchecked: a record is only read under the key its content was
# written with (the generator's own code included), so its shapes are the ones this code wrote.
# The checks below catch a record that is not one of ours, cheaply; they are not a security
# boundary (whoever can write the cache can write any page in it).
@functools.cache
def _decoder(kind: Any) -> Callable[[Any], Any]:
    if _is_plain(kind):
        return _identity
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
    if origin is tuple and args and args[-1] is not Ellipsis:
        items = tuple(_decoder(a) for a in args)
        if all(_is_plain(a) for a in args):
            return lambda value: _sized(tuple(value), len(items))
        return lambda value: _sized(tuple(dec(item) for dec, item in zip(items, value, strict=True)), len(items))
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        if _is_plain(args[0]):
            return _plain_tuple
        inner = _decoder(args[0])
        return lambda value: tuple(inner(item) for item in _listed(value))
    if origin is dict and args and args[0] is str:
        inner = _decoder(args[1])
        if _is_plain(args[1]):
            return _object
        return lambda value: {k: inner(v) for k, v in _object(value).items()}
    if origin is frozenset:
        inner = _decoder(args[0])
        return lambda value: frozenset(inner(item) for item in _listed(value))
    raise CodecError(f"unsupported type {kind}")


def _sized(value: tuple[Any, ...], size: int) -> tuple[Any, ...]:
    if len(value) != size:
        raise TypeError(f"expected {size} items")
    return value


def _listed(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError("expected a list")
    return value


def _plain_tuple(value: Any) -> tuple[Any, ...]:
    return tuple(_listed(value))


def _object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError("expected an object")
    return value


@functools.cache
def _dataclass_decoder(cls: type) -> Callable[..., Any]:
    if any(f.init is False for f in dataclasses.fields(cls)) or hasattr(cls, "__post_init__") or hasattr(cls, "__slots__"):
        raise CodecError(f"unsupported dataclass {cls.__name__}")
    hints = typing.get_type_hints(cls)
    names = frozenset(f.name for f in dataclasses.fields(cls))
    nested = tuple((f.name, _decoder(hints[f.name])) for f in dataclasses.fields(cls) if not _is_plain(hints[f.name]))
    defaults = dict(_defaults(cls))
    required = frozenset(name for name, default in defaults.items() if default is _NO_DEFAULT)
    new = object.__new__

    def decode_instance(data: Any, given: dict[str, Any] | None = None) -> Any:
        if not isinstance(data, dict):
            raise TypeError(f"expected an object for {cls.__name__}")
        if not data.keys() <= names:
            raise KeyError(", ".join(sorted(data.keys() - names)))
        missing = required - data.keys() - (given.keys() if given else set())
        if missing:
            raise KeyError(", ".join(sorted(missing)))
        # What the frozen dataclass's own __init__ would store, without its per-field
        # object.__setattr__ calls (half the cost of decoding); defaults are immutable values.
        instance: Any = new(cls)
        values = instance.__dict__
        values.update(defaults)
        values.update(data)
        for name, decode_field in nested:
            if name in data:
                values[name] = decode_field(data[name])
        if given:
            values.update(given)
        return instance

    return decode_instance
