"""The "Keutuhan data" pull-request check, from a recorded `pull_request` event payload and git."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import cli
from tests.conftest import ROOT, MakeEntry, git

DATA = Path(__file__).parent / "data"
OWNER = "pemilik-sarirasa"
STAFF = "petugas-katalog-bekasi"
STRANGER = "akun-asing"  # the author in the recorded payload


def sari_rasa(**extra: Any) -> dict[str, Any]:
    return {
        "nama": "Keripik Sari Rasa",
        "kontak": {"whatsapp": "0812-1934-5521"},
        "toko_online": [{"platform": "tokopedia", "url": "https://www.tokopedia.com/keripiksarirasa"}],
        "pengelola": [OWNER],
        **extra,
    }


@pytest.fixture
def repo(project: Path, make_entry: MakeEntry, monkeypatch: pytest.MonkeyPatch) -> Path:
    """main holds Keripik Sari Rasa, managed by OWNER; the branch `usulan` is the pull request."""
    monkeypatch.chdir(project)
    monkeypatch.setenv("UMKM_TANGGAL", "2026-11-28")
    make_entry("keripik-sari-rasa", sari_rasa())
    make_entry("lain", {"nama": "Usaha Lain"})
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "awal")
    git(project, "switch", "-qc", "usulan")
    (project / ".pr").mkdir()  # the workflow's inputs (payload, reviews, reports), kept out of git
    (project / ".git" / "info" / "exclude").write_text("/.pr/\n/.cache/\n/site/\n", encoding="utf-8")
    return project


def propose(repo: Path, make_entry: MakeEntry, slug: str = "keripik-sari-rasa", **meta: Any) -> str:
    make_entry(slug, meta, base=True)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "usulan")
    return git(repo, "rev-parse", "HEAD").strip()


def event(repo: Path, head: str, **pull_request: Any) -> Path:
    """The recorded payload, pointed at this repository's head commit (and with any field replaced)."""
    payload = json.loads((DATA / "pr-event.json").read_text(encoding="utf-8"))
    payload["pull_request"]["head"]["sha"] = head
    for key, value in pull_request.items():
        node = payload["pull_request"]
        *parents, last = key.split("__")
        for part in parents:
            node = node[part]
        node[last] = value
    path = repo / ".pr" / f"event-{head[:7]}.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    return path


def reviews(repo: Path, *items: tuple[str, str, str]) -> Path:
    """A reviews list as the API gives it, from the recorded one: (login, state, commit)."""
    recorded = json.loads((DATA / "pr-ulasan.json").read_text(encoding="utf-8"))
    out = [{**recorded[1], "user": {**recorded[1]["user"], "login": login}, "state": state, "commit_id": commit} for login, state, commit in items]
    path = repo / ".pr" / "ulasan.json"
    path.write_text(json.dumps([recorded[0], *out]), encoding="utf-8")
    return path


def check(repo: Path, event_path: Path, *args: str) -> tuple[int, str, dict[str, str]]:
    report, status = repo / ".pr" / "laporan.md", repo / ".pr" / "status.json"
    code = cli.main(["periksa-pr", "--event", str(event_path), "--dasar", "main", "--kepala", "usulan", "--laporan", str(report), "--status", str(status), *args])
    return code, report.read_text(encoding="utf-8"), json.loads(status.read_text(encoding="utf-8"))


TAKEOVER = {
    "kontak": {"whatsapp": "0857-7000-4321"},
    "toko_online": [
        {"platform": "tokopedia", "url": "https://www.tokopedia.com/keripiksarirasa"},
        {"platform": "lainnya", "url": "https://tokopedia-keripiksarirasa.shop/promo"},
    ],
}


def test_recorded_payload_is_a_real_pull_request_event() -> None:
    payload = json.loads((DATA / "pr-event.json").read_text(encoding="utf-8"))
    assert payload["action"] == "opened" and payload["pull_request"]["user"]["login"] == STRANGER
    assert payload["pull_request"]["head"]["repo"]["fork"] is True


def test_takeover_pull_request_fails_until_the_dinas_approves_the_latest_commit(repo: Path, make_entry: MakeEntry, capsys: pytest.CaptureFixture[str]) -> None:
    head = propose(repo, make_entry, **sari_rasa(**TAKEOVER))
    code, report, status = check(repo, event(repo, head))
    assert code == 1
    assert status == {
        "sha": head,
        "pr": 57,
        "state": "failure",
        "context": "Keutuhan data",
        "description": "Perlu verifikasi Dinas: keripik-sari-rasa",
    }
    assert "## Keutuhan data: **perlu verifikasi**" in report and "lolos" not in report
    assert "akun GitHub @\u200bakun-asing" in report
    assert "| Nomor WhatsApp | +6281\\*\\*\\*\\*\\*5521 | +6285\\*\\*\\*\\*\\*4321 |" in report
    assert "| Toko online lainnya: Alamat toko | — | https://tokopedia-keripiksarirasa.shop/promo |" in report
    assert "https://wa.me/6281219345521?text=" in report  # the number on file, for the clerk
    assert OWNER not in report and "6285770004321" not in report
    out = capsys.readouterr()
    assert OWNER not in out.out + out.err and "6281219345521" not in out.out + out.err

    # A Dinas member approves that very commit: the same check passes.
    code, report, status = check(repo, event(repo, head), "--ulasan", str(reviews(repo, (STAFF, "APPROVED", head))))
    assert code == 0 and status["state"] == "success"
    assert status["description"] == "Diverifikasi: disetujui petugas Dinas pada commit terakhir"
    assert "diverifikasi petugas Dinas" in report

    # A push after the approval is not approved.
    newer = propose(repo, make_entry, **sari_rasa(**TAKEOVER, kapasitas="5.000 bungkus"))
    code, _, status = check(repo, event(repo, newer), "--ulasan", str(reviews(repo, (STAFF, "APPROVED", head))))
    assert code == 1 and status["state"] == "failure"


@pytest.mark.parametrize(
    "approvals",
    [
        [("orang-lain", "APPROVED", "HEAD")],  # not Dinas staff
        [(STAFF, "APPROVED", "HEAD"), (STAFF, "CHANGES_REQUESTED", "HEAD")],  # withdrawn
        [(STAFF, "COMMENTED", "HEAD")],
        [(STRANGER, "APPROVED", "HEAD")],  # the author himself
    ],
)
def test_only_a_standing_approval_by_dinas_staff_verifies(repo: Path, make_entry: MakeEntry, approvals: list[tuple[str, str, str]]) -> None:
    head = propose(repo, make_entry, **sari_rasa(**TAKEOVER))
    listed = reviews(repo, *[(login, state, head) for login, state, _ in approvals])
    code, _, status = check(repo, event(repo, head), "--ulasan", str(listed))
    assert code == 1 and status["description"].startswith("Perlu verifikasi")


def test_pull_request_by_the_manager_passes(repo: Path, make_entry: MakeEntry) -> None:
    head = propose(repo, make_entry, **sari_rasa(**TAKEOVER))
    code, report, status = check(repo, event(repo, head, user__login=OWNER))
    assert code == 0 and status["description"] == "Lolos: oleh pengelola"
    assert "pembaruan oleh pengelola usaha" in report and "+6285\\*\\*\\*\\*\\*4321" in report


def test_a_dinas_only_field_changed_by_someone_else_fails_even_when_approved(repo: Path, make_entry: MakeEntry) -> None:
    head = propose(repo, make_entry, **sari_rasa(diverifikasi="2026-11-28"))
    listed = str(reviews(repo, (STAFF, "APPROVED", head)))
    code, report, status = check(repo, event(repo, head, user__login=OWNER), "--ulasan", listed)
    assert code == 1 and status["description"] == "Ditolak: kolom khusus Dinas (keripik-sari-rasa)"
    assert "Diverifikasi Dinas: hanya petugas Dinas yang boleh mengisi atau mengubahnya" in report
    # The same change by Dinas staff passes.
    code, _, status = check(repo, event(repo, head, user__login=STAFF))
    assert code == 0 and status["description"] == "Lolos: oleh petugas Dinas"


def test_a_new_business_by_pull_request_names_its_author_as_manager(repo: Path, make_entry: MakeEntry) -> None:
    head = propose(repo, make_entry, slug="warung-baru", nama="Warung Baru")
    code, report, _ = check(repo, event(repo, head))
    assert code == 1 and "tulis tepat 'pengelola: \\[akun-asing\\]'" in report
    head = propose(repo, make_entry, slug="warung-baru", nama="Warung Baru", pengelola=[STRANGER])
    code, report, status = check(repo, event(repo, head))
    assert code == 0 and status["description"] == "Lolos: usaha baru"


def test_a_form_pull_request_asks_for_the_issue_author(repo: Path, make_entry: MakeEntry) -> None:
    head = propose(repo, make_entry, **sari_rasa(**TAKEOVER))
    form = event(
        repo,
        head,
        user__login="github-actions[bot]",
        head__ref="formulir/issue-41",
        head__repo__full_name="dinas-kukm-bekasi/katalog-umkm",
    )
    issue = repo / ".pr" / "issue.json"
    issue.write_text(json.dumps({"number": 41, "user": {"login": OWNER}}), encoding="utf-8")
    code, report, _ = check(repo, form, "--issue", str(issue))
    assert code == 0 and "(dari issue #41)" in report
    # Another issue's author does not count, and neither does a branch of that name in a fork.
    issue.write_text(json.dumps({"number": 42, "user": {"login": OWNER}}), encoding="utf-8")
    assert check(repo, form, "--issue", str(issue))[0] == 1
    fork = event(repo, head, user__login="github-actions[bot]", head__ref="formulir/issue-41")
    issue.write_text(json.dumps({"number": 41, "user": {"login": OWNER}}), encoding="utf-8")
    assert check(repo, fork, "--issue", str(issue))[0] == 1


def test_files_outside_the_catalog_need_write_access(repo: Path, make_entry: MakeEntry) -> None:
    (repo / "wilayah.yml").write_text((repo / "wilayah.yml").read_text() + "\n", encoding="utf-8")
    head = propose(repo, make_entry, **sari_rasa(kapasitas="5.000 bungkus"))
    code, report, _ = check(repo, event(repo, head, user__login=OWNER))
    assert code == 1 and "- wilayah.yml: pull request dari kontributor tanpa hak tulis hanya boleh mengubah folder catalog/\\<slug\\>/" in report
    assert check(repo, event(repo, head, user__login=OWNER), "--hak-tulis", "write")[0] == 0


def test_a_touched_entry_must_validate(repo: Path, make_entry: MakeEntry) -> None:
    head = propose(repo, make_entry, **sari_rasa(sektor="kulinerr"))
    code, report, status = check(repo, event(repo, head, user__login=OWNER))
    assert code == 1 and status["description"] == "1 galat: lihat laporan pemeriksaan"
    assert re.search(r"catalog/keripik-sari-rasa/index\.md:[0-9]+: sektor: sektor usaha tidak dikenal 'kulinerr'", report)


def test_a_pull_request_that_touches_no_entry(repo: Path) -> None:
    (repo / "README.md").write_text("x\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "dok")
    head = git(repo, "rev-parse", "HEAD").strip()
    code, report, status = check(repo, event(repo, head, user__login=STAFF))
    assert code == 0 and status["description"] == "Lolos: tidak ada entri katalog yang diubah"
    assert "tidak mengubah entri katalog" in report


def test_bad_input_is_a_clear_error(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = repo / ".pr" / "bukan-pr.json"
    bad.write_text(json.dumps({"action": "opened", "issue": {}}), encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["periksa-pr", "--event", str(bad)])
    assert exit_info.value.code == 2
    assert "berkas event tidak berisi pull request yang lengkap" in capsys.readouterr().err


# --- the workflows around the check ----------------------------------------------------------------------


def workflow(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def runs(job: dict[str, Any]) -> str:
    return "\n".join(str(step.get("run", "")) for step in job.get("steps", []))


def test_the_check_runs_from_the_base_branch_and_posts_a_commit_status() -> None:
    signal, check_flow = workflow("keutuhan-sinyal.yml"), workflow("keutuhan.yml")
    # The signal: every PR event and every review, no permission, no project code.
    assert set(signal["on"]) == {"pull_request", "pull_request_review"}
    assert signal["permissions"] == {} and "dismissed" in signal["on"]["pull_request_review"]["types"]
    assert not re.search(r"\b(umkm|pip|python)\b", runs(signal["jobs"]["sinyal"]))
    # The check: only events that run the default branch's workflow and code.
    assert set(check_flow["on"]) == {"workflow_run", "workflow_dispatch"}
    assert check_flow["on"]["workflow_run"]["workflows"] == [signal["name"]]
    assert check_flow["permissions"] == {}
    periksa, status = check_flow["jobs"]["periksa"], check_flow["jobs"]["status"]
    assert "write" not in periksa["permissions"].values()  # the job that reads the PR's files holds no write token
    assert "umkm periksa-pr" in runs(periksa) and "refs/pull/$pr/head" in runs(periksa)
    checkout = next(s for s in periksa["steps"] if str(s.get("uses", "")).startswith("actions/checkout"))
    assert "ref" not in checkout.get("with", {})  # the default branch, never the PR head
    # The job that writes statuses and comments runs no project code and checks nothing out.
    assert status["permissions"] == {"statuses": "write", "pull-requests": "write"}
    assert not re.search(r"^\s*(umkm|python|pip)\b", runs(status), re.MULTILINE)
    assert not any(str(s.get("uses", "")).startswith("actions/checkout") for s in status["steps"])
    assert "repos/$REPO/statuses/$sha" in runs(status)


def test_the_issue_form_never_force_pushes_and_starts_the_check() -> None:
    form = workflow("issue-form.yml")
    writer = runs(form["jobs"]["tulis"])
    assert "--force" not in writer and "push -f" not in writer
    assert "gh workflow run keutuhan.yml" in writer
    assert form["jobs"]["tulis"]["permissions"]["actions"] == "write"
    reader = runs(form["jobs"]["baca"])
    assert '--pengirim "$AUTHOR"' in reader
    assert form["jobs"]["baca"]["steps"][-2]["env"]["AUTHOR"] == "${{ github.event.issue.user.login }}"


FAKE_GH = """#!/bin/bash
echo "gh $*" >> "$GH_LOG"
case "$*" in
  "pr view"*"--json state"*) cat "$PR_STATE" ;;
  "pr create"*) echo OPEN > "$PR_STATE" ;;
  "pr view"*"--json number"*) echo 12 ;;
  "pr view"*"--json url"*) echo https://github.com/dinas/katalog/pull/12 ;;
  *) ;;
esac
"""


def form_patch(clone: Path, whatsapp: str) -> str:
    """What the `baca` job hands over: the form's entry as a patch against the default branch."""
    index = clone / "catalog" / "keripik-sari-rasa" / "index.md"
    original = index.read_text(encoding="utf-8")
    index.write_text(re.sub(r"whatsapp: .*", f"whatsapp: '{whatsapp}'", original), encoding="utf-8")
    git(clone, "add", "--intent-to-add", "catalog")
    patch = git(clone, "diff", "--binary", "--no-renames", "--", "catalog")
    index.write_text(original, encoding="utf-8")
    return patch


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash tidak tersedia")
def test_an_edited_issue_adds_a_commit_to_the_branch_under_review(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """The `tulis` step of issue-form.yml, run for real against a git remote: the first submission
    opens the pull request, the edited issue adds a commit on top (no force-push), and each time
    the required check is started by a dispatch."""
    (script,) = [s["run"] for s in workflow("issue-form.yml")["jobs"]["tulis"]["steps"] if "Buka" in s.get("name", "")]
    git(repo, "switch", "-q", "main")
    work = tmp_path_factory.mktemp("actions")
    origin = work / "origin.git"
    git(work, "clone", "-q", "--bare", str(repo), str(origin))
    bin_dir = work / "bin"
    bin_dir.mkdir()
    (bin_dir / "gh").write_text(FAKE_GH, encoding="utf-8")
    (bin_dir / "gh").chmod(0o755)
    (work / "state").write_text("NONE\n", encoding="utf-8")
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "GH_LOG": str(work / "gh.log"),
        "PR_STATE": str(work / "state"),
        "NUMBER": "41",
        "TITLE": 'Perbarui data: "Sari Rasa" $(id)',
        "STATUS": "ok",
        "DEFAULT_BRANCH": "main",
        "GH_TOKEN": "palsu",
        "GIT_AUTHOR_NAME": "uji",
        "GIT_AUTHOR_EMAIL": "uji@example.id",
        "GIT_COMMITTER_NAME": "uji",
        "GIT_COMMITTER_EMAIL": "uji@example.id",
    }
    heads = []
    for number, whatsapp in enumerate(["0857-7000-4321", "0857-7000-9999"], start=1):
        reader = work / f"baca-{number}"  # the `baca` job's checkout, where the patch is made
        git(work, "clone", "-q", str(origin), str(reader))
        clone = work / f"run-{number}"  # the `tulis` job's own fresh checkout, as actions/checkout makes
        git(work, "clone", "-q", str(origin), str(clone))
        temp = work / f"temp-{number}"
        (temp / "hasil").mkdir(parents=True)
        (temp / "hasil" / "perubahan.patch").write_text(form_patch(reader, whatsapp), encoding="utf-8")
        (temp / "hasil" / "laporan.md").write_text("Terima kasih!\n", encoding="utf-8")
        result = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            cwd=clone,
            env={**env, "RUNNER_TEMP": str(temp)},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        heads.append(git(origin, "rev-parse", "formulir/issue-41").strip())
    first, second = heads
    assert git(origin, "rev-parse", f"{second}~1").strip() == first  # a new commit on top: nothing rewritten
    assert "0857-7000-9999" in git(origin, "show", f"{second}:catalog/keripik-sari-rasa/index.md")
    assert git(origin, "log", "--format=%s", "-1", second).strip() == 'Formulir #41: Perbarui data: "Sari Rasa" $(id)'
    log = (work / "gh.log").read_text(encoding="utf-8").splitlines()
    assert sum(line.startswith("gh pr create") for line in log) == 1 and sum(line.startswith("gh pr edit") for line in log) == 1
    assert [line for line in log if line.startswith("gh workflow run")] == ["gh workflow run keutuhan.yml --ref main -f pr=12"] * 2
