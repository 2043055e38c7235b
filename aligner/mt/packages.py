"""Argos Translate packages: discovery, offline installation and installation from the index.

Everything goes through argostranslate's own package directory (``ARGOS_PACKAGES_DIR`` or
argostranslate's ``settings.json``) and its ``Package`` / ``install_from_path`` API, so models a
user installed with ``argospm`` are found, and models installed here are seen by ``argospm``.
An ``.argosmodel`` file is a zip archive of one folder holding ``metadata.json``, a CTranslate2
model in ``model/`` and a ``sentencepiece.model`` (or ``bpe.model``).
"""

from __future__ import annotations

import json
import tempfile
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aligner.errors import InputError, ModelError

#: Seconds to wait for the package index or a download before giving up.
NETWORK_TIMEOUT = 10.0
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
    return package, settings


def package_dirs() -> list[Path]:
    """The folders argostranslate searches for installed packages (its own settings)."""
    _, settings = argos()
    return [Path(directory) for directory in settings.package_dirs]


def list_models() -> list[ModelInfo]:
    """Installed translation packages, sorted by id; folders that are not packages are skipped."""
    package, _ = argos()
    models = []
    for directory in package_dirs():
        if not directory.is_dir():
            continue
        for candidate in sorted(directory.iterdir()):
            if not (candidate / "metadata.json").is_file():
                continue
            try:
                found = package.Package(candidate)
            except (OSError, ValueError):
                continue  # a half-written or foreign folder: argospm would choke on it too
            info = _model_info(found)
            if info is not None:
                models.append(info)
    return sorted(models, key=lambda model: (model.id, str(model.path)))


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
    package, settings = argos()

    try:
        package.install_from_path(archive)
    except (OSError, zipfile.BadZipFile) as error:
        raise ModelError(f"{archive}: installation into {settings.package_data_dir} failed: "
                         f"{error}") from None
    installed = Path(settings.package_data_dir) / top
    info = _model_info(package.Package(installed))
    if info is None:
        raise ModelError(f"{installed}: installed, but argostranslate does not read it as a "
                         "translation package")
    return info


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
            broken = zipped.testzip()
            names = zipped.namelist()
            if broken is not None:
                raise ModelError(f"{archive}: corrupt member {broken}; download it again")
            top = _package_folder(names)
            if top is None:
                raise ModelError(f"{archive}: expected one top folder holding the package")
            if f"{top}/metadata.json" not in names:
                raise ModelError(f"{archive}: no {top}/metadata.json, so not an Argos package")
            metadata = json.loads(zipped.read(f"{top}/metadata.json"))
    except (zipfile.BadZipFile, EOFError, OSError) as error:
        raise ModelError(f"{archive}: corrupt zip archive ({error}); download it again") from None
    except ValueError:
        raise ModelError(f"{archive}: metadata.json is not valid JSON") from None
    _check_contents(archive, top, names, metadata)
    return top


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


def _check_contents(archive: Path, top: str, names: list[str], metadata: Any) -> None:
    languages = isinstance(metadata, dict) and metadata.get("from_code") and metadata.get("to_code")
    if not languages:
        raise ModelError(f"{archive}: metadata.json lacks from_code/to_code")
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
