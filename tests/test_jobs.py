"""--jobs: the same report, byte for byte and in the same order, whatever the number of processes."""

from __future__ import annotations

import importlib.util
import pickle
import sys

import pytest
from conftest import REPO

from kmlint.findings import Finding


def _corpus_module():
    # The benchmark's page generator (benchmarks/ is not a package): seeded pages with claims.
    spec = importlib.util.spec_from_file_location("kmlint_benchmark_corpus", REPO / "benchmarks" / "corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Three dozen generated pages in nested folders, and a binary file among them that cannot be
    checked, so the diagnostics' place in the output is compared too."""
    folder = tmp_path_factory.mktemp("site")
    written = _corpus_module().write_corpus(str(folder), per_kind=18, seed=11, mean_size=4000)
    assert written["html"] > 0 and written["markdown"] > 0
    (folder / "html" / "part-000" / "page-00007b.html").write_bytes(b"\x00\x01binary\x00" * 50)
    return folder


@pytest.mark.parametrize("output_format", ["text", "json"])
def test_two_jobs_write_what_one_job_writes(site, run_cli, output_format):
    one = run_cli("check", "--format", output_format, "--jobs", "1", str(site))
    two = run_cli("check", "--format", output_format, "--jobs", "2", str(site))
    assert one.out.count("KM") > 36, "the generated pages should give many findings"
    assert "page-00007b.html" in one.out
    assert (two.status, two.out, two.err) == (one.status, one.out, one.err)


def test_one_file_with_many_jobs_gives_the_same_report(site, run_cli):
    page = next((site / "markdown").rglob("*.md"))
    one = run_cli("check", "--format", "json", "--jobs", "1", str(page))
    many = run_cli("check", "--format", "json", "--jobs", "4", str(page))
    assert (many.status, many.out) == (one.status, one.out)
    assert '"findings": [' in one.out


def test_a_finding_crosses_to_another_process_unchanged():
    # Worker processes send their findings pickled (Finding.__reduce__): every field must survive.
    finding = Finding(
        "site/page.md", 10, 24, 2, 5, 2, 19, "KM101", "safe-claims", "safety", "error", "message", "suggestion",
        "safe and proven", "It is safe and proven.", replacement="well tolerated", fixable=True, doc_start=7, doc_end=21,
        context="it is safe and proven.",
    )
    assert pickle.loads(pickle.dumps(finding)) == finding
