"""Photos handed in by owners (issue-form uploads, spreadsheet columns): fetched, bounded, checked.

A photo is read from a URL or a local file, never more than `MAX_PHOTO_BYTES`, and kept only when
Pillow recognises it as a supported image within the pixel bound. A URL is fetched over https
only, from public addresses only: every host (the first and each redirect) is resolved, every
address it resolves to must be public (no loopback, private, link-local, shared or reserved
range), and the connection goes to the address that was checked, so a name cannot be switched to
an inner address in between. A photo has a total deadline (not a per-read timeout a slow server
can stretch), and so does a whole import (`Budget`). Its file name is the hash of
its bytes, so importing the same photo twice gives the same file. What enters the folder is a
clean copy made by `intake.photos.clean_photo` (upright, no EXIF/GPS, at most 2048 px): the repository
is public, so a phone's original never reaches it.
"""

from __future__ import annotations

import functools
import hashlib
import http.client
import io
import ipaddress
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from PIL import Image, UnidentifiedImageError

from generator.core.imaging import MAX_PHOTO_BYTES, MAX_PHOTO_MB, msg_too_many_pixels, pixel_limit
from generator.intake.photos import clean_photo

TIMEOUT_SECONDS = 60  # one photo, from the first byte asked to the last byte read, redirects included
RUN_SECONDS = 15 * 60  # every photo of one import or one issue together
MAX_REDIRECTS = 5
SCHEMES = ("https",)
# Origins (`scheme://host:port`) trusted although their address is not public: empty, except in
# tests, whose photo server listens on 127.0.0.1 (tests/conftest.py `photo_server`).
TRUSTED_ORIGINS: frozenset[str] = frozenset()
_CHUNK = 64 * 1024
# Where GitHub keeps files dropped into an issue form. Anything else in an issue body is refused.
GITHUB_PHOTO_SOURCES = (
    "https://github.com/user-attachments/assets/",
    "https://github.com/user-attachments/files/",
    "https://user-images.githubusercontent.com/",
    "https://private-user-images.githubusercontent.com/",
)
_USER_AGENT = "katalog-umkm (pengunduh foto)"


class PhotoError(Exception):
    """A photo refused, with an Indonesian message for the owner."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Budget:
    """A deadline shared by the downloads of one run (an import, an issue), and the sockets to hold to it."""

    seconds: float = field(default_factory=lambda: RUN_SECONDS)
    started: float = field(default_factory=time.monotonic)

    def remaining(self) -> float:
        return self.seconds - (time.monotonic() - self.started)


@dataclass(frozen=True)
class Photo:
    """A checked photo: its bytes and the file name it gets in the entry folder."""

    data: bytes
    suffix: str  # from the image format, never from the URL: ".jpg", ".png", ...

    @property
    def name(self) -> str:
        return f"foto/{hashlib.sha256(self.data).hexdigest()[:12]}{self.suffix}"


def fetch_photo(
    url: str,
    *,
    sources: Sequence[str] | None = GITHUB_PHOTO_SOURCES,
    max_bytes: int = MAX_PHOTO_BYTES,
    timeout: float = TIMEOUT_SECONDS,
    budget: Budget | None = None,
) -> Photo:
    """Download one photo; `sources` are the URL prefixes allowed (None: any https address).

    `timeout` bounds the whole download of this photo; `budget` (when given) the whole run."""
    check_source(url, sources)
    shown = _shown(url)
    limit = min(timeout, budget.remaining()) if budget is not None else timeout
    if limit <= 0:
        raise PhotoError(f"foto tidak diunduh dari '{shown}': waktu untuk mengunduh foto sudah habis (paling lama {RUN_SECONDS // 60} menit)")
    deadline = _Deadline(time.monotonic() + limit)
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({}),  # a proxy would be the address checked, not the photo host
        _PinnedHTTPHandler(deadline),
        _PinnedHTTPSHandler(deadline),
        _Redirects(),
    )
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT, "Accept": "image/*"})
    # Socket timeouts bound each wait, not the whole: a server sending a byte at a time (in the TLS
    # handshake, the headers or the body) would never trip one. At the deadline every socket of this
    # download is shut, which ends whatever read is waiting.
    watchdog = threading.Timer(limit, deadline.expire)
    watchdog.daemon = True
    watchdog.start()
    try:
        with opener.open(request, timeout=deadline.left()) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise PhotoError(_too_large(shown, max_bytes))
            data = _read_until(response, max_bytes, shown, deadline)
    except PhotoError:
        if deadline.expired:
            raise PhotoError(_timed_out(shown, limit)) from None
        raise
    except urllib.error.HTTPError as exc:
        raise PhotoError(f"foto tidak dapat diunduh dari '{shown}' (HTTP {exc.code})") from None
    except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as exc:
        reason = getattr(exc, "reason", exc)
        if deadline.expired or isinstance(reason, TimeoutError) or isinstance(exc, TimeoutError) or deadline.left() <= 0:
            raise PhotoError(_timed_out(shown, limit)) from None
        if isinstance(reason, PhotoError):
            raise reason from None
        raise PhotoError(f"foto tidak dapat diunduh dari '{shown}' ({reason})") from None
    finally:
        watchdog.cancel()
        deadline.expire(closing=True)
    if deadline.expired:
        raise PhotoError(_timed_out(shown, limit))
    return identify_photo(data, shown)


def check_source(url: str, sources: Sequence[str] | None = GITHUB_PHOTO_SOURCES) -> None:
    """Refuse an address the photo may not come from, before anything is downloaded."""
    shown = _shown(url)
    if sources is not None and not any(url.startswith(prefix) for prefix in sources):
        allowed = "lampiran GitHub (foto yang diseret ke formulir)" if tuple(sources) == GITHUB_PHOTO_SOURCES else ", ".join(sources)
        raise PhotoError(f"foto hanya boleh berasal dari {allowed} (ditemukan '{shown}')")
    if urlsplit(url).scheme.lower() not in SCHEMES and _origin(url) not in TRUSTED_ORIGINS:
        raise PhotoError(f"alamat foto harus diawali https:// (ditemukan '{shown}')")


def is_public_address(address: str) -> bool:
    """Whether an IP address is on the public internet: not loopback, private, link-local, shared
    (100.64/10), multicast, reserved or unspecified, in IPv4 or IPv6 (IPv4-mapped included)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def public_addresses(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, all of them public, or PhotoError naming the host."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise PhotoError(f"alamat foto tidak dikenal: host '{host}' tidak dapat ditemukan") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    inner = [a for a in addresses if not is_public_address(a)]
    if not addresses or inner:
        raise PhotoError(f"foto tidak boleh diunduh dari alamat jaringan dalam ('{host}' = {inner[0] if inner else '?'}); hanya alamat internet publik")
    return addresses


def _origin(url: str) -> str:
    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return ""
    return f"{parts.scheme.lower()}://{(parts.hostname or '').lower()}:{port}"


@dataclass
class _Deadline:
    at: float  # time.monotonic()
    sockets: list[socket.socket] = field(default_factory=list)
    expired: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def left(self) -> float:
        return self.at - time.monotonic()

    def add(self, sock: socket.socket) -> None:
        with self._lock:
            self.sockets.append(sock)
            if self.expired:
                sock.close()

    def expire(self, closing: bool = False) -> None:
        """Shut every socket of this download (the watchdog at the deadline; `closing` after the end)."""
        with self._lock:
            if not closing:
                self.expired = True
            for sock in self.sockets:
                try:
                    if sock.fileno() != -1:
                        sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass  # already closed by the other side
            if closing:
                self.sockets.clear()

    def tighten(self, shown: str) -> None:
        """Every socket of this download may wait only for what is left of its time."""
        left = self.left()
        if left <= 0 or self.expired:
            raise PhotoError(f"foto tidak dapat diunduh dari '{shown}' (waktu habis)")
        with self._lock:
            for sock in self.sockets:
                if sock.fileno() != -1:  # the connection of an earlier redirect is closed by now
                    sock.settimeout(left)


def _connect(host: str, port: int, scheme: str, deadline: _Deadline) -> socket.socket:
    """A socket to an address of `host` that was checked to be public (the one connected to)."""
    if deadline.left() <= 0:
        raise PhotoError(f"foto tidak dapat diunduh dari '{host}' (waktu habis)")
    origin = f"{scheme}://{host.lower()}:{port}"
    addresses = [host] if origin in TRUSTED_ORIGINS else public_addresses(host, port)
    error: OSError | None = None
    for address in addresses:
        try:
            sock = socket.create_connection((address, port), timeout=deadline.left())
        except OSError as exc:
            error = exc
            continue
        deadline.add(sock)
        return sock
    raise error or OSError(f"tidak dapat terhubung ke {host}")


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args: Any, deadline: _Deadline, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.deadline = deadline

    def connect(self) -> None:
        self.sock = _connect(self.host, self.port, "http", self.deadline)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args: Any, deadline: _Deadline, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.deadline = deadline

    def connect(self) -> None:
        sock = _connect(self.host, self.port, "https", self.deadline)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]
        self.deadline.add(self.sock)


class _PinnedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline: _Deadline) -> None:
        super().__init__()
        self.deadline = deadline

    def http_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(functools.partial(_PinnedHTTPConnection, deadline=self.deadline), req)  # type: ignore[arg-type]


class _PinnedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: _Deadline) -> None:
        super().__init__()
        self.deadline = deadline

    def https_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(functools.partial(_PinnedHTTPSConnection, deadline=self.deadline), req, context=self._context)  # type: ignore[attr-defined,arg-type]


def _shown(url: str) -> str:
    return url if len(url) <= 80 else url[:77] + "..."


def read_photo(path: Path, *, max_bytes: int = MAX_PHOTO_BYTES, within: Sequence[Path] | None = None) -> Photo:
    """Read one local photo file (a spreadsheet's photo column may name one).

    With `within`, the file (links resolved) must lie inside one of those folders."""
    shown = str(path)
    if within is not None:
        real = path.resolve()
        if not any(real.is_relative_to(folder.resolve()) for folder in within):
            folders = " atau ".join(f"'{folder}'" for folder in within)
            raise PhotoError(f"foto '{shown}' berada di luar {folders}; letakkan fotonya di folder lembar kerja atau sebutkan foldernya dengan --foto")
    if not path.is_file():
        raise PhotoError(f"berkas foto '{shown}' tidak ditemukan")
    with path.open("rb") as file:
        data = _read_bounded(file, max_bytes, shown)
    return identify_photo(data, shown)


def identify_photo(data: bytes, shown: str) -> Photo:
    """Keep the bytes only when they are a supported image within the pixel bound."""
    try:
        with Image.open(io.BytesIO(data), formats=_formats()) as image:
            size, fmt = image.size, image.format or ""
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError, SyntaxError):
        raise PhotoError(f"'{shown}' bukan foto yang didukung (JPEG, PNG, WebP, GIF atau HEIC)") from None
    if size[0] * size[1] > pixel_limit(fmt):
        raise PhotoError(msg_too_many_pixels(shown, size, fmt))
    # The repository is public: what is stored is a clean copy, never the phone's file with its GPS.
    try:
        clean, suffix = clean_photo(data)
    except ValueError:
        raise PhotoError(f"foto '{shown}' rusak atau terpotong; simpan ulang lalu kirim lagi") from None
    return Photo(clean, suffix)


def _read_until(response: Any, max_bytes: int, shown: str, deadline: _Deadline) -> bytes:
    """Read a response in chunks, each wait bounded by what is left of the photo's time."""
    chunks: list[bytes] = []
    size = 0
    while True:
        deadline.tighten(shown)
        chunk = response.read1(_CHUNK)  # one read from the socket: a trickle returns at once
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise PhotoError(_too_large(shown, max_bytes))
        chunks.append(chunk)


def _read_bounded(stream: IO[bytes] | Any, max_bytes: int, shown: str) -> bytes:
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise PhotoError(_too_large(shown, max_bytes))
    return bytes(data)


def _timed_out(shown: str, limit: float) -> str:
    return f"foto tidak dapat diunduh dari '{shown}' (waktu habis setelah {limit:g} detik)"


def _too_large(shown: str, max_bytes: int) -> str:
    limit = f"{MAX_PHOTO_MB} MB" if max_bytes == MAX_PHOTO_BYTES else f"{max_bytes} byte"
    return f"foto '{shown}' terlalu besar (lebih dari {limit}); perkecil dulu"


@cache
def _formats() -> tuple[str, ...]:
    formats = ("JPEG", "PNG", "WEBP", "GIF")
    try:
        from pillow_heif import register_heif_opener
    except ImportError:
        return formats
    register_heif_opener()
    return (*formats, "HEIF")


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follow a few redirects (GitHub sends attachments to a signed storage URL), never to http,
    each to a host whose addresses are checked again."""

    max_redirections = MAX_REDIRECTS

    def redirect_request(
        self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> urllib.request.Request | None:
        if urlsplit(newurl).scheme.lower() not in SCHEMES and _origin(newurl) not in TRUSTED_ORIGINS:
            raise PhotoError(f"foto dialihkan ke alamat yang tidak aman ('{newurl[:80]}')")
        # The new host is resolved and checked when the next connection is made (_connect).
        return super().redirect_request(req, fp, code, msg, headers, newurl)
