"""``aligner run --dask-scheduler``: a local Dask cluster gives the single-process outputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from argos_fixture import use_package_dir
from run_support import output_bytes, run_cli

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


@pytest.fixture
def cluster(tmp_path, monkeypatch):
    """Two worker processes on loopback; they inherit this test's cache and package folders."""
    from distributed import LocalCluster

    use_package_dir(monkeypatch, tmp_path / "argos")
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, host="127.0.0.1",
                      dashboard_address=None) as local:
        yield local


@pytest.mark.slow
def test_dask_run_equals_the_single_process_run(cluster, tmp_path):
    single = run_cli(CORPUS, "-o", tmp_path / "single", "--quiet")
    assert single.exit_code == 0, single.output
    result = run_cli(CORPUS, "-o", tmp_path / "dask", "--dask-scheduler",
                     cluster.scheduler_address, "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["executor"], summary["workers"]) == ("dask", 2)
    assert summary["aligned_pairs"] == 1 and summary["reused_pairs"] == 0
    assert output_bytes(tmp_path / "dask") == output_bytes(tmp_path / "single")
    # the workers did the reading: every document went through them
    assert len((tmp_path / "dask" / "documents.jsonl").read_text("utf-8").splitlines()) == 5
    # ... and the verification of pairing candidates and the per-pair work
    assert {"ingest_batch", "verify_candidates", "process_pair"} <= set(
        cluster.scheduler.task_prefixes)


@pytest.mark.slow
def test_local_processes_equal_the_single_process_run(tmp_path, monkeypatch):
    """Each run from an empty cache: every vector is computed in the run, by whichever process
    and beside whichever texts."""
    use_package_dir(monkeypatch, tmp_path / "argos")
    monkeypatch.setenv("ALIGNER_CACHE_DIR", str(tmp_path / "cache1"))
    single = run_cli(CORPUS, "-o", tmp_path / "single", "--quiet")
    monkeypatch.setenv("ALIGNER_CACHE_DIR", str(tmp_path / "cache2"))
    result = run_cli(CORPUS, "-o", tmp_path / "jobs", "--jobs", "2", "--json")
    assert single.exit_code == 0 and result.exit_code == 0, result.output
    assert json.loads(result.stdout)["executor"] == "processes"
    assert output_bytes(tmp_path / "jobs") == output_bytes(tmp_path / "single")


def test_an_unreachable_scheduler_is_a_usage_error(tmp_path, monkeypatch):
    from aligner import executors

    monkeypatch.setattr(executors, "CONNECT_TIMEOUT", 2.0)
    result = run_cli(CORPUS, "-o", tmp_path / "out", "--dask-scheduler", "tcp://127.0.0.1:9")
    assert result.exit_code == 2
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.stderr
    assert "Traceback" not in result.output
