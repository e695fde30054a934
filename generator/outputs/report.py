"""Follow-up reports for Dinas staff (`umkm laporan`): one CSV per report and a Markdown summary.

The reports hold owners' WhatsApp links, phone numbers and names: they are for staff, written to
a folder that is never published. What is printed (CI logs are public) names businesses only and
masks phone numbers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from generator.core.business import KEDALUWARSA, SEGERA_KEDALUWARSA, TANPA_TANGGAL, Business
from generator.core.csvtext import csv_lines
from generator.core.formatting import format_tanggal
from generator.core.links import whatsapp_url
from generator.core.models import Region
from generator.core.privacy import mask_phone, redact_text
from generator.core.problems import display_path
from generator.core.quality import REQUIREMENTS, QualityRules, is_stale

MARKDOWN_NAME = "laporan.md"
COMMON_HEAD = ("usaha", "slug", "kecamatan", "pemilik")
COMMON_TAIL = ("whatsapp", "pesan", "telepon", "email", "berkas")
LOG_LIMIT = 10  # businesses listed per report on the terminal; the files hold all of them
VERIFY_MONTHS = 12  # a Dinas verification older than this is reported for a new one


@dataclass(frozen=True)
class Finding:
    """One business (or one of its certificates) that needs a follow-up."""

    business: Business
    subject: str  # what was found, e.g. "P-IRT 2063216010123-24: Kedaluwarsa"
    detail: str  # what to do or when
    message: str  # the prefilled reminder to the owner
    extra: tuple[str | int, ...]  # the report's own CSV columns

    @property
    def whatsapp_url(self) -> str:
        digits = self.business.entry.kontak.whatsapp
        return whatsapp_url(digits, self.message) if digits and self.message else ""


@dataclass(frozen=True)
class Report:
    key: str  # file stem, e.g. "sertifikat"
    title: str
    description: str
    columns: tuple[str, ...]  # the report's own CSV columns (between COMMON_HEAD and COMMON_TAIL)
    findings: tuple[Finding, ...]

    @property
    def file_name(self) -> str:
        return f"{self.key}.csv"


def build_reports(
    businesses: Sequence[Business],
    region: Region,
    *,
    today: date,
    rules: QualityRules,
    catalog_name: str,
    expiring_days: int = 90,
) -> list[Report]:
    """Every follow-up report, each sorted by stable keys."""
    letter = _Letter(region.dinas or f"Dinas {region.nama}", catalog_name)
    shown = [b for b in businesses if not b.entry.hidden]  # a hidden listing is followed up as a takedown only
    return [
        certificate_report(shown, letter, today=today, expiring_days=expiring_days),
        stale_report(shown, letter, today=today, months=rules.stale_months),
        completeness_report(shown, letter, threshold=rules.completeness_threshold),
        near_ready_report(shown, letter),
        verification_report(shown, letter, today=today),
        takedown_report(businesses),
    ]


def certificate_report(businesses: Sequence[Business], letter: _Letter, *, today: date, expiring_days: int) -> Report:
    rows = []
    for b in businesses:
        for c in b.certificates:
            if c.status == TANPA_TANGGAL:
                # Its kind ends on a date (wilayah.yml masa_berlaku) that the entry does not give:
                # the catalog cannot call it valid until the owner sends the date.
                message = letter.write(
                    b,
                    f"Sertifikat {c.label} nomor {c.nomor} milik {b.nama} yang tercantum di {letter.catalog} belum mencantumkan "
                    "tanggal berlakunya, sehingga belum dapat ditampilkan sebagai sertifikat yang berlaku. "
                    "Mohon kirimkan tanggal berlaku yang tertulis di sertifikat.",
                )
                extra = (c.label, c.nomor, "", c.status_label, "")
                finding = Finding(b, f"{c.label} {c.nomor}: {c.status_label}", "tanggal berlaku belum dicantumkan", message, extra)
                rows.append((date.min, b.slug, c.jenis, c.nomor, finding))
                continue
            if c.status not in (KEDALUWARSA, SEGERA_KEDALUWARSA) or c.berlaku_sampai is None or c.days_left is None:
                continue
            end = format_tanggal(c.berlaku_sampai)
            if c.status == KEDALUWARSA:
                detail = f"berakhir {end} ({-c.days_left} hari lalu)"
                news = f"berlaku sampai {end} dan kini sudah kedaluwarsa. Mohon segera diperpanjang"
            else:
                detail = f"berakhir {end} ({c.days_left} hari lagi)"
                news = f"akan berakhir pada {end}. Mohon diperpanjang sebelum tanggal itu"
            message = letter.write(
                b,
                f"Sertifikat {c.label} nomor {c.nomor} milik {b.nama} yang tercantum di {letter.catalog} {news}, "
                "lalu kirimkan nomor dan tanggal berlaku yang baru agar data di katalog tetap benar.",
            )
            extra = (c.label, c.nomor, c.berlaku_sampai.isoformat(), c.status_label, c.days_left)
            rows.append(
                (c.berlaku_sampai, b.slug, c.jenis, c.nomor, Finding(b, f"{c.label} {c.nomor}: {c.status_label}", detail, message, extra))
            )
    return Report(
        key="sertifikat",
        title="Sertifikat kedaluwarsa atau segera kedaluwarsa",
        description=(
            f"Sertifikat yang sudah berakhir, atau berakhir dalam {expiring_days} hari, per {format_tanggal(today)}; "
            "lebih dulu sertifikat yang jenisnya bertanggal tetapi belum mencantumkan tanggal berlaku."
        ),
        columns=("sertifikat", "nomor", "berlaku_sampai", "status", "sisa_hari"),
        findings=tuple(row[-1] for row in sorted(rows, key=lambda r: r[:4])),
    )


def stale_report(businesses: Sequence[Business], letter: _Letter, *, today: date, months: int) -> Report:
    stale = sorted(
        (b for b in businesses if is_stale(b.entry.diperbarui, today, months)), key=lambda b: (b.entry.diperbarui or date.min, b.slug)
    )
    findings = []
    for b in stale:
        updated = b.entry.diperbarui
        extra: tuple[str | int, ...]
        if updated is None:
            subject, detail, extra = "belum pernah diperbarui", "tanggal diperbarui belum diisi", ("", "")
            news = f"Data {b.nama} di {letter.catalog} belum mencantumkan tanggal pemeriksaan."
        else:
            elapsed = months_between(updated, today)
            subject, detail, extra = (
                f"terakhir diperbarui {format_tanggal(updated)}",
                f"{elapsed} bulan lalu",
                (updated.isoformat(), elapsed),
            )
            news = f"Data {b.nama} di {letter.catalog} terakhir diperiksa {format_tanggal(updated)}."
        message = letter.write(
            b,
            f"{news} Mohon kabari kami bila ada perubahan produk, harga, kontak atau sertifikat, "
            "atau balas 'masih sesuai' bila data masih benar.",
        )
        findings.append(Finding(b, subject, detail, message, extra))
    return Report(
        key="belum-diperbarui",
        title=f"Data belum diperbarui lebih dari {months} bulan",
        description=f"Entri yang tanggal diperbaruinya kosong atau lebih dari {months} bulan sebelum {format_tanggal(today)}.",
        columns=("diperbarui", "bulan_sejak"),
        findings=tuple(findings),
    )


def completeness_report(businesses: Sequence[Business], letter: _Letter, *, threshold: int) -> Report:
    low = sorted((b for b in businesses if b.completeness.score < threshold), key=lambda b: (b.completeness.score, b.slug))
    findings = []
    for b in low:
        gaps = b.completeness.missing
        steps = " ".join(f"{i}) {g.hint}" for i, g in enumerate(gaps, start=1))
        message = letter.write(
            b,
            f"Kelengkapan data {b.nama} di {letter.catalog} baru {b.completeness.score} dari 100. "
            f"Agar usaha Anda lebih mudah ditemukan dan dipercaya pembeli: {steps} Kirimkan datanya kepada kami, kami bantu perbarui.",
        )
        labels = "; ".join(g.label for g in gaps)
        findings.append(
            Finding(
                b, f"skor {b.completeness.score}: kurang {labels}", " ".join(g.hint for g in gaps), message, (b.completeness.score, labels)
            )
        )
    return Report(
        key="kelengkapan",
        title=f"Kelengkapan data di bawah {threshold}",
        description=f"Entri dengan skor kelengkapan di bawah {threshold} dari 100, dengan saran untuk setiap kekurangan.",
        columns=("skor", "kurang"),
        findings=tuple(findings),
    )


def near_ready_report(businesses: Sequence[Business], letter: _Letter) -> Report:
    near = sorted(
        (b for b in businesses if len(b.readiness.missing) == 1),
        key=lambda b: (REQUIREMENTS.index(b.readiness.missing[0].key), b.slug),
    )
    findings = []
    for b in near:
        [gap] = b.readiness.missing
        message = letter.write(
            b,
            f"{b.nama} tinggal satu langkah lagi untuk mendapat label Siap pengadaan di {letter.catalog}: {gap.hint} "
            "Kirimkan datanya kepada kami, kami bantu perbarui.",
        )
        findings.append(Finding(b, f"kurang: {gap.label}", gap.hint, message, (gap.key, gap.label)))
    return Report(
        key="hampir-siap-pengadaan",
        title="Kurang satu syarat siap pengadaan",
        description="Usaha yang memenuhi semua syarat siap pengadaan kecuali satu, dan syarat yang kurang.",
        columns=("syarat", "syarat_label"),
        findings=tuple(findings),
    )


def verification_report(businesses: Sequence[Business], letter: _Letter, *, today: date, months: int = VERIFY_MONTHS) -> Report:
    """Businesses the Dinas never confirmed with their owner, or confirmed more than a year ago."""
    due = sorted((b for b in businesses if is_stale(b.entry.diverifikasi, today, months)), key=lambda b: (b.entry.diverifikasi or date.min, b.slug))
    findings = []
    for b in due:
        verified = b.entry.diverifikasi
        extra: tuple[str | int, ...]
        if verified is None:
            subject, detail, extra = "belum pernah diverifikasi", "pastikan data langsung kepada pemilik, lalu isi diverifikasi", ("", "")
        else:
            elapsed = months_between(verified, today)
            subject, detail, extra = f"diverifikasi {format_tanggal(verified)}", f"{elapsed} bulan lalu", (verified.isoformat(), elapsed)
        message = letter.write(
            b,
            f"Kami sedang memastikan data {b.nama} di {letter.catalog} masih benar: nomor WhatsApp, toko online, produk dan "
            "sertifikatnya. Mohon balas 'masih sesuai' bila data di halaman usaha Anda benar, atau kabari kami yang perlu diubah.",
        )
        findings.append(Finding(b, subject, detail, message, extra))
    return Report(
        key="verifikasi",
        title=f"Belum diverifikasi atau diverifikasi lebih dari {months} bulan lalu",
        description=f"Usaha yang datanya belum pernah dipastikan petugas Dinas langsung kepada pemiliknya (kolom diverifikasi), "
        f"atau terakhir lebih dari {months} bulan sebelum {format_tanggal(today)}.",
        columns=("diverifikasi", "bulan_sejak"),
        findings=tuple(findings),
    )


def takedown_report(businesses: Sequence[Business]) -> Report:
    """Listings the Dinas took down (`diturunkan`): hidden from the site, their data and reason kept."""
    hidden = sorted((b for b in businesses if b.entry.diturunkan is not None), key=lambda b: (b.entry.diturunkan.tanggal or date.min, b.slug))  # type: ignore[union-attr]
    findings = []
    for b in hidden:
        takedown = b.entry.diturunkan
        assert takedown is not None
        since = takedown.tanggal.isoformat() if takedown.tanggal else ""
        subject = f"diturunkan {format_tanggal(takedown.tanggal)}" if takedown.tanggal else "diturunkan"
        # No prefilled reminder: the number on file may be the very reason for the takedown.
        findings.append(Finding(b, subject, takedown.alasan, "", (since, takedown.alasan)))
    return Report(
        key="diturunkan",
        title="Usaha yang diturunkan (tidak tampil di situs)",
        description="Entri dengan blok diturunkan: tidak tampil di halaman, daftar, pencarian, data terbuka, peta situs maupun "
        "statistik; datanya tetap di katalog. Hapus blok diturunkan untuk menampilkannya lagi.",
        columns=("tanggal", "alasan"),
        findings=tuple(findings),
    )


def write_reports(reports: Sequence[Report], out_dir: Path, *, today: date, title: str) -> list[Path]:
    """Write each report as CSV and all of them as one Markdown file; return the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for report in reports:
        path = out_dir / report.file_name
        # utf-8-sig: spreadsheet programs read the BOM as "this file is UTF-8".
        path.write_text(report_csv(report), encoding="utf-8-sig", newline="")
        written.append(path)
    path = out_dir / MARKDOWN_NAME
    path.write_text(report_markdown(reports, today=today, title=title), encoding="utf-8")
    written.append(path)
    return written


def report_csv(report: Report) -> str:
    """One report as CSV (`csvtext.csv_lines`: the project's one escaping rule)."""
    rows: list[tuple[str | int, ...]] = [(*COMMON_HEAD, *report.columns, *COMMON_TAIL)]
    for f in report.findings:
        entry = f.business.entry
        contact = f.business.contact
        rows.append(
            (
                entry.nama,
                entry.slug,
                entry.kecamatan,
                entry.pemilik,
                *f.extra,
                f.whatsapp_url,
                f.message,
                contact.telepon.display if contact.telepon else "",
                contact.email,
                display_path(entry.source),
            )
        )
    return csv_lines(rows)


def report_markdown(reports: Sequence[Report], *, today: date, title: str) -> str:
    lines = [
        f"# Laporan tindak lanjut {_md(title)}",
        "",
        f"Per {format_tanggal(today)}, dibuat oleh `umkm laporan`. Berisi data pribadi pemilik usaha (nama, nomor WhatsApp): "
        "hanya untuk petugas Dinas, jangan diterbitkan.",
        "",
    ]
    for report in reports:
        lines += [f"## {_md(report.title)} ({len(report.findings)})", "", f"{_md(report.description)} Berkas: `{report.file_name}`.", ""]
        if not report.findings:
            lines += ["Tidak ada.", ""]
            continue
        lines += ["| Usaha | Kecamatan | Temuan | Keterangan | Hubungi |", "|---|---|---|---|---|"]
        for f in report.findings:
            entry = f.business.entry
            lines.append(
                f"| {_md(entry.nama)} (`{entry.slug}`) | {_md(entry.kecamatan)} | {_md(f.subject)} | {_md(f.detail)} | {_contact_cell(f)} |"
            )
        lines.append("")
    return "\n".join(lines)


def summary_lines(reports: Sequence[Report], out_dir: Path, *, limit: int = LOG_LIMIT) -> list[str]:
    """What `umkm laporan` prints: counts and business names, phone numbers masked."""
    lines = []
    for report in reports:
        lines.append(f"{display_path(out_dir / report.file_name)}: {len(report.findings)} — {report.title}")
        for f in report.findings[:limit]:
            digits = f.business.entry.kontak.whatsapp
            phone = f" · WA {mask_phone('+' + digits)}" if digits else " · tanpa WhatsApp"
            lines.append(f"  - {redact_text(f.business.nama)}: {redact_text(f.subject)}{phone}")
        if len(report.findings) > limit:
            lines.append(f"  … dan {len(report.findings) - limit} lainnya (lihat berkasnya)")
    lines.append(f"{display_path(out_dir / MARKDOWN_NAME)}: ringkasan semua laporan")
    return lines


def months_between(earlier: date, later: date) -> int:
    """Whole calendar months from `earlier` to `later`."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    return months - (later.day < earlier.day)


@dataclass(frozen=True)
class _Letter:
    """The polite frame of every reminder: greeting, sender, thanks."""

    dinas: str
    catalog: str

    def write(self, business: Business, body: str) -> str:
        owner = business.entry.pemilik or f"Bapak/Ibu pengelola {business.nama}"
        return f"Halo {owner}, kami dari {self.dinas}. {body} Terima kasih."


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def _md(text: str) -> str:
    """Owner-written text as literal Markdown table content: no links, HTML or emphasis."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _contact_cell(finding: Finding) -> str:
    if finding.whatsapp_url:
        return f"[WhatsApp]({finding.whatsapp_url})"
    contact = finding.business.contact
    if contact.telepon:
        return _md(contact.telepon.display)
    return _md(contact.email) if contact.email else "–"
