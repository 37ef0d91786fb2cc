import io
from collections import Counter

from django.core.management import call_command
from django.test import Client

from keyprojects.audit.services import verify_chain
from keyprojects.demo.builder import DEMO_PASSWORD, DEMO_YEAR, LOGINS
from keyprojects.projects.models import Project


def snapshot():
    rows = Project.objects.values_list("name", "code", "stage", "total_investment", "planned_start")
    return sorted(rows, key=lambda row: row[0])


def test_the_demo_builds_the_yuzhong_example(db):
    out = io.StringIO()
    call_command("demo", stdout=out)
    for login in LOGINS:
        assert login.username in out.getvalue()
    names = set(Project.objects.values_list("name", flat=True))
    assert {"老鼓楼衙署遗址公园", "珊瑚公园滨江公园", "解放碑地下停车库及连接通道三期工程",
            "马鞍山传统风貌区"} <= names  # fmt: skip
    batches = Counter(
        p.batch(DEMO_YEAR) for p in Project.objects.filter(jurisdiction__code="500103")
    )
    assert all(batches[b] >= 8 for b in ("new_start", "continuing", "completed", "reserve"))
    assert 55 <= Project.objects.count() <= 75
    assert verify_chain() is None


def test_the_demo_is_deterministic_and_runs_twice(db):
    call_command("demo", stdout=io.StringIO())
    first = snapshot()
    call_command("demo", stdout=io.StringIO())
    assert snapshot() == first
    call_command("demo", "--reset", stdout=io.StringIO())
    assert snapshot() == first


def test_every_demo_login_signs_in(db):
    call_command("demo", stdout=io.StringIO())
    for login in LOGINS:
        client = Client()
        assert client.login(username=login.username, password=DEMO_PASSWORD), login.username
        assert client.get("/projects/").status_code == 200
