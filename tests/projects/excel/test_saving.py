"""The plain-insert path writes what the model path would, and chains the audit trail."""

import datetime as dt
import json
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from keyprojects.projects.excel.saving import _encode

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.dates(),
    st.datetimes(),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=5), inner, max_size=5)
    ),
    max_leaves=20,
)


@given(values)
def test_audit_json_is_exactly_what_the_audit_app_hashes(value):
    assert _encode(value) == json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def test_a_snapshot_encodes_like_json_dumps():
    snapshot = {"name": "老鼓楼\n“遗址”", "id": 3, "code": None, "total": str(Decimal("1.50")),
                "at": dt.date(2026, 1, 1).isoformat(), "flag": True}  # fmt: skip
    assert _encode(snapshot) == json.dumps(
        snapshot, sort_keys=True, ensure_ascii=False, default=str
    )


def test_a_table_snapshot_is_the_audit_snapshot_with_its_json(world):
    from keyprojects.audit.services import snapshot
    from keyprojects.projects.excel.saving import _Table
    from keyprojects.projects.models import Project

    project = Project.objects.get(pk=world.project.pk)
    project.scale_and_content = "新建“地下”\n停车库"
    record = {f.attname: getattr(project, f.attname) for f in Project._meta.concrete_fields}
    made = _Table(Project).snapshot(record)
    assert made == snapshot(project)
    assert made.json == json.dumps(snapshot(project), sort_keys=True, ensure_ascii=False)
