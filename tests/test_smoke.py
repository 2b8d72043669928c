"""End-to-end smoke test: a risky page gives findings at exact spans and exit status 1."""


def test_check_reports_claim_at_exact_span(tmp_path, run_cli):
    page = tmp_path / "page.html"
    page.write_text("<p>Ketamine is <strong>safe and non-addictive</strong>.</p>", encoding="utf-8")
    result = run_cli("check", "--format", "json", str(page))
    assert result.status == 1
    import json

    finding = json.loads(result.out)["findings"][0]
    assert (finding["line"], finding["column"], finding["end_line"], finding["end_column"]) == (1, 24, 1, 46)
    assert finding["rule"] == "KM101"
