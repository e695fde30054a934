"""The pull-request check ("Keutuhan data"): every entry a pull request touches, against the one
rule of `integrity.py`, validated, and held to the file boundary for contributors without write
access.

The pull request's files are read from git as data (`git archive` into a temporary folder, opened
by the strict loader), never checked out or run: `.github/workflows/keutuhan.yml` runs this with
the base branch's code and posts the verdict as the commit status "Keutuhan data", the required
check. Who asks is the PR's author, or for a pull request the issue-form workflow opened, the
issue's author. An update by someone else fails until a Dinas member (`dinas.petugas`) approves
the pull request's latest commit.
"""

from __future__ import annotations

import json
import re
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.builder.load import load_entry
from generator.core.integrity import DINAS, MANAGER, NEW, OTHER, Classification, Requester, change_report, classify_change, is_staff, md
from generator.core.models import Region
from generator.core.problems import ERROR, Problem, errors_in

BOT = "github-actions[bot]"  # the author of the pull requests the issue-form workflow opens
FORM_BRANCH = re.compile(r"^formulir/issue-([0-9]+)$")
WRITERS = frozenset({"admin", "maintain", "write"})
STATUS_CONTEXT = "Keutuhan data"  # the commit status that branch protection requires
_CATALOG_FILE = re.compile(r"^catalog/([a-z0-9]+(?:-[a-z0-9]+)*)/[^/].*$")
_DECISIVE = frozenset({"APPROVED", "CHANGES_REQUESTED", "DISMISSED"})  # a COMMENTED review changes nothing
_MAX_ARCHIVE_BYTES = 512 * 1024 * 1024
_MAX_DESCRIPTION = 140  # GitHub cuts a commit status description there


class CheckError(ValueError):
    """Input the check cannot work with (an event without a pull request, a ref git does not know)."""


@dataclass(frozen=True)
class PullRequest:
    number: int
    author: str
    head_sha: str
    base_ref: str
    head_ref: str
    same_repo: bool  # the head branch lives in the base repository (not a fork)

    @property
    def form_issue(self) -> int | None:
        """The issue a pull request of the issue-form workflow comes from (None for any other)."""
        match = FORM_BRANCH.match(self.head_ref)
        return int(match.group(1)) if match and self.same_repo and self.author == BOT else None


@dataclass(frozen=True)
class Review:
    login: str
    state: str  # APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED, PENDING
    commit_id: str


@dataclass(frozen=True)
class Verdict:
    """The check's answer for one pull request."""

    pr: PullRequest
    requester: Requester
    classifications: tuple[Classification, ...]
    approvals: tuple[str, ...]  # Dinas staff who approved the latest commit
    problems: tuple[Problem, ...]  # outside the boundary, or an entry that does not validate

    @property
    def refused(self) -> bool:
        return any(c.refused for c in self.classifications)

    @property
    def unverified(self) -> tuple[Classification, ...]:
        """Updates by someone else that no Dinas member has approved yet."""
        return () if self.approvals else tuple(c for c in self.classifications if c.needs_verification)

    @property
    def passed(self) -> bool:
        return not errors_in(list(self.problems)) and not self.refused and not self.unverified

    def description(self) -> str:
        """One line for the commit status (GitHub shows at most 140 characters)."""
        errors = errors_in(list(self.problems))
        if self.refused:
            text = "Ditolak: kolom khusus Dinas (" + ", ".join(c.slug for c in self.classifications if c.refused) + ")"
        elif errors:
            text = f"{len(errors)} galat: lihat laporan pemeriksaan"
        elif self.unverified:
            text = "Perlu verifikasi Dinas: " + ", ".join(c.slug for c in self.unverified)
        elif any(c.needs_verification for c in self.classifications):
            text = "Diverifikasi: disetujui petugas Dinas pada commit terakhir"
        elif self.classifications:
            kinds = sorted({c.kind for c in self.classifications}, key=[NEW, MANAGER, DINAS, OTHER].index)
            text = "Lolos: " + "; ".join(_KIND_SHORT[k] for k in kinds)
        else:
            text = "Lolos: tidak ada entri katalog yang diubah"
        return text if len(text) <= _MAX_DESCRIPTION else text[: _MAX_DESCRIPTION - 1] + "…"


_KIND_SHORT = {NEW: "usaha baru", MANAGER: "oleh pengelola", DINAS: "oleh petugas Dinas", OTHER: "oleh orang lain"}


# --- reading what GitHub hands over ---------------------------------------------------------------------


def read_pull_request(payload: Mapping[str, Any]) -> PullRequest:
    """The pull request of an event payload (`pull_request`, `pull_request_target`,
    `pull_request_review`), or a REST `GET /repos/{o}/{r}/pulls/{n}` object as it is."""
    pr = payload.get("pull_request", payload) if isinstance(payload, Mapping) else None
    try:
        assert isinstance(pr, Mapping)
        head, base = pr["head"], pr["base"]
        head_repo = (head.get("repo") or {}).get("full_name")  # null once a fork is deleted
        return PullRequest(
            number=int(pr["number"]),
            author=str(pr["user"]["login"]),
            head_sha=str(head["sha"]),
            base_ref=str(base["ref"]),
            head_ref=str(head["ref"]),
            same_repo=bool(head_repo) and head_repo == base["repo"]["full_name"],
        )
    except (AssertionError, KeyError, TypeError, ValueError) as exc:
        raise CheckError(f"berkas event tidak berisi pull request yang lengkap ({exc!r})") from None


def read_reviews(text: str) -> list[Review]:
    """Reviews from `GET /pulls/{n}/reviews`: one JSON array, or what `gh api --paginate` prints
    (arrays one after another, or one object per line)."""
    decoder = json.JSONDecoder()
    items: list[Any] = []
    position = 0
    text = text.strip()
    while position < len(text):
        try:
            value, end = decoder.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            raise CheckError(f"daftar ulasan bukan JSON ({exc.msg}, karakter {exc.pos})") from None
        items += value if isinstance(value, list) else [value]
        position = end
        while position < len(text) and text[position].isspace():
            position += 1
    reviews = []
    for item in items:
        if isinstance(item, Mapping) and isinstance(item.get("user"), Mapping):
            reviews.append(Review(str(item["user"].get("login", "")), str(item.get("state", "")), str(item.get("commit_id") or "")))
    return reviews


def staff_approvals(reviews: Sequence[Review], head_sha: str, region: Region) -> tuple[str, ...]:
    """Dinas staff whose latest decisive review approves exactly the latest commit."""
    latest: dict[str, Review] = {}
    for review in reviews:  # GitHub lists them oldest first
        if review.state in _DECISIVE:
            latest[review.login.casefold()] = review
    return tuple(
        sorted(
            r.login
            for r in latest.values()
            if r.state == "APPROVED" and r.commit_id == head_sha and is_staff(Requester.github(r.login), region)
        )
    )


# --- the check ------------------------------------------------------------------------------------------


def check_pull_request(
    pr: PullRequest,
    *,
    repo: Path,
    base: str,
    head: str,
    region: Region,
    requester: Requester,
    reviews: Sequence[Review] = (),
    writer: bool = False,
    check: Callable[[Path], list[Problem]] | None = None,
) -> Verdict:
    """Classify and validate every entry the pull request touches (`base...head`), and hold a
    contributor without write access to `catalog/<slug>/`.

    "Before" is the entry on the base branch as it is now (its current managers), "after" the
    entry at the pull request's head."""
    paths = changed_paths(repo, base, head)
    problems = boundary_problems(paths, allowed_anywhere=writer or is_staff(requester, region))
    slugs = sorted({m.group(1) for p in paths if (m := _CATALOG_FILE.match(p))})
    classifications = []
    with tempfile.TemporaryDirectory(prefix="umkm-pr-") as tmp:
        work = Path(tmp)
        for slug in slugs:
            before_dir = export_folder(repo, base, f"catalog/{slug}", work / "dasar")
            after_dir = export_folder(repo, head, f"catalog/{slug}", work / "kepala")
            before, before_story, before_problems = _read(before_dir)
            after, after_story, after_problems = _read(after_dir)
            if after_dir is not None and after is None:
                problems += [_relocate(p, work / "kepala") for p in after_problems]
                continue
            if before_dir is not None and before is None:
                # The base entry cannot be read: nothing says who manages it, so nobody does.
                problems += [_relocate(p, work / "dasar", level="peringatan") for p in before_problems]
            classifications.append(
                classify_change(before, after, requester, region, slug=slug, story_before=before_story, story_after=after_story)
            )
            if after_dir is not None and check is not None:
                problems += [_relocate(p, work / "kepala") for p in check(after_dir)]
    approvals = staff_approvals(reviews, pr.head_sha, region)
    return Verdict(pr, requester, tuple(classifications), approvals, tuple(problems))


def requester_of(pr: PullRequest, issue: Mapping[str, Any] | None) -> Requester:
    """Who asks: the PR's author, or for a pull request of the issue-form workflow, the issue's author
    (only when the issue handed in is that one: its number is in the branch name)."""
    number = pr.form_issue
    if number is None:
        return Requester.github(pr.author)
    try:
        if issue is not None and int(issue["number"]) == number:
            return Requester.github(str(issue["user"]["login"]))
    except (KeyError, TypeError, ValueError):
        pass
    return Requester.unknown()  # an update by nobody known: someone else's, verified by the Dinas


def boundary_problems(paths: Sequence[str], *, allowed_anywhere: bool) -> list[Problem]:
    """A contributor without write access may change `catalog/<slug>/` only (not `_…` folders: taking
    a listing down is the Dinas' call)."""
    if allowed_anywhere:
        return []
    return [
        Problem(
            Path(path),
            None,
            "",
            "pull request dari kontributor tanpa hak tulis hanya boleh mengubah folder catalog/<slug>/ (data usaha dan fotonya); "
            "berkas ini hanya diubah petugas Dinas",
        )
        for path in paths
        if not _CATALOG_FILE.match(path)
    ]


def changed_paths(repo: Path, base: str, head: str) -> list[str]:
    """Every path a pull request changes (old and new name of a rename), against the merge base."""
    out = _git(repo, "diff", "--name-only", "-z", "--no-renames", f"{base}...{head}")
    return sorted({name for name in out.decode("utf-8", errors="replace").split("\0") if name})


def export_folder(repo: Path, ref: str, folder: str, dest: Path) -> Path | None:
    """`folder` as it is at `ref`, written under `dest` (None when it does not exist there)."""
    listing = _git(repo, "ls-tree", "--name-only", ref, "--", f"{folder}/")
    if not listing.strip():
        return None
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile() as archive:
        result = subprocess.run(["git", "-C", str(repo), "archive", "--format=tar", ref, "--", f"{folder}/"], stdout=archive, stderr=subprocess.PIPE)
        if result.returncode != 0:
            raise CheckError(f"git archive {ref} {folder}: {result.stderr.decode(errors='replace').strip()}")
        if archive.tell() > _MAX_ARCHIVE_BYTES:
            raise CheckError(f"{folder}: lebih dari {_MAX_ARCHIVE_BYTES // 1024 // 1024} MB")
        archive.seek(0)
        with tarfile.open(fileobj=archive) as tar:
            tar.extractall(dest, filter="data")  # no absolute paths, no '..', no links leaving dest
    return dest / folder


def _read(folder: Path | None) -> tuple[dict[str, Any] | None, str | None, list[Problem]]:
    if folder is None:
        return None, None, []
    raw, problems = load_entry(folder)
    if raw is None or not isinstance(raw.doc.data, dict) or errors_in(problems):
        return None, None, problems
    return dict(raw.doc.data), raw.body, problems


def _relocate(problem: Problem, root: Path, *, level: str = "") -> Problem:
    try:
        path = problem.path.relative_to(root)
    except ValueError:
        path = problem.path
    return Problem(path, problem.line, problem.field, problem.message, level or problem.level)


def _git(repo: Path, *args: str) -> bytes:
    try:
        return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True).stdout
    except subprocess.CalledProcessError as exc:
        raise CheckError(f"git {' '.join(args[:2])} gagal: {exc.stderr.decode(errors='replace').strip()}") from None
    except OSError as exc:
        raise CheckError(f"git tidak dapat dijalankan ({exc})") from None


# --- the report -----------------------------------------------------------------------------------------


def verdict_markdown(verdict: Verdict, *, region: Region, catalog_name: str = "", site_url: str = "") -> str:
    """The comment on the pull request (public): verdict, who asked, every entry's changes."""
    pr = verdict.pr
    if verdict.passed:
        head = "lolos" if not any(c.needs_verification for c in verdict.classifications) else "diverifikasi petugas Dinas"
    elif verdict.unverified and not verdict.refused and not errors_in(list(verdict.problems)):
        head = "**perlu verifikasi**"
    else:
        head = "**gagal**"
    source = f" (dari issue #{pr.form_issue})" if pr.form_issue else ""
    lines = [
        "<!-- umkm:keutuhan -->",
        f"## Keutuhan data: {head}",
        "",
        f"Pull request #{pr.number}{source}, diminta oleh {md(verdict.requester.public_name())}, commit `{pr.head_sha[:12]}`.",
    ]
    if verdict.approvals:
        lines.append(f"Disetujui petugas Dinas pada commit ini: {', '.join('@' + md(a) for a in verdict.approvals)}.")
    errors = errors_in(list(verdict.problems))
    if errors:
        lines += ["", "Yang harus diperbaiki:", ""]
        lines += [f"- {md(p.format(base=Path('.')))}" for p in errors]
    reference = f"pull request #{pr.number}" + (f", issue #{pr.form_issue}" if pr.form_issue else "")
    for c in verdict.classifications:
        page = f"{site_url.rstrip('/')}/usaha/{c.slug}/" if site_url.startswith("https://") else ""
        lines += ["", change_report(c, region=region, catalog_name=catalog_name, reference=reference, page_url=page).rstrip("\n")]
    if not verdict.classifications:
        lines += ["", "Pull request ini tidak mengubah entri katalog."]
    warnings = [p for p in verdict.problems if p.level != ERROR]
    if warnings:
        lines += ["", "Catatan:", "", *[f"- {md(p.format(base=Path('.')))}" for p in warnings]]
    return "\n".join(lines) + "\n"


def status_json(verdict: Verdict) -> str:
    """What the status job posts (`gh api repos/{r}/statuses/{sha}`): state, context, description."""
    return json.dumps(
        {
            "sha": verdict.pr.head_sha,
            "pr": verdict.pr.number,
            "state": "success" if verdict.passed else "failure",
            "context": STATUS_CONTEXT,
            "description": verdict.description(),
        },
        ensure_ascii=False,
    )
