"""The shape issue #15 set for Sources/: features over ports, small files, one adapter for SQLite.

These are rules about the code, checked on every run so they cannot drift back:
- nothing in the HTTP layer or the CLI imports GRDB (SQLite lives behind LockerStore's ports);
- no Swift file in Sources/ is over 300 lines, and the median file is at most 120 lines;
- controllers hold no SQL, transactions or audit calls.
"""
import pathlib
import re
import statistics

ROOT = pathlib.Path(__file__).resolve().parent.parent
SOURCES = ROOT / "Sources"


def swift_files(*parts):
    base = SOURCES.joinpath(*parts)
    return sorted(p for p in base.rglob("*.swift"))


def test_http_layer_and_cli_do_not_import_grdb():
    offenders = [
        str(p.relative_to(ROOT))
        for p in swift_files("LockerServer") + swift_files("locker")
        if re.search(r"^\s*(@\w+\s+)*import\s+GRDB", p.read_text(), re.M)
    ]
    assert offenders == []


def test_no_source_file_over_300_lines_and_median_at_most_120():
    counts = {p: len(p.read_text().splitlines()) for p in swift_files()}
    assert len(counts) > 50
    too_long = {str(p.relative_to(ROOT)): n for p, n in counts.items() if n > 300}
    assert too_long == {}
    assert statistics.median(counts.values()) <= 120


def test_controllers_hold_no_sql_transactions_or_audit_calls():
    pattern = re.compile(r"\b(database\.(read|write|pool)|AuditLog\.|SELECT |UPDATE |INSERT |DELETE FROM|\{ db in)")
    offenders = {}
    for p in swift_files("LockerServer"):
        if p.name.endswith("Controller.swift"):
            hits = [m.group(0) for m in pattern.finditer(p.read_text())]
            if hits:
                offenders[str(p.relative_to(ROOT))] = hits
    assert offenders == {}


TOP_TYPE = re.compile(r"^(?:public |internal |package |final |@\w+(?:\([^)]*\))? )*(struct|class|enum|protocol|actor)\s+([A-Za-z_]\w*)", re.M)


def test_one_main_type_per_file_named_for_it():
    """A type a reader looks for is in the file with its name: one non-private top-level type
    per file, and the file is named for it (extensions live in `Type+Topic.swift`)."""
    offenders = {}
    for p in swift_files():
        names = [m.group(2) for m in TOP_TYPE.finditer(p.read_text())]
        stem = p.stem.split("+")[0]
        if len(names) > 1 or (names and names[0] != stem):
            offenders[str(p.relative_to(ROOT))] = names
    assert offenders == {}
