"""Bulletin pages as every persona, and the office's way through them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from keyprojects.bulletins import services
from keyprojects.bulletins.models import Bulletin
from keyprojects.jobs.models import Job, JobStatus
from tests.web.test_permission_matrix import PERSONAS, expect

from .conftest import MONTH, TODAY, YEAR, run_worker

OK, REDIRECT, BAD, FORBIDDEN, NOT_FOUND, CONFLICT = 200, 302, 400, 403, 404, 409

EVERYONE = expect(**dict.fromkeys(PERSONAS, OK))
READERS_OF_DRAFTS = expect(
    office=OK, leader=OK, owner_user=NOT_FOUND, responsible_user=NOT_FOUND,
    bystander_user=NOT_FOUND, auditor=OK, outsider=NOT_FOUND,
)  # fmt: skip
READERS_OF_PUBLISHED = expect(**{**EVERYONE, "outsider": NOT_FOUND})
EDITORS_OF_DRAFTS = expect(
    office=OK, leader=FORBIDDEN, owner_user=NOT_FOUND, responsible_user=NOT_FOUND,
    bystander_user=NOT_FOUND, auditor=FORBIDDEN, outsider=NOT_FOUND,
)  # fmt: skip
EDITORS_OF_PUBLISHED = expect(
    office=OK, leader=FORBIDDEN, owner_user=FORBIDDEN, responsible_user=FORBIDDEN,
    bystander_user=FORBIDDEN, auditor=FORBIDDEN, outsider=NOT_FOUND,
)  # fmt: skip


@pytest.fixture
def both(world, draft):
    """A published bulletin for September and the October draft, with files made."""
    september = services.bulletin_create(
        jurisdiction=world.district, year=YEAR, month=9, user=world.office, today=TODAY
    )
    september = services.bulletin_refresh(bulletin=september, rebuild_lights=False)
    published = services.bulletin_publish(bulletin=september, user=world.office)
    rendered = services.bulletin_render(bulletin=draft)
    draft = services.bulletin_store_files(bulletin=draft, rendered=rendered)
    return {"draft": draft, "published": published}


PAGES = [
    ("/bulletins/", EVERYONE),
    ("/bulletins/?year=2026", EVERYONE),
    ("/bulletins/{draft}/", READERS_OF_DRAFTS),
    ("/bulletins/{published}/", READERS_OF_PUBLISHED),
    ("/bulletins/{draft}/print/", READERS_OF_DRAFTS),
    ("/bulletins/{published}/print/", READERS_OF_PUBLISHED),
    ("/bulletins/{draft}/download/docx/", READERS_OF_DRAFTS),
    ("/bulletins/{draft}/download/pdf/", READERS_OF_DRAFTS),
    ("/bulletins/{published}/download/docx/", READERS_OF_PUBLISHED),
    ("/bulletins/{published}/download/pdf/", READERS_OF_PUBLISHED),
    ("/bulletins/{draft}/job/", EDITORS_OF_DRAFTS),
    ("/bulletins/{published}/job/", EDITORS_OF_PUBLISHED),
    ("/api/bulletins/", EVERYONE),
    ("/api/bulletins/?year=2026&status=published", EVERYONE),
    ("/api/bulletins/{draft}/", READERS_OF_DRAFTS),
    ("/api/bulletins/{published}/", READERS_OF_PUBLISHED),
    ("/api/bulletins/{draft}/files/pdf/", READERS_OF_DRAFTS),
    ("/api/bulletins/{published}/files/docx/", READERS_OF_PUBLISHED),
]


@pytest.mark.parametrize(("url", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_each_persona_gets_what_its_role_allows(world, client_for, both, url, expected):
    target = url.format(draft=both["draft"].pk, published=both["published"].pk)
    answers = {p: client_for(world.personas()[p]).get(target).status_code for p in PERSONAS}
    assert answers == expected, target


# The office's writes, as each persona: on the October draft (or, for `new/`, a new month).
WRITES = [
    ("/bulletins/new/", {"year": "2026", "month": "8"}, expect(
        office=REDIRECT, leader=FORBIDDEN, owner_user=FORBIDDEN, responsible_user=FORBIDDEN,
        bystander_user=FORBIDDEN, auditor=FORBIDDEN, outsider=REDIRECT,
    )),
    ("/bulletins/{draft}/edit/", None, expect(
        office=REDIRECT, leader=FORBIDDEN, owner_user=NOT_FOUND, responsible_user=NOT_FOUND,
        bystander_user=NOT_FOUND, auditor=FORBIDDEN, outsider=NOT_FOUND,
    )),
    ("/bulletins/{draft}/files/", {}, expect(
        office=REDIRECT, leader=FORBIDDEN, owner_user=NOT_FOUND, responsible_user=NOT_FOUND,
        bystander_user=NOT_FOUND, auditor=FORBIDDEN, outsider=NOT_FOUND,
    )),
]  # fmt: skip


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("url", "data", "expected"), WRITES, ids=[w[0] for w in WRITES])
def test_only_the_programme_office_drafts_and_edits(
    world, client_for, draft, persona, url, data, expected
):
    if data is None:
        data = {
            **{f: getattr(draft, f) for f in ("number", "masthead", "title", "issuing_body")},
            "issue_date": "2026-11-06",
            "version": draft.version,
            "summary": "改过的导语",
        }
    response = client_for(world.personas()[persona]).post(url.format(draft=draft.pk), data)
    assert response.status_code == expected[persona]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [(p, EDITORS_OF_DRAFTS[p]) for p in PERSONAS if p != "office"],
)
def test_no_one_but_the_office_publishes_or_deletes(world, client_for, draft, persona, expected):
    client = client_for(world.personas()[persona])
    assert client.post(f"/bulletins/{draft.pk}/publish/").status_code == expected
    assert client.post(f"/bulletins/{draft.pk}/refresh/").status_code == expected
    assert client.post(f"/bulletins/{draft.pk}/delete/").status_code == expected
    assert Bulletin.objects.get(pk=draft.pk).status == "draft"


def test_signed_out_visitors_are_sent_to_sign_in(world, draft):
    assert Client().get("/bulletins/")["Location"].startswith("/login/")
    assert Client().get(f"/bulletins/{draft.pk}/").status_code == REDIRECT
    assert Client().get("/api/bulletins/").status_code == 401


def test_the_office_drafts_a_month_and_the_job_drafts_its_figures(world, client_for, programme):
    office = client_for(world.office)
    response = office.post("/bulletins/new/", {"year": YEAR, "month": MONTH})
    bulletin = Bulletin.objects.get()
    assert response["Location"] == f"/bulletins/{bulletin.pk}/"
    page = office.get(response["Location"])
    assert 'data-testid="no-figures"' in page.content.decode()
    assert page.context["busy"]
    poll = office.get(f"/bulletins/{bulletin.pk}/job/?poll=1", HTTP_HX_REQUEST="true")
    assert "HX-Refresh" not in poll and "hx-trigger" in poll.content.decode()
    run_worker()
    done = office.get(f"/bulletins/{bulletin.pk}/job/?poll=1", HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"
    page = office.get(f"/bulletins/{bulletin.pk}/")
    html = page.content.decode()
    assert "老鼓楼衙署遗址公园" in html and "区住房城市建委" in html
    assert page.context["files_current"]
    assert 'data-testid="download-pdf"' in html


def test_a_second_draft_for_the_month_is_refused_with_the_reason(world, client_for, draft):
    response = client_for(world.office).post("/bulletins/new/", {"year": YEAR, "month": MONTH})
    assert response.status_code == 422
    assert "exists already" in response.content.decode()
    assert Bulletin.objects.count() == 1


def test_a_month_that_is_not_a_month_is_refused(world, client_for):
    response = client_for(world.office).post("/bulletins/new/", {"year": "2026", "month": "13"})
    assert response.status_code == 422 and not Bulletin.objects.exists()


def form_data(bulletin: Bulletin, **changes: object) -> dict[str, object]:
    data = {
        name: getattr(bulletin, name) or ""
        for name in ("number", "masthead", "title", "issuing_body", "copy_to", "summary",
                     "comment_overall", "comment_batches", "comment_ranking", "comment_lagging",
                     "comment_problems", "next_steps")
    }  # fmt: skip
    data["issue_date"] = bulletin.issue_date.isoformat()
    data["version"] = bulletin.version
    data.update(changes)
    return data


def test_the_office_edits_the_text_and_the_preview_shows_it(world, client_for, draft):
    office = client_for(world.office)
    response = office.post(
        f"/bulletins/{draft.pk}/edit/", form_data(draft, comment_lagging="请相关单位限期整改。")
    )
    assert response.status_code == REDIRECT
    assert "请相关单位限期整改。" in office.get(f"/bulletins/{draft.pk}/").content.decode()


def test_an_invalid_edit_shows_the_errors_and_saves_nothing(world, client_for, draft):
    response = client_for(world.office).post(
        f"/bulletins/{draft.pk}/edit/", form_data(draft, title="", issue_date="not a date")
    )
    assert response.status_code == 422
    assert set(response.context["form"].errors) >= {"title", "issue_date"}
    assert Bulletin.objects.get(pk=draft.pk).title == draft.title


def test_a_stale_edit_is_refused(world, client_for, draft):
    stale = form_data(draft, summary="旧表单的导语")
    services.bulletin_update(bulletin=draft, summary="别人先改的导语")
    response = client_for(world.office).post(f"/bulletins/{draft.pk}/edit/", stale)
    assert response.status_code == BAD and "reload" in response.content.decode()
    assert Bulletin.objects.get(pk=draft.pk).summary == "别人先改的导语"


def test_publishing_with_current_files_is_immediate_and_twice_is_refused(world, client_for, draft):
    services.bulletin_store_files(bulletin=draft, rendered=services.bulletin_render(bulletin=draft))
    office = client_for(world.office)
    assert office.post(f"/bulletins/{draft.pk}/publish/").status_code == REDIRECT
    bulletin = Bulletin.objects.get(pk=draft.pk)
    assert bulletin.status == "published" and not Job.objects.exists()
    again = office.post(f"/bulletins/{draft.pk}/publish/")
    assert again.status_code == CONFLICT
    assert "cannot be published again" in again.content.decode()
    assert Bulletin.objects.get(pk=draft.pk).published_at == bulletin.published_at


def test_publishing_with_stale_files_runs_the_job(world, client_for, draft):
    office = client_for(world.office)
    office.post(f"/bulletins/{draft.pk}/publish/")
    job = Job.objects.get()
    assert job.params["publish"] and Bulletin.objects.get(pk=draft.pk).status == "draft"
    run_worker()
    assert Job.objects.get().status == JobStatus.DONE
    published = Bulletin.objects.get(pk=draft.pk)
    assert published.status == "published" and published.published_by == world.office
    page = office.get(f"/bulletins/{draft.pk}/")
    assert 'data-testid="published"' in page.content.decode()
    assert 'data-testid="bulletin-form"' not in page.content.decode()


@pytest.mark.parametrize("action", ["edit", "refresh", "files", "delete", "publish"])
def test_a_published_bulletin_refuses_every_change(world, client_for, published, action):
    before = Bulletin.objects.filter(pk=published.pk).values().get()
    data = form_data(published, title="改标题") if action == "edit" else {}
    response = client_for(world.office).post(f"/bulletins/{published.pk}/{action}/", data)
    assert response.status_code == CONFLICT
    assert 'data-testid="refusal"' in response.content.decode()
    assert Bulletin.objects.filter(pk=published.pk).values().get() == before


def test_the_download_is_the_archived_file_with_its_fingerprint(world, client_for, published):
    response = client_for(world.owner_user).get(f"/bulletins/{published.pk}/download/docx/")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["X-Content-SHA256"] == published.docx_sha256
    assert "attachment" in response["Content-Disposition"]


def test_an_altered_archived_file_is_not_served(world, client_for, published):
    with published.pdf.storage.open(published.pdf.name, "wb") as handle:
        handle.write(b"%PDF-1.7 altered")
    response = client_for(world.office).get(f"/bulletins/{published.pk}/download/pdf/")
    assert response.status_code == CONFLICT


def test_an_unknown_file_kind_is_not_found(world, client_for, published):
    response = client_for(world.office).get(f"/bulletins/{published.pk}/download/xlsx/")
    assert response.status_code == NOT_FOUND


def test_the_archive_takes_a_fixed_number_of_queries(world, client_for, programme):
    office = client_for(world.office)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert office.get("/bulletins/").status_code == OK
        return len(queries)

    services.bulletin_create(jurisdiction=world.district, year=YEAR, month=1, today=TODAY)
    before = count()
    for month in range(2, 9):
        services.bulletin_create(
            jurisdiction=world.district, year=YEAR, month=month, today=dt.date(2026, 11, 5)
        )
    assert count() == before
