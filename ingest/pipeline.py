"""Builds the index for a filing aside, and swaps it in only when complete.

Layout of an index folder:
  CURRENT                  name of the active version folder (replaced atomically)
  <version>/manifest.json  written last: a version folder without it is incomplete
  <version>/facts.jsonl, chunks.jsonl, conflicts.json, tables.json, filing.txt, chroma/
The version is a hash of the filing text, the parser version and the model, so re-ingesting
an unchanged filing finds its folder and does nothing.

A build writes the records (facts, chunks, tables) into its .build-* folder first and the vectors
after; a caller can answer from the records meanwhile (`records_ready`), lexically. Nothing of the
build is visible to anyone else until the finished folder is renamed into place.
"""
from __future__ import annotations

import json
import os
import shutil
import time
from contextlib import contextmanager
from functools import lru_cache
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Callable, Optional

from schema import Chunk, Fact, content_id, dump_jsonl
from settings import Settings

from .errors import IngestError
from .parser import PARSER_VERSION, ParsedFiling, parse_filing, read_filing

Progress = Optional[Callable[[str], None]]
RecordsReady = Optional[Callable[["IndexInfo"], None]]
KEEP_VERSIONS = 2
# One vector collection per kind of passage: a search for table rows then needs no metadata filter,
# which in Chroma costs time in proportion to the whole collection.
KINDS = ("table_row", "text")
STORE_LAYOUT = "collection-per-kind"


@dataclass
class IndexInfo:
    version: str
    path: Path
    filing: str
    collection: str
    n_tables: int
    n_facts: int
    n_chunks: int
    n_conflicts: int
    seconds: float = 0.0
    reused: bool = False
    warnings: tuple = ()
    vectors: bool = True  # False for a build whose records are written and whose vectors are not yet
    profile: dict = field(default_factory=dict)  # a build's seconds by stage and what each stage handled

    def collection_for(self, kind: str) -> str:
        return collection_name(self.collection, kind)

    def summary(self) -> str:
        verb = "reused" if self.reused else "built"
        return (
            f"index {verb}: {self.n_tables} tables, {self.n_facts} facts, {self.n_chunks} chunks, "
            f"{self.n_conflicts} conflicts, {self.seconds:.1f} s ({self.path})"
        )


def collection_name(base: str, kind: str) -> str:
    return f"{base}-{kind}"


def version_of(text: str, model: str) -> str:
    """Same filing, same reading code, same model, same store layout: same index. A change to any makes a new one."""
    return content_id(text, PARSER_VERSION, STORE_LAYOUT, model, _reader_hash())


@lru_cache(maxsize=1)
def _reader_hash() -> str:
    here = Path(__file__).resolve().parent
    return content_id(*(p.read_text(encoding="utf-8") for p in sorted(here.glob("*.py")) if p.name not in ("__main__.py", "pipeline.py")))


def _model_id(settings: Settings, embedder) -> str:
    """The model whose vectors the index holds: the embedder handed in (tests pass a fast one), else settings."""
    return str(getattr(embedder, "id", "") or settings.model) if embedder is not None else settings.model


def ensure_index(settings: Settings, progress: Progress = None, embedder=None, filing: Optional[Path] = None,
                 records_ready: RecordsReady = None) -> IndexInfo:
    """The index for the filing: reused when complete and current, else built and swapped in.
    A build calls `records_ready` with its records (an IndexInfo with vectors=False, in the build
    folder) before it embeds them; the call returns before the build goes on."""
    t0 = time.perf_counter()
    filing = Path(filing or settings.filing)
    text = read_filing(filing)
    index_dir = Path(settings.index_dir)
    version = version_of(text, _model_id(settings, embedder))
    info = _load_info(index_dir / version)
    problem = _problem(info, settings) if info is not None else "its manifest.json is missing or unreadable"
    if not problem:
        if _current(index_dir) != version:
            _set_current(index_dir, version)
        info.reused = True
        info.seconds = time.perf_counter() - t0
        return info
    if (index_dir / version).exists():
        _say(progress, f"index folder {index_dir / version} is incomplete or damaged ({problem}); rebuilding it")
    return build_index(settings, filing, text, version, progress, embedder, t0, records_ready)


def build_index(settings, filing: Path, text: str, version: str, progress: Progress, embedder, t0: float,
                records_ready: RecordsReady = None) -> IndexInfo:
    index_dir = Path(settings.index_dir)
    profile = {"read_s": time.perf_counter() - t0}  # the filing read, hashed, and an existing folder checked
    _say(progress, f"reading {filing}")
    with _stage(profile, "parse"):
        parsed = parse_filing(filing, text)  # a filing that cannot be read leaves the index folder untouched
    for w in parsed.warnings:
        _say(progress, f"warning: {filing}, {w}")
    tmp = index_dir / f".build-{version}-{os.getpid()}"
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
    except OSError as e:
        raise IngestError(
            f"{index_dir}: cannot create the index folder ({e.strerror or e}). "
            "Give a writable folder (FQA_INDEX_DIR, or --index for python -m ingest)."
        ) from e
    collection = f"fqa-{version}"
    try:
        with _stage(profile, "records"):
            _write_tables(tmp, parsed, text)
        profile["answerable_s"] = time.perf_counter() - t0  # from here a first start answers from the records
        staged = IndexInfo(version, tmp, parsed.name, collection, len(parsed.tables), len(parsed.facts), len(parsed.chunks),
                           len(parsed.conflicts), warnings=tuple(parsed.warnings), vectors=False)
        if records_ready:
            records_ready(staged)
        loading = time.perf_counter()
        from .embedding import Embedder  # with chromadb: imported after the records, which need neither

        embedder = embedder or Embedder(settings.model)
        docs = parsed.chunks
        client = chroma_client(settings, tmp / "chroma")  # before the slow part: a server that is away fails fast
        try:
            _say(progress, f"embedding {len(docs)} passages and table rows")
            try:
                embedder.warm()
                profile["model_s"] = time.perf_counter() - loading  # libraries imported, store opened, model loaded
                with _stage(profile, "embedding"):
                    vectors = _embed_distinct(embedder, [d.text for d in docs], profile)
            except (OSError, ValueError) as e:  # a model folder that is missing or not a model
                raise IngestError(
                    f"embedding model {_model_id(settings, embedder)!r} cannot be loaded ({e}). Set FQA_MODEL to "
                    "'packaged:all-MiniLM-L6-v2' or to a local sentence-transformers model folder (nothing is downloaded)."
                ) from e
            profile["store_calls"] = 0
            with _stage(profile, "store"):
                n_docs = sum(_store(client, collection_name(collection, kind), [d for d in docs if d.kind == kind],
                                    [v for d, v in zip(docs, vectors) if d.kind == kind], settings, profile) for kind in KINDS)
        finally:
            _close(client)  # releases the SQLite files before the folder is moved
        if n_docs != len(docs):
            raise IngestError(f"{filing}: the vector store holds {n_docs} of {len(docs)} passages after indexing; run the ingest again.")
        finish = time.perf_counter()
        info = replace(staged, path=index_dir / version, vectors=True, profile=profile)
        manifest = asdict(info)
        manifest.update(path=str(manifest["path"]), model=_model_id(settings, embedder), parser=PARSER_VERSION,
                        chroma_mode=settings.chroma_mode, n_docs=n_docs, warnings=list(parsed.warnings))
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1))
        final = index_dir / version
        if final.exists():
            shutil.rmtree(final)
        os.replace(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _set_current(index_dir, version)
    _prune(index_dir, version)
    profile["finish_s"] = time.perf_counter() - finish
    info.seconds = time.perf_counter() - t0
    return info


@contextmanager
def _stage(profile: dict, name: str):
    t = time.perf_counter()
    try:
        yield
    finally:
        profile[f"{name}_s"] = time.perf_counter() - t


def _store(client, name: str, docs: list[Chunk], vectors: list, settings: Settings, profile: dict) -> int:
    """Writes one kind's passages into their collection, in as few calls as the store takes; returns
    how many it holds."""
    if settings.chroma_mode == "server":
        _drop(client, name)
    col = client.create_collection(name, metadata={"hnsw:space": "cosine"}, embedding_function=None)
    step = client.get_max_batch_size()
    for i in range(0, len(docs), step):
        part = docs[i : i + step]
        col.add(
            ids=[d.id for d in part],
            documents=[d.text for d in part],
            embeddings=vectors[i : i + step],
            metadatas=[{"kind": d.kind, "line": d.line, "section": d.section[:200]} for d in part],
        )
        profile["store_calls"] += 1
    return col.count()


def open_collections(client, info: IndexInfo) -> dict:
    """The index's vector collections by kind of passage."""
    return {kind: client.get_collection(info.collection_for(kind)) for kind in KINDS}


EMBED_STEP = 64  # texts per model call (and per step of the progress bar)


def _embed_distinct(embedder, texts: list[str], profile: dict) -> list[list[float]]:
    """Each distinct text embedded once, longest first: a batch then holds texts of about one length,
    so little of the model's work goes on padding (in the filing's order it was about 40%)."""
    from tqdm import tqdm

    distinct = sorted(set(texts), key=lambda t: (-len(t), t))
    vectors: dict[str, list[float]] = {}
    with tqdm(total=len(distinct), desc="embedding", unit="doc", disable=None) as bar:
        for i in range(0, len(distinct), EMBED_STEP):
            part = distinct[i : i + EMBED_STEP]
            vectors.update(zip(part, embedder.embed_documents(part)))
            bar.update(len(part))
    profile.update(texts=len(texts), distinct=len(distinct), batches=-(-len(distinct) // EMBED_STEP))
    return [vectors[t] for t in texts]


def _write_tables(folder: Path, parsed: ParsedFiling, text: str) -> None:
    dump_jsonl(folder / "facts.jsonl", (f.to_json() for f in parsed.facts))
    dump_jsonl(folder / "chunks.jsonl", (asdict(c) for c in parsed.chunks))
    (folder / "conflicts.json").write_text(json.dumps(parsed.conflicts, indent=1, ensure_ascii=False))
    (folder / "tables.json").write_text(json.dumps([asdict(t) for t in parsed.tables], indent=1, ensure_ascii=False))
    (folder / "calendar.json").write_text(json.dumps(asdict(parsed.calendar)))
    (folder / "filing.txt").write_text(text, encoding="utf-8")


def chroma_client(settings: Settings, path: Path):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    cs = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_mode == "server":
        try:
            return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=cs)
        except Exception as e:  # the client raises plain exceptions when the server is away
            raise IngestError(
                f"Chroma server at {settings.chroma_host}:{settings.chroma_port} is not reachable ({e}). "
                "Start it with `chroma run --host 127.0.0.1 --port 8000 --path data/chroma-server` or set FQA_CHROMA_MODE=embedded."
            ) from e
    return chromadb.PersistentClient(path=str(path), settings=cs)


def _close(client) -> None:
    """Chroma shares one System per path within a process; closing releases it, so a later client sees the
    files as they are on disk (a deleted or replaced folder), not a cached connection."""
    try:
        client.close()
    except Exception:  # older clients have no close(); nothing to release then
        pass


def _drop(client, name: str) -> None:
    try:
        client.delete_collection(name)
    except Exception:  # absent is fine
        pass


def _say(progress: Progress, msg: str) -> None:
    if progress:
        progress(msg)


def _current(index_dir: Path) -> str:
    try:
        return (index_dir / "CURRENT").read_text().strip()
    except OSError:
        return ""


def _set_current(index_dir: Path, version: str) -> None:
    tmp = index_dir / f".CURRENT.{os.getpid()}"
    tmp.write_text(version)
    os.replace(tmp, index_dir / "CURRENT")


def _prune(index_dir: Path, keep: str) -> None:
    versions = sorted(
        (p for p in index_dir.iterdir() if p.is_dir() and (p / "manifest.json").exists() and p.name != keep),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for p in versions[KEEP_VERSIONS - 1 :]:
        shutil.rmtree(p, ignore_errors=True)
    for p in index_dir.glob(".build-*"):
        pid = p.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(p, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False


def _load_info(folder: Path) -> Optional[IndexInfo]:
    try:
        m = json.loads((folder / "manifest.json").read_text())
        return IndexInfo(
            m["version"], folder, m["filing"], m["collection"], m["n_tables"], m["n_facts"], m["n_chunks"],
            m["n_conflicts"], warnings=tuple(m.get("warnings", ())),
        )
    except (OSError, ValueError, KeyError):
        return None


def _healthy(info: IndexInfo, settings: Settings) -> bool:
    """A complete folder whose files and vector collection match its manifest."""
    return not _problem(info, settings)


def _problem(info: IndexInfo, settings: Settings) -> str:
    """What is wrong with an index folder, in a few words; "" when every file the engine loads parses
    and the vector collection holds every passage."""
    try:
        for name in ("facts.jsonl", "chunks.jsonl", "conflicts.json", "tables.json", "calendar.json", "filing.txt"):
            if not (info.path / name).is_file():
                return f"{name} is missing"
        try:
            facts, chunks, _conflicts, _lines = load_records(info)  # exactly what the engine will load
            json.loads((info.path / "tables.json").read_text(encoding="utf-8"))
            json.loads((info.path / "calendar.json").read_text(encoding="utf-8"))
        except (ValueError, TypeError, KeyError, AttributeError) as e:  # bad JSON or UTF-8, or a record of the wrong shape
            return f"a record file does not load: {type(e).__name__}: {str(e)[:120]}"
        if len(facts) != info.n_facts:
            return f"facts.jsonl holds {len(facts)} of {info.n_facts} facts"
        if len(chunks) != info.n_chunks:
            return f"chunks.jsonl holds {len(chunks)} of {info.n_chunks} passages"
        if settings.chroma_mode == "server":
            return ""  # checked when the engine connects; the server may be starting
        if not (info.path / "chroma" / "chroma.sqlite3").is_file():
            return "the vector store (chroma/chroma.sqlite3) is missing"
        try:
            client = chroma_client(settings, info.path / "chroma")
        except Exception as e:  # noqa: BLE001 (a damaged store fails in many ways)
            return f"the vector store does not open: {type(e).__name__}"
        try:
            n = sum(c.count() for c in open_collections(client, info).values())
        finally:
            _close(client)
        return "" if n == info.n_chunks else f"the vector store holds {n} of {info.n_chunks} passages"
    except Exception as e:  # noqa: BLE001 (any damage means rebuild)
        return f"{type(e).__name__}: {str(e)[:120]}"


def current_info(settings: Settings) -> Optional[IndexInfo]:
    index_dir = Path(settings.index_dir)
    v = _current(index_dir)
    return _load_info(index_dir / v) if v else None


def load_records(info: IndexInfo) -> tuple[list[Fact], list[Chunk], list[dict], list[str]]:
    facts = [Fact.from_json(json.loads(line)) for line in open(info.path / "facts.jsonl", encoding="utf-8")]
    chunks = [Chunk(**json.loads(line)) for line in open(info.path / "chunks.jsonl", encoding="utf-8")]
    conflicts = json.loads((info.path / "conflicts.json").read_text())
    lines = (info.path / "filing.txt").read_text(encoding="utf-8").split("\n")
    return facts, chunks, conflicts, lines
