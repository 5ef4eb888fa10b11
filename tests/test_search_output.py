"""`relais search`: queries from the command line and the evaluation's batch JSON contract."""

import json

from bot.cli import main
from catalogue.db import session_scope
from catalogue.search_output import query_from_row
from tests.factories import LILLE, ROUBAIX, make_service


def test_query_from_row_reads_a_typed_place_or_a_shared_location():
    typed = query_from_row({"text": "douche", "lang": "uk", "near": "Roubaix"})
    assert (typed.place, typed.location, typed.lang) == ("Roubaix", None, "uk")
    shared = query_from_row({"text": "douche", "lang": "und", "near": {"lat": 50.69, "lon": 3.16}})
    assert (shared.place, shared.location, shared.lang) == (None, (50.69, 3.16), "fr")


def _catalogue(url):
    from catalogue.db import make_engine

    engine = make_engine(url)
    with session_scope(engine) as session:
        for sid, where in (("svc-1", LILLE), ("svc-2", ROUBAIX)):
            session.add(make_service(sid, f"Douches de {where[1]}", ["shower"], where))
    engine.dispose()


def test_batch_json_follows_the_evaluation_contract(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'r.db'}"
    _catalogue(url)
    batch = tmp_path / "q.jsonl"
    batch.write_text(
        json.dumps({"id": "a", "text": "need a shower", "lang": "en", "near": "Roubaix"})
        + "\n"
        + json.dumps({"id": "b", "text": "prix du bitcoin", "lang": "fr", "near": None})
        + "\n",
        encoding="utf-8",
    )
    assert main(["--db", url, "search", "--batch", str(batch), "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["id"] for line in lines] == ["a", "b"]
    first = lines[0]["results"][0]
    assert first["id"] == "svc-2" and first["distance_km"] < 1 and first["score"] > 0
    assert lines[1]["results"] == [] and lines[1]["suggestions"]


def test_readable_table_and_errors(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'r.db'}"
    _catalogue(url)
    assert main(["--db", url, "search", "douche", "--near", "Lille", "--limit", "1"]) == 0
    out = capsys.readouterr().out
    assert "svc-1" in out and "Douches de Lille" in out and "svc-2" not in out
    assert main(["--db", url, "search"]) == 2
    assert main(["--db", url, "search", "--batch", str(tmp_path / "missing.jsonl")]) == 2


def test_batch_lines_that_are_not_queries_are_each_named(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'r.db'}"
    _catalogue(url)
    batch = tmp_path / "q.jsonl"
    batch.write_text(
        "\n".join(
            [
                '{"id": "inf", "text": "douche", "near": {"lat": Infinity, "lon": 3.1}}',
                '["douche"]',
                "42",
                "{not json",
                '{"id": "t", "text": 5}',
                '{"id": "str", "text": "douche", "near": {"lat": "50.6", "lon": 3.1}}',
                json.dumps({"id": "ok", "text": "need a shower", "lang": "en", "near": "Roubaix"}),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    assert main(["--db", url, "search", "--batch", str(batch), "--json"]) == 2
    out, err = capsys.readouterr()
    assert [json.loads(line)["id"] for line in out.splitlines()] == ["ok"]
    assert [line.split("q.jsonl:")[1].split(":")[0] for line in err.splitlines()] == [
        "1",
        "2",
        "3",
        "4",
        "5",
        "6",
    ]
    assert "Infinity is not a number" in err and "expected an object" in err


def test_batch_json_names_the_danger_and_its_lines_in_display_order(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'r.db'}"
    _catalogue(url)
    batch = tmp_path / "q.jsonl"
    batch.write_text(json.dumps({"id": "o", "text": "j'ai pris toutes mes pilules", "lang": "fr",
                                 "near": "Lille"}) + "\n", encoding="utf-8")  # fmt: skip
    assert main(["--db", url, "search", "--batch", str(batch), "--json"]) == 0
    line = json.loads(capsys.readouterr().out)
    assert line["danger"] == ["overdose", "suicide"]
    assert [e["number"] for e in line["emergency"]] == ["15", "3114", "112", "114"]
