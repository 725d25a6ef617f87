import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_open_case_encrypts_names(make_case):
    case = make_case("cm-siegen", first_name="Amira", last_name="Beispielfrau")
    with connection.cursor() as cur:
        cur.execute("select first_name, last_name from cases_person where id=%s", [case.person_id])
        row = cur.fetchone()
    assert "Amira" not in row[0] and "Beispielfrau" not in row[1]
    assert case.person.display_name == "Amira Beispielfrau"
