"""Assemble :class:`~aligner.records.Document` records from files, texts or pre-split lines.

Decisions worth knowing:

* paragraphs are the page's non-empty lines (hard-wrapped prose lines are joined again);
* the title is a paragraph of its own (``is_title``), never a body sentence; later copies of
  it are ``duplicate`` boilerplate;
* a leading date label (``date 2022-04-25 ...``) becomes a ``meta`` paragraph and the
  document's ``date``; a dateline (``NUR-SULTAN. KAZINFORM – ...``) at the start of the first
  body paragraph becomes a ``dateline`` boilerplate paragraph before it, so translation
  units do not carry it (translations rarely repeat it);
* ``clean_text`` is the body paragraphs joined by blank lines; sentence offsets point into it.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from aligner.docfile import is_documents_file, read_documents_file
from aligner.errors import InputError, UnsupportedLanguageError
from aligner.executors import MapTasks
from aligner.ingest.chrome import TITLE, Verdict, classify_paragraphs
from aligner.ingest.encoding import MAX_FILE_BYTES, check_size, decode_bytes
from aligner.ingest.html import HTML_SUFFIXES, declared_charset, html_to_text, looks_like_html
from aligner.ingest.langid import identify_language
from aligner.ingest.meta import find_date, split_date_label
from aligner.io import BROKEN_LINK, path_text
from aligner.records import Document, Paragraph, Sentence
from aligner.segment import Splitter, split_dateline, splitter_for, splitter_signature

TEXT_SUFFIXES = (".txt", ".text", "") + HTML_SUFFIXES
"""File name endings read from folders ("" = no extension); named files are read whatever
their ending."""
LANGUAGE_SUFFIXES = tuple(f".{code}" for code in (
    "ru", "en", "de", "fr", "es", "it", "pt", "nl", "uk", "kk", "be", "bg", "tr", "fi", "sv",
    "da", "no", "et", "lv", "lt", "hu", "ro", "zh", "ja", "ko", "ar", "fa", "hi"))
"""Parallel corpora name files by language (``doc000.ru``, ``dev.de``): read from folders too.
Codes that are also common program-file endings (``.cs``, ``.pl``, ``.el``, ``.ml``) are not."""
READ_FROM_FOLDERS = (", ".join(suffix for suffix in TEXT_SUFFIXES if suffix)
                     + f", a language code such as {LANGUAGE_SUFFIXES[0]}"
                     + (", or no extension" if "" in TEXT_SUFFIXES else ""))
"""The endings of :data:`TEXT_SUFFIXES` and :data:`LANGUAGE_SUFFIXES`, for messages."""
END_OF_ARTICLE = ".EOA"
"""In pre-split input, a line that ends a paragraph (as in Bleualign / hunalign data)."""
META_SCAN_PARAGRAPHS = 4
BATCH_FILES = 32  # files per ingestion task: enough to outweigh the cost of a task

Progress = Callable[[list[tuple[Path, bool]]], Iterable[tuple[Path, bool]]]

_SPACES = re.compile(r"[^\S\n]{2,}|[^\S\n ]")  # runs, tabs, no-break spaces: not lone spaces
_WRAP_MIN_CHARS = 50
_LOWER_START = re.compile(r"^[a-zа-яё]")


@dataclass(frozen=True)
class IngestResult:
    """Documents read from some paths, and the files skipped with the reason."""

    documents: list[Document]
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """Counts for the CLI's summary line and ``--json``."""
        return summarize(self.documents, self.skipped)

    def __iter__(self) -> Iterator[Document]:
        """The documents, so that a result goes wherever documents are expected."""
        return iter(self.documents)

    def __len__(self) -> int:
        return len(self.documents)


def summarize(documents: Iterable[Document | tuple[str, int]],
              skipped: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """Documents, sentences and languages counted, and the skipped files.

    :param documents: documents, or ``(lang, sentence count)`` pairs standing for them.
    """
    pairs = [(d.lang, len(d.sentences)) if isinstance(d, Document) else d for d in documents]
    return {"documents": len(pairs), "sentences": sum(count for _, count in pairs),
            "skipped": [{"path": path, "reason": reason} for path, reason in skipped],
            "languages": _count(lang for lang, _ in pairs)}


def read_document(path: str | os.PathLike[str], lang: str | None = None,
                  doc_id: str | None = None, presplit: bool = False,
                  max_bytes: int = MAX_FILE_BYTES) -> Document:
    """Read one file (plain text or HTML) into a :class:`Document`.

    :param lang: ISO 639-1 code that overrides language identification.
    :param doc_id: the document id; the file stem by default.
    :param presplit: one sentence per line (``.EOA`` or an empty line ends a paragraph).
    :raises InputError: missing, too large, empty, binary or undecodable file, or a language
        without a sentence splitter.
    """
    file, name = Path(path), path_text(path)
    if not file.exists():
        raise InputError(f"{name}: no such file or directory")
    if not file.is_file():
        raise InputError(f"{name}: not a regular file")
    check_size(file.stat().st_size, name, max_bytes)
    try:
        data = file.read_bytes()
    except OSError as error:  # a read error carries no file name of its own
        raise InputError(f"{name}: cannot read ({error.strerror or error})") from None
    return document_from_bytes(name, data, lang, doc_id, presplit, max_bytes)


def document_from_bytes(name: str, data: bytes, lang: str | None = None,
                        doc_id: str | None = None, presplit: bool = False,
                        max_bytes: int = MAX_FILE_BYTES) -> Document:
    """A :class:`Document` from the bytes of a file called ``name`` (its path: the stem is
    the id unless ``doc_id`` is given, an HTML suffix says how to read it, errors name it).

    >>> page = ("<h1>Президент принял министра обороны Китая</h1><p>Касым-Жомарт Токаев "
    ...         "принял министра обороны Китая в Астане.</p>").encode("cp1251")
    >>> doc = document_from_bytes("news/n1.html", page)
    >>> doc.id, doc.encoding, doc.sentence_texts
    ('n1', 'cp1251', ['Касым-Жомарт Токаев принял министра обороны Китая в Астане.'])
    """
    check_size(len(data), name, max_bytes)
    decoded = decode_bytes(data, name, declared_charset(data))
    text = decoded.text
    if not presplit and (Path(name).suffix.lower() in HTML_SUFFIXES or looks_like_html(text)):
        text = html_to_text(text, name)
        if not text.strip():
            raise InputError(f"{name}: HTML page without visible text")
    doc_id = doc_id or Path(name).stem
    if presplit:
        document = document_from_lines(doc_id, name, text.split("\n"), lang)
    else:
        try:
            document = document_from_text(doc_id, name, text, lang)
        except UnsupportedLanguageError as error:  # a decoding problem may be why
            raise UnsupportedLanguageError("; ".join((str(error),) + decoded.warnings)) from None
    return replace(document, encoding=decoded.encoding,
                   warnings=decoded.warnings + document.warnings)


@dataclass(frozen=True)
class FileBatch:
    """Files sent to a worker as ``(name, bytes)``, or ``(name, error)`` for a file that could
    not be read where the run started; and how to read them."""

    files: tuple[tuple[str, bytes | InputError], ...]
    lang: str | None = None
    presplit: bool = False
    max_bytes: int = MAX_FILE_BYTES


def ingest_batch(batch: FileBatch) -> list[Document | InputError]:
    """Task: each file of ``batch`` as a document (its stem as id), or the error naming it.
    Workers need no access to the inputs: the bytes travel."""
    results: list[Document | InputError] = []
    for name, data in batch.files:
        if isinstance(data, InputError):
            results.append(data)
            continue
        try:
            results.append(document_from_bytes(name, data, batch.lang, None, batch.presplit,
                                               batch.max_bytes))
        except InputError as error:
            results.append(error)
    return results


def splitter_name(lang: str, presplit: bool) -> str:
    """How ingestion splits documents of ``lang`` into sentences, for signatures.

    >>> splitter_name("ja", False), splitter_name("ja", True)
    ('rules:cjk-v1', 'lines')
    """
    return "lines" if presplit else splitter_signature(lang)


def document_from_text(doc_id: str, path: str, text: str, lang: str | None = None,
                       encoding: str = "utf-8") -> Document:
    """Build a Document from page text: paragraphs, chrome, title, date, sentences.

    >>> doc = document_from_text("d1", "", "Weather +11\\n\\nTokayev receives minister\\n\\n"
    ...     "Kassym-Jomart Tokayev received the Chinese defence minister in the capital. They "
    ...     "discussed security and trade between the two countries.\\n\\n© 2024 News Ltd")
    >>> doc.lang, doc.title, len(doc.sentences)
    ('en', 'Tokayev receives minister', 2)
    """
    texts = split_paragraphs(text)
    named = _is_named(lang)
    lang, confidence = document_language(lang, text)
    splitter = _splitter(lang, confidence, path or doc_id, named)
    texts, date_index = _split_date_label(texts)
    verdicts = classify_paragraphs(texts, lang)
    if date_index is not None:
        verdicts[date_index] = Verdict(True, "meta", "bad")
    paragraphs = _split_dateline(_with_title(texts, verdicts))
    title = next((p.text for p in paragraphs if p.is_title), None)
    date = _publication_date(texts, verdicts, date_index)
    return _assemble(doc_id, path, lang, confidence, encoding, paragraphs, title, date,
                     splitter)


def document_from_lines(doc_id: str, path: str, lines: Iterable[str],
                        lang: str | None) -> Document:
    """A Document from pre-split text: one sentence per line; ``.EOA``/empty line = new paragraph.

    >>> doc = document_from_lines("p", "", ["One.", "Two", "", "Three", ".EOA", "Four"], "en")
    >>> doc.sentence_texts, [s.paragraph for s in doc.sentences]
    (['One.', 'Two', 'Three', 'Four'], [0, 0, 1, 2])
    """
    groups: list[list[str]] = [[]]
    for line in lines:
        line = _SPACES.sub(" ", line).strip()
        if line in ("", END_OF_ARTICLE):
            if groups[-1]:
                groups.append([])
        else:
            groups[-1].append(line)
    groups = [group for group in groups if group]
    lang, confidence = document_language(lang, "\n".join(line for group in groups for line in group))
    paragraphs = tuple(Paragraph(text="\n".join(group)) for group in groups)
    sentences: list[Sentence] = []
    offset = 0
    for index, group in enumerate(groups):
        for line in group:
            sentences.append(Sentence(text=line, paragraph=index, start=offset,
                                      end=offset + len(line)))
            offset += len(line) + 1
        offset += 1  # the blank line between paragraphs: "\n" after the last line + "\n"
    clean_text = "\n\n".join(p.text for p in paragraphs)
    return Document(id=doc_id, path=path, lang=lang, encoding="utf-8", paragraphs=paragraphs,
                    sentences=tuple(sentences), clean_text=clean_text,
                    lang_confidence=confidence,
                    warnings=() if sentences else ("no sentences: every line is empty",))


def ingest_paths(paths: Sequence[str | os.PathLike[str]], lang: str | None = None,
                 strict: bool = False, presplit: bool = False,
                 max_bytes: int = MAX_FILE_BYTES, progress: Progress | None = None,
                 map_tasks: MapTasks | None = None) -> IngestResult:
    """Read files and folders (recursively) into documents with unique ids.

    A bad file named directly is an error; inside a folder it is skipped with its reason,
    unless ``strict``. Every path is checked before any file is read.

    :param progress: wraps the list of ``(file, named)`` pairs, e.g. in a progress bar.
    :param map_tasks: reads the files as tasks, :data:`BATCH_FILES` a task, through this
        ``map`` (e.g. on a pool of processes); the same documents and ids as without.
    :raises InputError: a missing path, a folder without text files, a bad named file, or
        no readable document at all.
    """
    skipped: list[tuple[str, str]] = []
    documents = list(iter_documents(paths, lang, strict, presplit, max_bytes, progress,
                                    on_skip=lambda path, reason: skipped.append((path, reason)),
                                    map_tasks=map_tasks))
    if not documents:
        raise no_documents_error(paths, skipped)
    return IngestResult(documents=documents, skipped=skipped)


def read_documents(paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
                   lang: str | None = None, *, presplit: bool = False, strict: bool = False,
                   max_bytes: int = MAX_FILE_BYTES, progress: Progress | None = None,
                   map_tasks: MapTasks | None = None) -> IngestResult:
    """Documents of files and folders: text and HTML files are ingested (encoding, language,
    chrome, title, date, sentences), documents files (``*.jsonl`` of ``aligner ingest`` or
    ``aligner run``) are read as they are.

    A bad file inside a folder is skipped and listed with its reason in the result's
    ``skipped`` (nothing is dropped silently); ``strict=True`` raises on it instead. The
    result iterates over its documents. Options other than ``paths`` apply to ingested files.

    :param lang: language of every ingested file (ISO 639-1); None identifies each one.
    :param presplit: ingested files hold one sentence per line (no chrome removal).
    :param map_tasks: reads the files as tasks, as in :func:`ingest_paths`.
    :raises InputError: a missing path, a bad file named directly, or no document at all.

    >>> import pathlib, tempfile
    >>> folder = tempfile.TemporaryDirectory()
    >>> _ = pathlib.Path(folder.name, "a.en").write_text(
    ...     "The sides discussed cooperation. They met in Astana.\\n", encoding="utf-8")
    >>> _ = pathlib.Path(folder.name, "b.en").write_bytes(b"\\x00\\x01" * 50)
    >>> result = read_documents(folder.name)
    >>> [(doc.id, len(doc.sentences)) for doc in result]
    [('a', 2)]
    >>> [pathlib.Path(path).name for path, reason in result.skipped]
    ['b.en']
    >>> folder.cleanup()
    """
    given = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    documents: list[Document] = []
    for path in given:
        if is_documents_file(path):
            documents.extend(read_documents_file(path))
    texts = [path for path in given if not is_documents_file(path)]
    skipped: list[tuple[str, str]] = []
    if texts:
        ingested = ingest_paths(texts, lang, strict, presplit, max_bytes, progress, map_tasks)
        documents.extend(ingested.documents)
        skipped = ingested.skipped
    if not documents:  # documents files only, and empty (ingest_paths raises for texts)
        raise InputError(f"{', '.join(map(str, given))}: no readable document; give text or "
                         "HTML files, folders of them, or `aligner ingest` output")
    return IngestResult(documents, skipped)


def iter_documents(paths: Sequence[str | os.PathLike[str]], lang: str | None = None,
                   strict: bool = False, presplit: bool = False,
                   max_bytes: int = MAX_FILE_BYTES, progress: Progress | None = None,
                   on_skip: Callable[[str, str], None] | None = None,
                   map_tasks: MapTasks | None = None) -> Iterator[Document]:
    """Like :func:`ingest_paths`, one document at a time; ``on_skip(path, reason)`` hears of
    each skipped file after the last document, in path order (the one order every command
    lists them in). Raises nothing for an empty result: the caller decides."""
    ids: set[str] = set()
    skipped: list[tuple[str, str]] = []

    def unreadable(path: str, reason: str) -> None:
        if strict:
            raise InputError(f"{path}: {reason}")
        skipped.append((path, reason))

    files = list(input_files(paths, unreadable))
    results = (_read_in_batches(files, lang, presplit, max_bytes, map_tasks) if map_tasks
               else (_read_or_error(file, lang, presplit, max_bytes) for file, _ in files))
    for (file, named), result in zip(progress(files) if progress else files, results):
        if isinstance(result, Document):
            yield replace(result, id=unique_id(result.id, ids))
        elif named or strict:
            raise _as_input_error(result, file) from None
        else:
            skipped.append((path_text(file), _reason(result, file)))
    for path, reason in sorted(skipped) if on_skip else ():
        on_skip(path, reason)


def _read_or_error(file: Path, lang: str | None, presplit: bool,
                   max_bytes: int) -> Document | InputError | OSError:
    try:
        return read_document(file, lang, None, presplit, max_bytes)
    except (InputError, OSError) as error:
        return error


def _read_in_batches(files: Sequence[tuple[Path, bool]], lang: str | None, presplit: bool,
                     max_bytes: int, map_tasks: MapTasks) -> Iterator[Document | InputError]:
    """Each file's document or error, in order, read by :func:`ingest_batch` tasks; the
    bytes are read as tasks are handed out, and a file over ``max_bytes`` never is."""
    batches = (FileBatch(tuple(_file_bytes(file, max_bytes)
                               for file, _ in files[start:start + BATCH_FILES]),
                         lang, presplit, max_bytes)
               for start in range(0, len(files), BATCH_FILES))
    for results in map_tasks(ingest_batch, batches):
        yield from results


def _file_bytes(file: Path, max_bytes: int) -> tuple[str, bytes | InputError]:
    name = path_text(file)
    try:
        check_size(file.stat().st_size, name, max_bytes)
        return name, file.read_bytes()
    except (InputError, OSError) as error:
        return name, _as_input_error(error, file)


def no_documents_error(paths: Sequence[str | os.PathLike[str]],
                       skipped: Sequence[tuple[str, str]]) -> InputError:
    """The error for inputs that gave no document: every file was skipped."""
    first = f"; first: {skipped[0][0]}: {skipped[0][1]}" if skipped else ""
    return InputError(f"{', '.join(map(path_text, paths))}: no readable document "
                      f"({len(skipped)} file(s) skipped{first})")


def split_paragraphs(text: str) -> list[str]:
    """Non-empty lines with spaces normalised; hard-wrapped prose lines are joined again.

    >>> split_paragraphs("Title\\n\\nA long line of prose that was wrapped by an editor at\\n"
    ...                  "column sixty.\\n\\xa0\\nUSD\\n444")
    ['Title', 'A long line of prose that was wrapped by an editor at column sixty.', 'USD', '444']
    """
    paragraphs: list[str] = []
    for raw in text.split("\n"):
        line = _SPACES.sub(" ", raw).strip()
        if not line:
            continue
        if paragraphs and _wrapped(paragraphs[-1], line):
            paragraphs[-1] += " " + line
        else:
            paragraphs.append(line)
    return paragraphs


def _wrapped(previous: str, line: str) -> bool:
    """A long line without final punctuation continued by a lower-case one: a hard wrap."""
    return (len(previous) >= _WRAP_MIN_CHARS and previous[-1] not in ".!?:;…»\"”"
            and bool(_LOWER_START.match(line)))


def _is_named(lang: str | None) -> bool:
    return bool(lang and lang != "auto")


def document_language(lang: str | None, text: str) -> tuple[str, float]:
    """``lang`` as named (any case), else identified from ``text``; with the confidence."""
    if lang and _is_named(lang):
        return lang.lower(), 1.0
    return identify_language(text)


def _splitter(lang: str, confidence: float, source: str, named: bool) -> Splitter:
    """The sentence splitter of ``lang``; an error naming ``source`` when there is none."""
    try:
        return splitter_for(lang)
    except UnsupportedLanguageError as error:
        how = "" if named else (f"; the language was identified with confidence "
                                f"{confidence:.2f}: name it if that is wrong")
        raise UnsupportedLanguageError(f"{source}: {error}{how}") from None


def _split_date_label(texts: list[str]) -> tuple[list[str], int | None]:
    """Move a leading ``date 2022-04-25`` label out of the first paragraphs into its own."""
    for index, text in enumerate(texts[:META_SCAN_PARAGRAPHS]):
        parts = split_date_label(text)
        if parts and parts[1]:
            return texts[:index] + list(parts) + texts[index + 1:], index
    return texts, None


def _with_title(texts: Sequence[str], verdicts: Sequence[Verdict]) -> tuple[Paragraph, ...]:
    """Paragraphs with the title marked; later copies of the title become ``duplicate``."""
    title: str | None = None
    paragraphs = []
    for text, verdict in zip(texts, verdicts):
        if verdict.label == TITLE:
            title = text.casefold()
            paragraphs.append(Paragraph(text=text, reason="title", is_title=True))
        elif title is not None and text.casefold() == title:
            paragraphs.append(Paragraph(text=text, boilerplate=True, reason="duplicate"))
        else:
            paragraphs.append(Paragraph(text=text, boilerplate=verdict.boilerplate,
                                        reason=verdict.reason))
    return tuple(paragraphs)


def _split_dateline(paragraphs: tuple[Paragraph, ...]) -> tuple[Paragraph, ...]:
    """Give a dateline at the start of the first body paragraph a paragraph of its own.

    >>> [(p.text, p.reason) for p in _split_dateline((Paragraph("ТАСС - Встреча прошла."),))]
    [('ТАСС -', 'dateline'), ('Встреча прошла.', '')]
    """
    index = next((i for i, p in enumerate(paragraphs) if _is_body(p)), None)
    parts = split_dateline(paragraphs[index].text) if index is not None else None
    if index is None or parts is None:
        return paragraphs
    dateline = Paragraph(text=parts[0], boilerplate=True, reason="dateline")
    body = replace(paragraphs[index], text=parts[1])
    return paragraphs[:index] + (dateline, body) + paragraphs[index + 1:]


def _is_body(paragraph: Paragraph) -> bool:
    return not paragraph.boilerplate and not paragraph.is_title


def _publication_date(texts: Sequence[str], verdicts: Sequence[Verdict],
                      date_index: int | None) -> str | None:
    """The date of a date label or a metadata line, else one in the first paragraphs."""
    candidates = [i for i, verdict in enumerate(verdicts) if verdict.reason == "meta"]
    candidates += range(min(META_SCAN_PARAGRAPHS, len(texts)))
    if date_index is not None:
        candidates.insert(0, date_index)
    for index in candidates:
        found = find_date(texts[index])
        if found:
            return found
    return None


def _assemble(doc_id: str, path: str, lang: str, confidence: float, encoding: str,
              paragraphs: tuple[Paragraph, ...], title: str | None,
              date: str | None, splitter: Splitter) -> Document:
    """Join body paragraphs into ``clean_text`` and split them into sentences."""
    pieces: list[str] = []
    sentences: list[Sentence] = []
    offset = 0
    for index, paragraph in enumerate(paragraphs):
        if not _is_body(paragraph):
            continue
        if pieces:
            offset += 2
        for start, end in splitter.split(paragraph.text):
            sentences.append(Sentence(text=paragraph.text[start:end], paragraph=index,
                                      start=offset + start, end=offset + end))
        pieces.append(paragraph.text)
        offset += len(paragraph.text)
    warnings = () if sentences else ("no article body found: every paragraph looks like "
                                     "page chrome",)
    return Document(id=doc_id, path=path, lang=lang, encoding=encoding, paragraphs=paragraphs,
                    sentences=tuple(sentences), clean_text="\n\n".join(pieces),
                    lang_confidence=confidence, title=title, date=date, warnings=warnings)


def input_files(paths: Sequence[str | os.PathLike[str]],
                on_unreadable: Callable[[str, str], None] | None = None
                ) -> Iterator[tuple[Path, bool]]:
    """``(file, named)`` for each input file; folders are walked in sorted order.

    :param on_unreadable: hears ``(path, reason)`` of each folder that cannot be listed, of
        each file with an ending not read from folders, and of each entry named like a text
        file that is no regular file (a broken link, a pipe).
    """
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = sorted(_folder_files(path, on_unreadable))
            if not files:
                raise InputError(f"{path_text(path)}: no text files ({READ_FROM_FOLDERS}) in "
                                 "this folder")
            yield from ((file, False) for file in files)
        elif path.exists():
            yield path, True
        else:
            raise InputError(f"{path_text(path)}: no such file or directory")


def _folder_files(root: Path, on_unreadable: Callable[[str, str], None] | None
                  ) -> Iterator[Path]:
    """The text files under ``root``, hidden files and folders aside (symbolic links to
    folders are not followed, so a link loop cannot trap the walk). A file with another
    ending is named, not read; so is an entry named like a text file that is no regular file
    (it is never opened: a pipe would block the run)."""
    def unreadable(error: OSError) -> None:
        if on_unreadable:
            on_unreadable(path_text(error.filename),
                          f"cannot read the folder ({error.strerror or error}); its files "
                          "were not ingested")

    for folder, subfolders, names in os.walk(root, onerror=unreadable):
        # sorted, so that what is skipped is named in the same order on every file system
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        for path in (Path(folder) / name for name in sorted(names)):
            if _is_hidden(path, root):
                continue
            if not _has_text_name(path):
                if on_unreadable:
                    on_unreadable(path_text(path), f"ending {path_text(path.suffix)} is not read "
                                                   f"from folders ({READ_FROM_FOLDERS}); name "
                                                   "the file to read it")
            elif path.is_file():
                yield path
            elif on_unreadable:
                on_unreadable(path_text(path), BROKEN_LINK
                              if path.is_symlink() else "not a regular file (a pipe or device)")


def _is_hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def folder_rules() -> dict[str, tuple[str, ...]]:
    """The endings read from folders, for a fingerprint of what a folder's ingestion gives
    (when they change, the files read and skipped change with the same inputs)."""
    return {"text": TEXT_SUFFIXES, "languages": LANGUAGE_SUFFIXES}


def _has_text_name(path: Path) -> bool:
    suffix = path.suffix.lower()
    return suffix in TEXT_SUFFIXES or suffix in LANGUAGE_SUFFIXES


def unique_id(stem: str, taken: set[str]) -> str:
    """``stem``, or ``stem-2``, ``stem-3``... when taken; the result is added to ``taken``.

    Control characters (a tab or newline in a file name) are escaped as ``\\t``, ``\\n``,
    ``\\xNN``, so an id never breaks a line- or tab-separated output such as ``pairs.tsv``.

    >>> taken = {"doc"}
    >>> unique_id("doc", taken), unique_id("doc", taken), unique_id("other", taken)
    ('doc-2', 'doc-3', 'other')
    >>> print(unique_id("ru\\tnews\\n", taken))
    ru\\tnews\\n
    """
    stem = _CONTROL.sub(_escape_control, stem)
    candidate, number = stem, 1
    while candidate in taken:
        number += 1
        candidate = f"{stem}-{number}"
    taken.add(candidate)
    return candidate


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape_control(match: re.Match[str]) -> str:
    char = match.group()
    return _ESCAPES.get(char, f"\\x{ord(char):02x}")


def _reason(error: Exception, file: Path) -> str:
    message = str(_as_input_error(error, file))
    prefix = f"{path_text(file)}: "
    return message[len(prefix):] if message.startswith(prefix) else message


def _as_input_error(error: Exception, file: Path) -> InputError:
    if isinstance(error, InputError):
        return error
    detail = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
    return InputError(f"{path_text(file)}: {detail}")


def _count(values: Iterable[str]) -> dict[str, int]:
    return dict(sorted(Counter(values).items()))
