"""Bulletins in the JSON API."""

from __future__ import annotations

import hashlib

from keyprojects.bulletins.models import Bulletin

from .conftest import MONTH, YEAR


def test_the_archive_lists_what_each_reader_may_read(world, client_for, draft):
    office = client_for(world.office).get("/api/bulletins/").json()
    assert office["count"] == 1 and office["items"][0]["status"] == "draft"
    assert client_for(world.owner_user).get("/api/bulletins/").json()["count"] == 0
    assert client_for(world.outsider).get("/api/bulletins/").json()["count"] == 0


def test_a_bulletin_reads_with_its_figures_and_text(world, client_for, draft):
    body = client_for(world.leader).get(f"/api/bulletins/{draft.pk}/").json()
    assert (body["year"], body["month"], body["number"]) == (YEAR, MONTH, 1)
    assert body["texts"]["summary"] == draft.summary
    lagging = body["content"]["lagging"]
    assert lagging[1]["project"] == "老鼓楼衙署遗址公园" and lagging[1]["gap_points"] == "-41.66"
    assert body["files"] == []


def test_the_office_publishes_and_the_files_download_with_their_fingerprint(
    world, client_for, draft
):
    office = client_for(world.office)
    response = office.post(f"/api/bulletins/{draft.pk}/publish/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "published" and body["published_by"]
    files = {f["kind"]: f for f in body["files"]}
    assert set(files) == {"docx", "pdf"}
    download = client_for(world.owner_user).get(files["pdf"]["url"])
    data = b"".join(download.streaming_content)
    assert hashlib.sha256(data).hexdigest() == files["pdf"]["sha256"]
    assert download["Content-Type"] == "application/pdf"


def test_publishing_twice_answers_409_and_changes_nothing(world, client_for, published):
    before = Bulletin.objects.filter(pk=published.pk).values().get()
    response = client_for(world.office).post(f"/api/bulletins/{published.pk}/publish/")
    assert response.status_code == 409
    assert "cannot be published again" in response.json()["detail"]
    assert Bulletin.objects.filter(pk=published.pk).values().get() == before


def test_only_the_office_publishes(world, client_for, draft):
    assert client_for(world.leader).post(f"/api/bulletins/{draft.pk}/publish/").status_code == 403
    assert (
        client_for(world.owner_user).post(f"/api/bulletins/{draft.pk}/publish/").status_code == 404
    )
    assert client_for(world.outsider).post(f"/api/bulletins/{draft.pk}/publish/").status_code == 404
    assert Bulletin.objects.get(pk=draft.pk).status == "draft"


def test_a_draft_without_figures_is_refused_with_the_reason(world, client_for):
    from keyprojects.bulletins import services

    bulletin = services.bulletin_create(jurisdiction=world.district, year=YEAR, month=MONTH)
    response = client_for(world.office).post(f"/api/bulletins/{bulletin.pk}/publish/")
    assert response.status_code == 422
    assert "Draft the figures" in str(response.json()["errors"])


def test_paths_without_the_final_slash_are_redirected(world, client_for, draft):
    response = client_for(world.office).get("/api/bulletins")
    assert response.status_code == 308 and response["Location"] == "/api/bulletins/"
