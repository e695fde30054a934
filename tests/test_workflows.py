"""GitHub Actions workflows: untrusted pull requests never run with secrets, and may change only catalog/<slug>/."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
# Expressions that name the pull request's own code: checking it out under pull_request_target
# runs a stranger's code with the base repository's token and secrets.
PR_HEAD = ("github.event.pull_request.head", "github.head_ref", "refs/pull/", "github.event.pull_request.merge_commit_sha")
# Values anyone can write (titles, bodies, branch names, comments): never spliced into a script.
UNTRUSTED = ("github.event.", "github.head_ref")


def load_workflows() -> list[tuple[str, dict[str, Any]]]:
    if not WORKFLOWS.is_dir():
        return []
    found = []
    for path in sorted([*WORKFLOWS.glob("*.yml"), *WORKFLOWS.glob("*.yaml")]):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert isinstance(doc, dict), f"{path.name}: bukan workflow"
        found.append((path.name, doc))
    return found


def triggers(doc: dict[str, Any]) -> set[str]:
    on = doc.get("on", doc.get(True))  # YAML 1.1 reads a bare `on` key as True
    if isinstance(on, str):
        return {on}
    return set(on or ())


def steps(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in (doc.get("jobs") or {}).values() for step in job.get("steps") or []]


def test_workflows_parse() -> None:
    for name, doc in load_workflows():
        assert triggers(doc), f"{name}: tidak ada pemicu 'on'"
        assert doc.get("jobs"), f"{name}: tidak ada job"


def test_no_pull_request_target_workflow_checks_out_or_names_the_pr_head() -> None:
    for name, doc in load_workflows():
        if "pull_request_target" not in triggers(doc):
            continue
        # Comments are gone after parsing: only what the workflow does is checked.
        text = yaml.safe_dump(doc)
        assert not [marker for marker in PR_HEAD if marker in text], f"{name}: pull_request_target yang menyebut kepala PR"
        for step in steps(doc):
            if str(step.get("uses", "")).startswith("actions/checkout"):
                ref = str((step.get("with") or {}).get("ref", ""))
                assert not ref or not any(marker in ref for marker in PR_HEAD), f"{name}: checkout kepala PR pada pull_request_target"


def test_pull_request_workflows_hold_no_write_permission() -> None:
    for name, doc in load_workflows():
        if not triggers(doc) & {"pull_request", "pull_request_target"}:
            continue
        permissions = doc.get("permissions")
        assert isinstance(permissions, dict), f"{name}: tetapkan permissions di tingkat workflow"
        jobs = [job.get("permissions") for job in doc["jobs"].values() if job.get("permissions") is not None]
        for grant in [permissions, *jobs]:
            assert "write" not in (grant.values() if isinstance(grant, dict) else [grant]), f"{name}: izin tulis pada workflow pull request"


def test_no_untrusted_value_is_spliced_into_a_script() -> None:
    for name, doc in load_workflows():
        for step in steps(doc):
            script = str(step.get("run", ""))
            for expression in script.split("${{")[1:]:
                inside = expression.split("}}")[0]
                assert not any(u in inside for u in UNTRUSTED), f"{name}: '${{{{{inside}}}}}' di dalam run; teruskan lewat env"


def restriction_scripts() -> list[tuple[str, str]]:
    """The `run` scripts that refuse changes outside catalog/<slug>/ on pull_request_target."""
    found = []
    for name, doc in load_workflows():
        if "pull_request_target" not in triggers(doc):
            continue
        found += [(name, step["run"]) for step in steps(doc) if "^catalog/" in str(step.get("run", ""))]
    return found


@pytest.mark.skipif(not (WORKFLOWS / "pr.yml").exists(), reason="belum ada workflow pull request")
def test_pull_requests_are_restricted_to_catalog_folders() -> None:
    # The rule runs on pull_request_target, so it is read from the base branch: a pull request
    # cannot weaken it by editing the workflow (pr.yml runs the PR's own copy of itself).
    assert "pull_request_target" not in triggers(dict(load_workflows())["pr.yml"])
    assert restriction_scripts(), "tidak ada langkah yang membatasi perubahan ke catalog/<slug>/"


FAKE_GH = """#!/bin/sh
case "$*" in
  *collaborators*) [ "$IZIN" = gagal ] && exit 1; echo "$IZIN" ;;
  *pulls*files*) cat "$BERKAS" ;;
  *) exit 2 ;;
esac
"""
CONSENT = "- [x] **Persetujuan tayang**: pemilik usaha setuju datanya ditampilkan untuk umum di katalog."


def run_restriction(tmp_path: Path, permission: str, files: list[str], *, body: str = CONSENT, changed: int | None = None) -> subprocess.CompletedProcess[str]:
    """Run pr-batas.yml's step as GitHub would, with `gh` answering from `files` ("status<TAB>path" or a path)."""
    scripts = restriction_scripts()
    if not scripts:
        pytest.skip("belum ada langkah pembatas")
    _, script = scripts[0]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "gh").write_text(FAKE_GH, encoding="utf-8")
    (bin_dir / "gh").chmod(0o755)
    lines = [f if "\t" in f else f"modified\t{f}\t" for f in files]
    (tmp_path / "berkas.txt").write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    (tmp_path / "langkah.sh").write_text(script, encoding="utf-8")
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "IZIN": permission,
        "BERKAS": str(tmp_path / "berkas.txt"),
        "GH_TOKEN": "palsu",
        "REPO": "dinas/katalog-umkm",
        "PR": "7",
        "AUTHOR": "pemilik-warung",
        "CHANGED": str(len(files) if changed is None else changed),
        "PR_BODY": body,
    }
    work = tmp_path / "kerja"
    work.mkdir(exist_ok=True)
    # GitHub runs `run:` steps as `bash --noprofile --norc -eo pipefail {0}`.
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(tmp_path / "langkah.sh")], cwd=work, env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash tidak tersedia")
@pytest.mark.parametrize(
    ("permission", "files", "allowed"),
    # The supply-chain paths and edge cases; tests/test_contribute.py covers the everyday ones.
    [
        ("read", ["catalog/warung-baru/index.md", "catalog/warung-baru/foto/sampul.jpg"], True),
        ("read", ["pyproject.toml"], False),  # a build dependency runs code at install
        ("read", ["theme/main.html"], False),  # templates print unescaped
        ("read", ["halaman/tentang.md"], False),  # raw HTML passes Python-Markdown
        ("read", ["wilayah.yml"], False),
        ("read", ["catalog/Warung_Baru/index.md"], False),  # not a slug
        ("read", ["catalog/_hapus/index.md"], False),  # taking an entry down is the Dinas' call
        ("gagal", ["mkdocs.yml"], False),  # the permission lookup failed: treated as an outsider
        ("maintain", [".github/workflows/pr.yml"], True),  # staff: reviewed through CODEOWNERS
    ],
)
def test_restriction_step_refuses_changes_outside_catalog(tmp_path: Path, permission: str, files: list[str], allowed: bool) -> None:
    result = run_restriction(tmp_path, permission, files)
    assert (result.returncode == 0) == allowed, f"{result.stdout}{result.stderr}"
    if not allowed:
        assert "::error" in result.stdout


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash tidak tersedia")
@pytest.mark.parametrize("permission", ["read", "write"])
def test_a_pull_request_that_cannot_be_listed_whole_is_refused(tmp_path: Path, permission: str) -> None:
    """The files API stops at 3,000: a file beyond it would never be checked (issue 14)."""
    listed = [f"catalog/warung-{i}/index.md" for i in range(3)]
    result = run_restriction(tmp_path, permission, listed, changed=3001)
    assert result.returncode == 1 and "::error title=Daftar berkas tidak lengkap::" in result.stdout
    assert run_restriction(tmp_path, permission, listed, changed=4).returncode == 1
    assert run_restriction(tmp_path, permission, listed, changed=3).returncode == 0


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash tidak tersedia")
@pytest.mark.parametrize("permission", ["read", "admin"])
def test_a_pull_request_changing_entries_needs_the_consent_box_ticked(tmp_path: Path, permission: str) -> None:
    entry = ["catalog/warung-baru/index.md"]
    refused = run_restriction(tmp_path, permission, entry, body=CONSENT.replace("[x]", "[ ]"))
    assert refused.returncode == 1 and "::error title=Persetujuan tayang::" in refused.stdout
    assert run_restriction(tmp_path, permission, entry, body="").returncode == 1
    assert run_restriction(tmp_path, permission, entry).returncode == 0
    # Taking an entry down needs no consent.
    assert run_restriction(tmp_path, permission, ["removed\tcatalog/warung-lama/index.md\t"], body="").returncode == 0


def test_the_pull_request_template_asks_for_the_consent_the_check_reads() -> None:
    template = (ROOT / ".github" / "PULL_REQUEST_TEMPLATE.md").read_text(encoding="utf-8")
    line = next(line for line in template.splitlines() if "Persetujuan tayang" in line)
    assert line.startswith("- [ ] **Persetujuan tayang**")
    _, script = restriction_scripts()[0]
    assert "\\*\\*Persetujuan tayang" in script  # the pattern the step greps the PR body for


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash tidak tersedia")
def test_a_file_name_cannot_issue_workflow_commands(tmp_path: Path) -> None:
    """A path printed in an annotation is escaped: `%0A::add-mask::` stays text (issue 14)."""
    result = run_restriction(tmp_path, "read", ["modified\tlain/x%0A::add-mask::rahasia\t"])
    assert result.returncode == 1
    assert "x%250A::add-mask::rahasia" in result.stdout
    assert not any(line.startswith("::add-mask::") for line in result.stdout.splitlines())


@pytest.mark.parametrize(
    ("permission", "files", "ok"),
    [
        ("read", ["catalog/dapur-mpok-siti/index.md", "catalog/dapur-mpok-siti/foto/a.jpg"], True),
        ("read", ["catalog/dapur-mpok-siti/index.md", "mkdocs.yml"], False),
        ("none", [".github/workflows/pr.yml"], False),
        ("read", ["catalog/stray.md"], False),
        ("read", ["catalog/../generator/cli.py"], False),
        ("write", ["generator/cli.py"], True),
    ],
)
def test_outside_contributors_may_change_only_catalog_entries(tmp_path: Path, permission: str, files: list[str], ok: bool) -> None:
    # pr-batas.yml's step, run with a stand-in for `gh`
    result = run_restriction(tmp_path, permission, files)
    assert (result.returncode == 0) is ok, result.stdout + result.stderr
    if not ok:
        assert "Pull request dari kontributor luar hanya boleh mengubah folder catalog/<slug>/" in result.stdout


# --- supply chain (issue 14): pinned actions, hash-locked installs, per-job permissions ---------------

_PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
_TAG_COMMENT = re.compile(r"uses:\s*[\w.-]+/[\w./-]+@[0-9a-f]{40}\s+#\s*v\d+(?:\.\d+)*\s*$")


def test_every_action_is_pinned_by_commit_sha_with_its_tag() -> None:
    for path in sorted(WORKFLOWS.glob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        used = [str(step["uses"]) for step in steps(doc) if "uses" in step]
        for action in used:
            assert _PINNED.match(action), f"{path.name}: '{action}' tidak dipatok ke commit SHA"
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if re.match(r"^\s*(?:-\s+)?uses:", line)]
        assert len(lines) == len(used)
        for line in lines:
            assert _TAG_COMMENT.search(line), f"{path.name}: tag action di komentar tidak ada: {line.strip()}"


def test_one_version_of_each_action_everywhere() -> None:
    pins: dict[str, set[str]] = {}
    for path in sorted(WORKFLOWS.glob("*.yml")):
        for line in path.read_text(encoding="utf-8").splitlines():
            match = re.search(r"uses:\s*([\w.-]+/[\w./-]+)@([0-9a-f]{40})\s+#\s*(v[\d.]+)", line)
            if match:
                pins.setdefault(match.group(1), set()).add(f"{match.group(2)} {match.group(3)}")
    assert pins and all(len(versions) == 1 for versions in pins.values()), pins


def test_dependabot_keeps_actions_and_python_packages_current() -> None:
    config = yaml.safe_load((ROOT / ".github" / "dependabot.yml").read_text(encoding="utf-8"))
    ecosystems = {update["package-ecosystem"]: update for update in config["updates"]}
    assert config["version"] == 2 and {"github-actions", "pip"} <= set(ecosystems)
    assert (ROOT / ecosystems["pip"]["directory"].strip("/") / "lock.txt").is_file()


LOCK = ROOT / "requirements" / "lock.txt"


def test_installs_in_ci_come_from_the_hash_locked_file() -> None:
    for name in ("deploy.yml", "pr.yml", "issue-form.yml", "keutuhan.yml"):
        scripts = [str(step.get("run", "")) for step in steps(dict(load_workflows())[name])]
        installs = [line.strip() for script in scripts for line in script.splitlines() if "pip install" in line]
        assert installs, name
        assert "python -m pip install --require-hashes --no-deps -r requirements/lock.txt" in installs, name
        for line in installs:
            assert "--require-hashes" in line or ("--no-deps" in line and line.endswith(" .")), f"{name}: {line}"


def test_the_lock_file_pins_every_dependency_with_hashes() -> None:
    import tomllib

    text = LOCK.read_text(encoding="utf-8")
    assert "make lock" in text.splitlines()[0] + text.splitlines()[1]  # how to regenerate it, said in the file
    pinned: dict[str, str] = {}
    for block in re.split(r"\n(?=[a-z0-9])", text):
        head = block.split("\\", 1)[0].strip()
        match = re.match(r"^([a-z0-9][a-z0-9._-]*)==([^\s;]+)", head, re.IGNORECASE)
        if match:
            assert "--hash=sha256:" in block, f"{match.group(1)} tanpa hash"
            pinned[re.sub(r"[-_.]+", "-", match.group(1).lower())] = match.group(2)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    wanted = {re.split(r"[<>=!~\[ ;]", dep, maxsplit=1)[0].lower() for dep in project["project"]["dependencies"]}
    wanted |= {"setuptools"}  # builds the package itself with --no-build-isolation
    missing = {re.sub(r"[-_.]+", "-", name) for name in wanted} - set(pinned)
    assert not missing, f"tidak ada di requirements/lock.txt: {sorted(missing)}; jalankan 'make lock'"
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^lock:", makefile, re.MULTILINE) and "--generate-hashes" in makefile


def test_the_deploy_build_job_reads_only_and_only_deploy_holds_pages() -> None:
    doc = dict(load_workflows())["deploy.yml"]
    assert doc.get("permissions") in ({}, None)
    jobs = doc["jobs"]
    assert jobs["build"]["permissions"] == {"contents": "read"}
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    for name, job in jobs.items():
        assert isinstance(job.get("permissions"), dict), f"{name}: izin job tidak ditetapkan"


def _user_text_steps() -> list[tuple[str, str]]:
    """`run` scripts that print what anyone may have written: issue bodies, entries, problems."""
    found = []
    for name, doc in load_workflows():
        for step in steps(doc):
            script = str(step.get("run", ""))
            commands = "\n".join(line for line in script.splitlines() if not line.strip().startswith("#"))
            if re.search(r"umkm (dari-issue|bangun|periksa-pr)\b", commands):
                found.append((name, script))
    return found


def test_user_text_printed_in_a_step_cannot_issue_workflow_commands() -> None:
    found = _user_text_steps()
    assert len(found) >= 4
    for name, script in found:
        before, _, after = script.partition('echo "::stop-commands::$token"')
        assert after, f"{name}: keluaran umkm tidak dibungkus ::stop-commands::"
        assert "secrets.token_hex" in before or "openssl rand" in before, f"{name}: token harus acak"
        assert re.search(r"umkm (dari-issue|bangun|periksa-pr)\b", after) and 'echo "::$token::"' in after.split("umkm", 1)[1]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash tidak tersedia")
def test_stop_commands_wrap_the_output_of_a_hostile_issue(tmp_path: Path) -> None:
    """Run the issue workflow's step with a stand-in `umkm` that prints an attacker's lines."""
    name, script = next((n, s) for n, s in _user_text_steps() if "dari-issue" in s)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "umkm").write_text("#!/bin/sh\necho '::add-mask::rahasia'\necho '::error::palsu'\nexit 1\n", encoding="utf-8")
    (bin_dir / "umkm").chmod(0o755)
    (tmp_path / "langkah.sh").write_text(script, encoding="utf-8")
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "RUNNER_TEMP": str(tmp_path), "GITHUB_OUTPUT": str(tmp_path / "out"), "BODY": "x"}
    result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(tmp_path / "langkah.sh")], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    lines = result.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("::stop-commands::"))
    token = lines[start].split("::")[2]
    assert len(token) >= 16
    end = lines.index(f"::{token}::")
    assert start < lines.index("::add-mask::rahasia") < end, name
