"""Reading the Sortition Foundation's features.csv and people.csv (samverkan.panels.lottery.files).

Small files are written inline next to the test that reads or refuses them. Every refusal names
the file and the line, as ``"{path}:{line}: {reason}"``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from samverkan.panels.lottery.files import (
    InputError,
    check_size,
    parse_features,
    parse_people,
    parse_pool,
    read_features,
    read_instance,
    read_people,
)

FEATURES = """feature,value,min,max
gender,female,2,3
gender,male,2,3
age,young,1,4
age,old,1,4
"""

PEOPLE = """id,name,gender,age,street
p1,Ann,female,young,Storgatan 1
p2,Bo,male,old,Storgatan 1
p3,Cia,female,old,Lillgatan 2
p4,Dan,male,young,
p5,Eva,female,young,
"""


def features(text: str = FEATURES, path: str = "features.csv"):
    return parse_features(path, text.encode())


def people(text: str = PEOPLE, table=None, **kwargs):
    kwargs.setdefault("id_column", "id")
    return parse_people("people.csv", text.encode(), table or features(), **kwargs)


def refused(call, *args, **kwargs) -> InputError:
    with pytest.raises(InputError) as info:
        call(*args, **kwargs)
    return info.value


# ---------------------------------------------------------------------------- features.csv: accepted


def test_features_rows_in_file_order():
    table = features()
    assert [(r.feature, r.value, r.min, r.max, r.line) for r in table.rows] == [
        ("gender", "female", 2, 3, 2),
        ("gender", "male", 2, 3, 3),
        ("age", "young", 1, 4, 4),
        ("age", "old", 1, 4, 5),
    ]
    assert table.features == {"gender": ("female", "male"), "age": ("young", "old")}


def test_features_old_column_names_extra_columns_and_flex():
    table = features(
        "category,name,min,max,min_flex,max_flex,note\ngender,female,1,2,0,5,x\ngender,male,1,2,1,2,\n"
    )
    assert [(r.feature, r.value, r.min_flex, r.max_flex) for r in table.rows] == [
        ("gender", "female", 0, 5),
        ("gender", "male", 1, 2),
    ]


def test_features_header_case_whitespace_bom_crlf_and_blank_rows():
    data = b"\xef\xbb\xbf Feature , VALUE ,Min,MAX\r\n gender , female , 1 , 2 \r\n\r\n,,,\r\n"
    data += b"gender,male,1,2\r\n"
    table = parse_features("features.csv", data)
    assert [(r.feature, r.value, r.min, r.max, r.line) for r in table.rows] == [
        ("gender", "female", 1, 2, 2),
        ("gender", "male", 1, 2, 5),
    ]


def test_features_feature_names_are_case_insensitive_and_keep_first_spelling():
    table = features("feature,value,min,max\nGender,female,1,2\ngender,male,1,2\n")
    assert table.features == {"Gender": ("female", "male")}


def test_features_trailing_empty_cells_are_not_ragged():
    table = features("feature,value,min,max\ngender,female,1,2,,\ngender,male,1,2\n")
    assert len(table.rows) == 2


def test_features_quoted_multiline_cell_counts_physical_lines():
    error = refused(features, 'feature,value,min,max\ngender,"fe\nmale",1,2\ngender,male,x,2\n')
    assert str(error) == "features.csv:4: min 'x' is not a whole number"


# ---------------------------------------------------------------------------- features.csv: refused


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "feature,value,min,max\ngender,female,3,2\n",
            "features.csv:2: min (3) is greater than max (2) for gender/female",
        ),
        ("feature,value,min,max\ngender,female,one,2\n", "features.csv:2: min 'one' is not a whole number"),
        ("feature,value,min,max\ngender,female,1,2.5\n", "features.csv:2: max '2.5' is not a whole number"),
        ("feature,value,min,max\ngender,female,,2\n", "features.csv:2: no min value set"),
        ("feature,value,min,max\ngender,female,-1,2\n", "features.csv:2: min -1 is negative"),
        ("feature,value,min,max\ngender,female,1,-2\n", "features.csv:2: max -2 is negative"),
        (
            "feature,value,min,max\ngender,female,1,2\nage,old,0,1\nGENDER,Female,1,2\n",
            "features.csv:4: duplicate value 'Female' of feature 'gender' (first on line 2)",
        ),
        ("feature,value,min,max\ngender,,1,2\n", "features.csv:2: empty value in feature 'gender'"),
        ("feature,value,min,max\n,female,1,2\n", "features.csv:2: empty feature name"),
        (
            "feature,value,min,max\ngender,female,1,2\ngender,male,1\n",
            "features.csv:3: the row has 3 cells but the header has 4",
        ),
        (
            "feature,value,min,max\ngender,female,1,2,9\n",
            "features.csv:2: the row has 5 cells but the header has 4",
        ),
        ("", "features.csv:1: the file is empty; expected a header row and one row per feature value"),
        ("\n\n", "features.csv:1: the file is empty; expected a header row and one row per feature value"),
        (
            "feature,value,min,max\n",
            "features.csv:2: no rows after the header; expected one row per feature value",
        ),
        (
            "feature,min,max\ngender,1,2\n",
            "features.csv:1: no value column: expected a column named 'value' or 'name'",
        ),
        (
            "value,min,max\nmale,1,2\n",
            "features.csv:1: no feature column: expected a column named 'feature' or 'category'",
        ),
        (
            "feature,value,min\ngender,male,1\n",
            "features.csv:1: no max column: expected a column named 'max'",
        ),
        (
            "feature,category,value,min,max\ng,g,m,1,2\n",
            "features.csv:1: more than one feature column (feature, category)",
        ),
        ("feature,value,min,max,min\ng,m,1,2,1\n", "features.csv:1: more than one min column (min, min)"),
        (
            "feature,value,min,max,min_flex\ng,m,1,2,0\n",
            "features.csv:1: min_flex and max_flex go together; there is no max_flex column",
        ),
        (
            "feature,value,min,max,min_flex,max_flex\ng,m,1,2,2,5\n",
            "features.csv:2: min_flex (2) is greater than min (1)",
        ),
        (
            "feature,value,min,max,min_flex,max_flex\ng,m,1,2,0,1\n",
            "features.csv:2: max_flex (1) is less than max (2)",
        ),
        (
            'feature,value,min,max\ngender,"female,1,2\n',
            "features.csv:2: not valid CSV: unexpected end of data",
        ),
    ],
)
def test_features_refused(text, expected):
    assert str(refused(features, text)) == expected


def test_features_encodings():
    latin1 = "feature,value,min,max\ngender,kvinna,1,2\nregion,Malmö,0,1\n".encode("latin-1")
    assert str(refused(parse_features, "f.csv", latin1)) == (
        "f.csv:3: not UTF-8 (byte 0xf6); save the file as UTF-8 (CSV UTF-8)"
    )
    utf16 = "feature,value,min,max\ngender,kvinna,1,2\n".encode("utf-16")
    assert (
        str(refused(parse_features, "f.csv", utf16))
        == "f.csv:1: the file is UTF-16; save it as UTF-8 (CSV UTF-8)"
    )
    with_bom = "\ufefffeature,value,min,max\nregion,Malmö,0,1\n".encode()
    assert parse_features("f.csv", with_bom).rows[0].value == "Malmö"


def test_input_error_carries_its_parts():
    error = InputError("a/b.csv", 7, "id_empty", column="nr")
    assert (error.path, error.line, str(error)) == ("a/b.csv", 7, "a/b.csv:7: empty id (column 'nr')")
    assert (error.message.code, dict(error.message.params), error.reason) == (
        "id_empty",
        {"column": "nr"},
        "empty id (column 'nr')",
    )


# ---------------------------------------------------------------------------- panel size


def test_size_within_every_feature_is_accepted():
    for size in (4, 5, 6):
        check_size(features(), size)


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        (3, "features.csv:2: the minimums of feature 'gender' add up to 4, more than the panel size 3"),
        (7, "features.csv:2: the maximums of feature 'gender' add up to 6, less than the panel size 7"),
        (0, "features.csv:1: the panel size must be at least 1, not 0"),
    ],
)
def test_size_outside_the_quotas_is_refused(size, expected):
    assert str(refused(check_size, features(), size)) == expected


def test_size_reports_the_first_line_of_the_feature_that_breaks():
    table = features("feature,value,min,max\ngender,f,0,9\ngender,m,0,9\nage,young,3,3\nage,old,3,3\n")
    assert str(refused(check_size, table, 5)) == (
        "features.csv:4: the minimums of feature 'age' add up to 6, more than the panel size 5"
    )


# ---------------------------------------------------------------------------- people.csv: accepted


def test_people_read_in_file_order_with_canonical_values():
    pool = people("ID,Gender,AGE\np1,Female,YOUNG\np2, male , old \n")
    assert pool.people == ("p1", "p2")
    assert pool.features == {
        "p1": {"gender": "female", "age": "young"},
        "p2": {"gender": "male", "age": "old"},
    }
    assert pool.households is None
    assert pool.lines == {"p1": 2, "p2": 3}


def test_people_households_from_one_or_more_columns():
    pool = people(household_columns=["street"])
    assert pool.households is not None
    assert pool.households["p1"] == pool.households["p2"] == "storgatan 1"
    assert pool.households["p3"] == "lillgatan 2"
    # blank addresses group nobody
    assert pool.households["p4"] != pool.households["p5"]
    text = "id,gender,age,street,zip\na,female,young,Storgatan 1,111\nb,male,old,STORGATAN 1,111\n"
    text += "c,male,old,Storgatan 1,222\n"
    pool = people(text, household_columns=["street", "zip"])
    assert pool.households is not None
    assert pool.households["a"] == pool.households["b"] != pool.households["c"]


def test_people_skip_blank_rows():
    pool = people("id,gender,age\n\np1,female,young\n,,\np2,male,old\n")
    assert pool.people == ("p1", "p2")
    assert pool.lines == {"p1": 3, "p2": 5}


# ---------------------------------------------------------------------------- people.csv: refused


@pytest.mark.parametrize(
    ("text", "kwargs", "expected"),
    [
        (
            "id,gender,age\np1,female,young\np2,other,old\n",
            {},
            "people.csv:3: value 'other' of feature 'gender' is not in features.csv (person 'p2'; "
            "allowed: female, male)",
        ),
        ("id,gender,age\np1,female,\n", {}, "people.csv:2: empty value for feature 'age' (person 'p1')"),
        (
            "id,gender\np1,female\n",
            {},
            "people.csv:1: no 'age' (a feature in features.csv) column: expected a column named 'age'",
        ),
        (
            "id,gender,age,Gender\np1,female,young,male\n",
            {},
            "people.csv:1: more than one 'gender' (a feature in features.csv) column (gender, Gender)",
        ),
        ("nr,gender,age\np1,female,young\n", {}, "people.csv:1: no id column: expected a column named 'id'"),
        (
            "id,gender,age\np1,female,young\np2,male,old\np1,male,young\n",
            {},
            "people.csv:4: duplicate id 'p1' (first on line 2)",
        ),
        ("id,gender,age\n,female,young\n", {}, "people.csv:2: empty id (column 'id')"),
        (
            "id,gender,age\np1,female,young\np2,male\n",
            {},
            "people.csv:3: the row has 2 cells but the header has 3",
        ),
        (
            "id,gender,age\np1,female,young,extra\n",
            {},
            "people.csv:2: the row has 4 cells but the header has 3",
        ),
        ("", {}, "people.csv:1: the file is empty; expected a header row and one row per person in the pool"),
        (
            "id,gender,age\n",
            {},
            "people.csv:2: no rows after the header; expected one row per person in the pool",
        ),
        (
            "id,gender,age\np1,female,young\n",
            {"household_columns": ["address"]},
            "people.csv:1: no household 'address' column: expected a column named 'address'",
        ),
        (
            "id,gender,age\np1,fe\x00male,young\n",
            {},
            "people.csv:2: a NUL byte: not a text file (or UTF-16 without a byte order mark)",
        ),
    ],
)
def test_people_refused(text, kwargs, expected):
    assert str(refused(people, text, **kwargs)) == expected


def test_people_wrong_encoding():
    data = "id,gender,age\np1,female,young\np2,male,old\nJösta,male,old\n".encode("cp1252")
    assert str(refused(parse_people, "people.csv", data, features(), id_column="id")) == (
        "people.csv:4: not UTF-8 (byte 0xf6); save the file as UTF-8 (CSV UTF-8)"
    )


# ---------------------------------------------------------------------------- files on disk


def test_read_from_disk_and_missing_file(tmp_path: Path):
    (tmp_path / "features.csv").write_text(FEATURES, encoding="utf-8")
    (tmp_path / "people.csv").write_text(PEOPLE, encoding="utf-8")
    table = read_features(tmp_path / "features.csv")
    assert table.path == str(tmp_path / "features.csv")
    assert read_people(tmp_path / "people.csv", table, id_column="id").people == (
        "p1",
        "p2",
        "p3",
        "p4",
        "p5",
    )
    error = refused(read_features, tmp_path / "nope.csv")
    assert str(error).startswith(f"{tmp_path / 'nope.csv'}:0: cannot read the file")


def test_read_instance_refuses_a_pool_smaller_than_the_panel(tmp_path: Path):
    (tmp_path / "features.csv").write_text("feature,value,min,max\ngender,female,0,9\ngender,male,0,9\n")
    (tmp_path / "people.csv").write_text("id,gender\na,female\nb,male\n")
    error = refused(read_instance, tmp_path / "people.csv", tmp_path / "features.csv", size=3, id_column="id")
    assert str(error) == f"{tmp_path / 'people.csv'}:3: the pool has 2 people, fewer than the panel size 3"


def test_read_instance_checks_the_size_before_reading_people(tmp_path: Path):
    (tmp_path / "features.csv").write_text(FEATURES)
    (tmp_path / "people.csv").write_text("broken")
    error = refused(read_instance, tmp_path / "people.csv", tmp_path / "features.csv", size=9, id_column="id")
    assert str(error).endswith(
        "features.csv:2: the maximums of feature 'gender' add up to 6, less than the panel size 9"
    )


def test_read_instance_builds_the_core_instance(tmp_path: Path):
    from samverkan.panels.lottery import Quota, validate

    (tmp_path / "features.csv").write_text(FEATURES, encoding="utf-8")
    (tmp_path / "people.csv").write_text(PEOPLE, encoding="utf-8")
    instance = read_instance(
        tmp_path / "people.csv",
        tmp_path / "features.csv",
        size=4,
        id_column="id",
        household_columns=["street"],
    )
    validate(instance)
    assert instance.people == ("p1", "p2", "p3", "p4", "p5")
    assert instance.size == 4
    assert instance.quotas[0] == Quota(feature="gender", value="female", min=2, max=3)
    assert instance.features["p3"] == {"gender": "female", "age": "old"}
    assert instance.households is not None
    assert instance.households["p1"] == instance.households["p2"]
    assert len(set(instance.households.values())) == 4
    plain = read_instance(tmp_path / "people.csv", tmp_path / "features.csv", size=4, id_column="id")
    assert plain.households is None
    assert plain.sha256() != instance.sha256()


def test_the_hash_ignores_encoding_details_but_not_content(tmp_path: Path):
    (tmp_path / "f1.csv").write_text(FEATURES, encoding="utf-8")
    (tmp_path / "p1.csv").write_text(PEOPLE, encoding="utf-8")
    # the same content with a BOM, CRLF, other header case and padded cells
    (tmp_path / "f2.csv").write_bytes(b"\xef\xbb\xbf" + FEATURES.replace("feature,", "Feature, ").encode())
    (tmp_path / "p2.csv").write_bytes(PEOPLE.replace("\n", "\r\n").replace(",female,", ", FEMALE ,").encode())
    first = read_instance(tmp_path / "p1.csv", tmp_path / "f1.csv", size=5, id_column="id")
    second = read_instance(tmp_path / "p2.csv", tmp_path / "f2.csv", size=5, id_column="ID")
    assert first.sha256() == second.sha256()
    (tmp_path / "p2.csv").write_text(PEOPLE.replace("p5,Eva,female", "p5,Eva,male"), encoding="utf-8")
    third = read_instance(tmp_path / "p2.csv", tmp_path / "f1.csv", size=5, id_column="id")
    assert third.sha256() != first.sha256()


def test_read_instance_refuses_fewer_households_than_seats(tmp_path: Path):
    (tmp_path / "features.csv").write_text("feature,value,min,max\ngender,female,0,9\ngender,male,0,9\n")
    (tmp_path / "people.csv").write_text("id,gender,home\na,female,1\nb,male,1\nc,male,2\n")
    error = refused(
        read_instance,
        tmp_path / "people.csv",
        tmp_path / "features.csv",
        size=3,
        id_column="id",
        household_columns=["home"],
    )
    assert str(error) == (
        f"{tmp_path / 'people.csv'}:4: the pool has 2 households, fewer than the panel size 3 "
        "(at most one person per household can be drawn)"
    )


def test_header_after_blank_lines_is_reported_on_its_own_line():
    error = refused(features, "\n\nfeature,min,max\ngender,1,2\n")
    assert str(error) == "features.csv:3: no value column: expected a column named 'value' or 'name'"


# --------------------------------------------------------------------------------------------------
# parse_pool: a people.csv on its own, before any quotas exist


def test_parse_pool_takes_the_named_features_and_ignores_other_columns():
    data = "id,namn,Kön,grund\nA,Fiktiv Ett,kvinna,skydd\nB,Fiktiv Två,Man,familj\nC,Fiktiv Tre,man,skydd\n"
    pool, features = parse_pool("people.csv", data.encode(), id_column="id", feature_columns=["kön", "grund"])
    assert features == {"Kön": ("kvinna", "Man"), "grund": ("skydd", "familj")}
    assert pool.features["C"] == {"Kön": "Man", "grund": "skydd"}  # first spelling wins
    assert "Fiktiv" not in str(pool)


def test_parse_pool_without_named_features_uses_every_other_column_and_keeps_households():
    data = b"id,sex,address\nA,f,Gata 1\nB,m,gata 1\nC,m,\n"
    pool, features = parse_pool("people.csv", data, id_column="id", household_columns=["address"])
    assert features == {"sex": ("f", "m")}
    assert pool.households is not None
    assert pool.households["A"] == pool.households["B"] != pool.households["C"]


@pytest.mark.parametrize(
    ("data", "columns", "message"),
    [
        (b"id,sex\nA,f\nA,m\n", (), "people.csv:3: duplicate id 'A'"),
        (b"id,sex\nA,f\nB,\n", (), "people.csv:3: empty value for feature 'sex'"),
        (b"id\nA\n", (), "people.csv:1: no feature columns"),
        (b"id,sex\nA,f\n", ("age",), "people.csv:1: no feature 'age' column"),
        (b"id,sex,age\nA,f,\nB,m,\n", (), "people.csv:1: feature column 'age' has no values"),
    ],
)
def test_parse_pool_refuses_bad_files_naming_the_line(data, columns, message):
    with pytest.raises(InputError) as exc:
        parse_pool("people.csv", data, id_column="id", feature_columns=columns)
    assert str(exc.value).startswith(message)
