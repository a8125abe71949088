"""Bad input to the loader: each damaged copy gives one clear message naming file, row, column and fix."""
from __future__ import annotations

import shutil

import pytest

from partnership import data
from partnership.data import DataError


@pytest.fixture
def copy(tmp_path):
    """A private copy of the data package to damage; the real data/ is never touched."""
    target = tmp_path / "data"
    shutil.copytree(data.data_dir(), target)
    data.clear_cache()
    yield target
    data.clear_cache()


def _rewrite(path, transform):
    path.write_text(transform(path.read_text(encoding="utf-8")), encoding="utf-8")


def test_missing_file(copy):
    (copy / "transfers.csv").unlink()
    with pytest.raises(DataError, match=r"transfers.csv is missing.*git checkout"):
        data.load("transfers", copy)


def test_empty_file(copy):
    (copy / "events.csv").write_text("", encoding="utf-8")
    with pytest.raises(DataError, match=r"events.csv is empty: expected a header row"):
        data.load("events", copy)


def test_missing_column(copy):
    _rewrite(copy / "places.csv", lambda t: t.replace("place_id,name,", "place_id,nom,", 1))
    with pytest.raises(DataError, match=r"missing column\(s\) name.*unexpected column\(s\) nom"):
        data.load("places", copy)


def test_wrong_type(copy):
    lines = (copy / "trade.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("year")] = "twenty"
    lines[1] = ",".join(cells)
    (copy / "trade.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"trade.csv, line 2, column 'year': expected a whole number but found 'twenty'"):
        data.load("trade", copy)


def test_bad_date(copy):
    _rewrite(copy / "msmt_members.csv", lambda t: t.replace("2024-10-16", "16/10/2024", 1))
    with pytest.raises(DataError, match=r"msmt_members.csv, line 2, column 'joined_date': expected a date written YYYY-MM-DD"):
        data.load("msmt_members", copy)


def test_value_outside_allowed_list(copy):
    _rewrite(copy / "routes.csv", lambda t: t.replace(",sea,", ",submarine,", 1))
    with pytest.raises(DataError, match=r"'submarine' is not one of the allowed values: sea, rail, road"):
        data.load("routes", copy)


def test_unknown_source_id(copy):
    _rewrite(copy / "launches.csv", lambda t: t.replace("nhk-20210325-launch-2019-2020", "no-such-source", 1))
    with pytest.raises(DataError, match=r"unknown sources id 'no-such-source'.*add that row there, or correct the id"):
        data.load("launches", copy)


def test_unknown_place_id(copy):
    _rewrite(copy / "routes.csv", lambda t: t.replace("rajin;dunai", "rajin;atlantis", 1))
    with pytest.raises(DataError, match=r"unknown places id 'atlantis'"):
        data.load("routes", copy)


def test_truncated_file(copy):
    text = (copy / "force_estimates.csv").read_text(encoding="utf-8")
    cut = text.index("\n", len(text) // 2) + 1
    (copy / "force_estimates.csv").write_text(text[: cut + 25], encoding="utf-8")
    with pytest.raises(DataError, match=r"force_estimates.csv, line \d+: expected \d+ values but found \d+"):
        data.load("force_estimates", copy)


def test_duplicate_key(copy):
    lines = (copy / "indicators.csv").read_text(encoding="utf-8").splitlines()
    (copy / "indicators.csv").write_text("\n".join(lines + [lines[1]]) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"must be unique"):
        data.load("indicators", copy)


def test_required_cell_empty(copy):
    lines = (copy / "statements.csv").read_text(encoding="utf-8").splitlines()
    lines[1] = "," + lines[1].split(",", 1)[1]
    (copy / "statements.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"column 'statement_id': this field is required"):
        data.load("statements", copy)


def test_number_below_minimum(copy):
    lines = (copy / "places.csv").read_text(encoding="utf-8").splitlines()
    import csv, io

    rows = list(csv.reader(io.StringIO("\n".join(lines))))
    rows[1][rows[0].index("lat")] = "-123"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    (copy / "places.csv").write_text(buffer.getvalue(), encoding="utf-8")
    with pytest.raises(DataError, match=r"below the minimum allowed"):
        data.load("places", copy)


def test_broken_descriptor(copy):
    (copy / "datapackage.json").write_text("{ not json", encoding="utf-8")
    with pytest.raises(DataError, match=r"datapackage.json is not valid JSON"):
        data.load("events", copy)


def test_unknown_table_name():
    with pytest.raises(DataError, match=r"no table called 'tranfsers'.*Available tables: .*transfers"):
        data.load("tranfsers")


def test_damaged_map_file(copy):
    (copy / "geo" / "countries_eurasia_50m.geojson").write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    with pytest.raises(DataError, match=r"countries_eurasia_50m.geojson could not be read as GeoJSON"):
        data.load("countries_eurasia_50m", copy)


def test_not_utf8(copy):
    (copy / "sources.csv").write_bytes("source_id,publisher\n".encode() + "caf\xe9".encode("latin-1"))
    with pytest.raises(DataError, match=r"not UTF-8 text"):
        data.load("sources", copy)


def test_damage_never_reaches_the_real_files(copy):
    before = (data._repository_data_dir() / "transfers.csv").read_bytes()
    (copy / "transfers.csv").write_text("garbage", encoding="utf-8")
    with pytest.raises(DataError):
        data.load("transfers", copy)
    assert (data._repository_data_dir() / "transfers.csv").read_bytes() == before
