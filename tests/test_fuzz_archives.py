"""Model archives, fuzzed: random bytes, truncated zips, escaping paths, links, zip bombs,
many entries, duplicate names.

Every bad archive is refused by ``Installer.install_zip`` with a :class:`ModelError` and a
stable code; nothing is written outside the models folder, and nothing is left in it (no half
model, no hidden temporary folder). A good archive still installs.
"""

from __future__ import annotations

import io
import shutil
import stat
import struct
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from assistant.errors import ModelError
from assistant.speech_in.install import (
    LOCK_FILE,
    MAX_MEMBERS,
    MAX_UNPACKED_BYTES,
    Installer,
    unpack_zip,
)

from .speech_input_support import make_fake_model

REFUSED = {"archive-invalid", "archive-unsafe", "model-broken", "archive-unreadable"}
FUZZ = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NAME = "vosk-model-small-xx-0.1"


@pytest.fixture(scope="module")
def model_zip_bytes() -> bytes:
    folder = make_fake_model(Path(tempfile.mkdtemp(prefix="fuzz-model-")) / NAME)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(folder.rglob("*")):
            z.write(path, path.relative_to(folder.parent).as_posix())
    shutil.rmtree(folder.parent)
    return buf.getvalue()


class Sandbox:
    """A folder holding the models folder and the archive; checks nothing escapes or remains."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.models = root / "box" / "models"
        self.archive = root / "in" / f"{NAME}.zip"
        self.archive.parent.mkdir(parents=True)
        self.models.mkdir(parents=True)

    def install(self, data: bytes) -> str:
        """Install ``data`` as a zip: "installed" or the error code (checked to be a refusal)."""
        self.archive.write_bytes(data)
        try:
            Installer(self.models).install_zip(self.archive, lang="xx")
        except ModelError as exc:
            assert exc.code in REFUSED, exc.describe()
            self.assert_clean()
            return exc.code
        assert self.contents() == [NAME]
        self.assert_outside_untouched()
        shutil.rmtree(self.models / NAME)
        return "installed"

    def assert_outside_untouched(self) -> None:
        outside = {p for p in self.root.rglob("*") if not p.is_relative_to(self.models)}
        expected = {self.archive.parent, self.archive, self.models.parent}
        assert outside == expected, sorted(map(str, outside - expected))

    def contents(self) -> list[str]:
        """What the models folder holds, but its lock file (which stays: it is the lock)."""
        return sorted(p.name for p in self.models.iterdir() if p.name != LOCK_FILE)

    def assert_clean(self) -> None:
        assert self.contents() == []
        self.assert_outside_untouched()


@pytest.fixture
def sandbox(tmp_path: Path) -> Sandbox:
    return Sandbox(tmp_path)


@pytest.fixture(scope="module")
def fuzz_root() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="fuzz-zip-"))
    yield root
    shutil.rmtree(root, ignore_errors=True)


def _fresh(root: Path) -> Sandbox:
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir()
    return Sandbox(root)


def _zip(entries: list[tuple[str, bytes, bool]]) -> bytes:
    """A zip of (name, data, is_link) entries, written as given (no name cleaning)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data, link in entries:
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            mode = (stat.S_IFLNK | 0o777) if link else (stat.S_IFREG | 0o644)
            info.external_attr = mode << 16
            z.writestr(info, data)
    return buf.getvalue()


def _declare_sizes(data: bytes, size: int) -> bytes:
    """The same zip with every central-directory entry declaring ``size`` unpacked bytes."""
    out = bytearray(data)
    pos = out.find(b"PK\x01\x02")
    while pos != -1:
        out[pos + 24 : pos + 28] = struct.pack("<I", size)
        pos = out.find(b"PK\x01\x02", pos + 4)
    return bytes(out)


# -- random and truncated archives -----------------------------------------------------------
@FUZZ
@given(st.binary(max_size=4096))
def test_random_bytes(fuzz_root: Path, data: bytes) -> None:
    assert _fresh(fuzz_root).install(data) != "installed"


@FUZZ
@given(st.binary(min_size=1, max_size=64), st.integers(0, 10**6))
def test_random_bytes_in_a_zip_frame(fuzz_root: Path, junk: bytes, where: int) -> None:
    """Random bytes after a local-file-header signature, and inside a real zip."""
    box = _fresh(fuzz_root)
    box.install(b"PK\x03\x04" + junk)
    real = bytearray(_zip([("a/b.txt", b"x" * 300, False)]))
    at = where % len(real)
    real[at : at + len(junk)] = junk[: len(real) - at]
    box.install(bytes(real))


@FUZZ
@given(st.data())
def test_truncated_model_zip(fuzz_root: Path, model_zip_bytes: bytes, data: st.DataObject) -> None:
    cut = data.draw(st.integers(0, len(model_zip_bytes) - 1))
    assert _fresh(fuzz_root).install(model_zip_bytes[:cut]) != "installed"


@pytest.mark.parametrize(
    ("offset", "value"),
    [(8, 0x0001), (8, 0x0020), (8, 0x0040), (10, 99), (10, 12), (6, 64)],
    ids=["encrypted", "patched-data", "strong-encryption", "unknown-method", "bzip2", "version"],
)
def test_unsupported_zip_features_are_refused(sandbox: Sandbox, offset: int, value: int) -> None:
    """Flags and methods zipfile cannot unpack (it raised NotImplementedError/RuntimeError)."""
    data = bytearray(_zip([(f"{NAME}/am/final.mdl", b"x" * 300, False)]))
    for signature, shift in ((b"PK\x03\x04", -2), (b"PK\x01\x02", 0)):
        pos = data.find(signature) + offset + shift
        data[pos : pos + 2] = struct.pack("<H", value)
    assert sandbox.install(bytes(data)) != "installed"


def test_the_whole_model_zip_installs(sandbox: Sandbox, model_zip_bytes: bytes) -> None:
    assert sandbox.install(model_zip_bytes) == "installed"


# -- hostile entries -------------------------------------------------------------------------
HOSTILE = [
    "../evil.txt",
    f"{NAME}/../../evil.txt",
    f"{NAME}/am/../../../evil.txt",
    "/tmp/rostguiden-fuzz-evil.txt",
    "//evil.txt",
    "\\evil.txt",
    "C:/evil.txt",
    "..",
]


@pytest.mark.parametrize("entry", HOSTILE)
def test_escaping_paths_are_refused(sandbox: Sandbox, model_zip_bytes: bytes, entry: str) -> None:
    with zipfile.ZipFile(io.BytesIO(model_zip_bytes)) as z:
        good = [(i.filename, z.read(i), False) for i in z.infolist()]
    assert sandbox.install(_zip([*good, (entry, b"evil", False)])) == "archive-unsafe"
    assert not Path("/tmp/rostguiden-fuzz-evil.txt").exists()


@pytest.mark.parametrize("target", ["/etc/passwd", "../../../etc/passwd", "am/final.mdl"])
def test_links_are_refused(sandbox: Sandbox, model_zip_bytes: bytes, target: str) -> None:
    with zipfile.ZipFile(io.BytesIO(model_zip_bytes)) as z:
        good = [(i.filename, z.read(i), False) for i in z.infolist()]
    link = (f"{NAME}/graph/link.fst", target.encode(), True)
    assert sandbox.install(_zip([*good, link])) == "archive-unsafe"


def test_declared_zip_bomb_is_refused_before_unpacking(
    sandbox: Sandbox, model_zip_bytes: bytes
) -> None:
    """Entries declaring ~4 GB each (more than the limit together) from a tiny file."""
    entries = [(f"{NAME}/big{i}.bin", b"\0" * 1000, False) for i in range(3)]
    per_entry = 0xFFFFFFFE  # the largest size without zip64
    assert 3 * per_entry > MAX_UNPACKED_BYTES
    bomb = _declare_sizes(_zip(entries), per_entry)
    assert len(bomb) < 2000
    assert sandbox.install(bomb) == "archive-unsafe"


def test_entry_bigger_than_it_declares_is_refused(sandbox: Sandbox) -> None:
    """A member that unpacks to more than its header says stops at the declared size."""
    lying = _declare_sizes(_zip([(f"{NAME}/am/final.mdl", b"\0" * 2_000_000, False)]), 100)
    assert sandbox.install(lying) in {"archive-unsafe", "archive-invalid"}


def test_real_zip_bomb_is_refused_by_the_size_limit(tmp_path: Path) -> None:
    """High-ratio compression (20 MB of zeros in ~20 kB) against a 1 MB limit."""
    bomb = tmp_path / "bomb.zip"
    bomb.write_bytes(_zip([("zeros.bin", b"\0" * 20_000_000, False)]))
    assert bomb.stat().st_size < 100_000
    target = tmp_path / "out"
    target.mkdir()
    with pytest.raises(ModelError) as err:
        unpack_zip(bomb, target, max_bytes=1_000_000)
    assert err.value.code == "archive-unsafe"
    assert list(target.rglob("*")) == []


def test_too_many_entries_are_refused(sandbox: Sandbox) -> None:
    entries = [(f"{NAME}/f{i}", b"", False) for i in range(MAX_MEMBERS + 1)]
    assert sandbox.install(_zip(entries)) == "archive-unsafe"


@pytest.mark.filterwarnings("ignore:Duplicate name")
@pytest.mark.parametrize(
    "names",
    [
        (f"{NAME}/am/final.mdl", f"{NAME}/am/final.mdl"),
        (f"{NAME}/am/final.mdl", f"{NAME}/am//final.mdl"),
        (f"{NAME}/am/final.mdl", f"{NAME}/am/./final.mdl"),
        (f"{NAME}/conf", f"{NAME}/conf/model.conf"),
    ],
)
def test_duplicate_names_are_refused(
    sandbox: Sandbox, model_zip_bytes: bytes, names: tuple[str, str]
) -> None:
    """Two entries for one path (the second would silently replace the first) are refused."""
    with zipfile.ZipFile(io.BytesIO(model_zip_bytes)) as z:
        good = [(i.filename, z.read(i), False) for i in z.infolist() if i.filename not in names]
    extra = [(n, b"a second copy", False) for n in names]
    assert sandbox.install(_zip([*good, *extra])) == "archive-unsafe"


# -- random archive structures ---------------------------------------------------------------
_PARTS = st.sampled_from(
    ["..", ".", "", "am", "conf", "graph", NAME, "final.mdl", "é", "a b", "\\", "C:", "~"]
)
_ENTRY = st.tuples(
    st.lists(_PARTS, min_size=1, max_size=5).map("/".join),
    st.binary(max_size=64),
    st.booleans(),
)


@FUZZ
@given(st.lists(_ENTRY, max_size=8))
@example([("", b"", False)])  # an entry without a name: zipfile raised IndexError
@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_random_archive_structures(fuzz_root: Path, entries: list[tuple[str, bytes, bool]]) -> None:
    """Whatever the entries, the install is refused cleanly or leaves exactly one model."""
    _fresh(fuzz_root).install(_zip(entries))
