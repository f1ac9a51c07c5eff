"""Panels in the platform: pools (only what is needed is stored), quotas by hand, from features.csv
and from statistics, selection runs as tasks, replacements that keep every quota, and the audit."""

from __future__ import annotations

from collections import Counter

import pytest

from samverkan.accounts.actors import actor_for_user
from samverkan.accounts.tests.factories import member, organisation
from samverkan.accounts.tests.helpers import verified_login
from samverkan.core.actor import Actor
from samverkan.core.audit import verify
from samverkan.core.errors import NotFound, PermissionDenied, ValidationError
from samverkan.core.models import AuditEvent
from samverkan.panels import reporting, services
from samverkan.panels.lottery import is_feasible_panel
from samverkan.panels.lottery.files import parse_features, parse_people, to_instance
from samverkan.panels.messages import FSI, PDI
from samverkan.panels.models import PanelMember, Pool, ReportRelease, RunStatus, SelectionRun, Volunteer
from samverkan.panels.selectors import members_of, run_instance
from samverkan.panels.tests.factories import even_quotas, people_csv, pool
from samverkan.statistics.tests.factories import cube, store

pytestmark = pytest.mark.django_db


def plain(text: str) -> str:
    """A rendered message without its direction isolates (FSI … PDI around each value)."""
    return text.replace(FSI, "").replace(PDI, "")


@pytest.fixture
def org():
    return organisation()


@pytest.fixture
def coordinator(org):
    return actor_for_user(member("coordinator", org))


def _run(actor, the_pool, seed="4711", algorithm="leximin", capture=None) -> SelectionRun:
    with capture(execute=True):
        run = services.run_start(actor=actor, pool=the_pool, algorithm=algorithm, seed=seed)
    run.refresh_from_db()
    return run


def test_a_pool_stores_the_id_features_and_nothing_else_of_the_file(coordinator, org):
    the_pool = pool(coordinator, org.pk)
    assert the_pool.features == ["kön", "grund"]
    first = Volunteer.objects.get(pool=the_pool, external_id="V000")
    assert first.features == {"kön": "kvinna", "grund": "skydd"}
    stored = str(list(Volunteer.objects.values_list("features", "household", "external_id")))
    assert "Fiktiv Person" not in stored and "example.invalid" not in stored
    event = AuditEvent.objects.get(code="panels.pool.created")
    assert event.data["volunteers"] == 40 and "Fiktiv Person" not in str(event.data)


def test_a_bad_people_file_names_the_line_and_stores_nothing(coordinator, org, english):
    data = people_csv(5).replace(b"V003", b"V001")
    with pytest.raises(ValidationError) as exc:
        services.pool_create(
            actor=coordinator,
            owner_id=org.pk,
            name="X",
            panel_size=2,
            data=data,
            filename="people.csv",
            id_column="id",
            feature_columns=["kön", "grund"],
        )
    assert plain(exc.value.errors["people"][0]) == (
        "people.csv, line 5: the id “V001” is given twice (first on line 3)"
    )
    assert not Pool.objects.exists() and not Volunteer.objects.exists()


def test_a_panel_larger_than_the_pool_is_refused(coordinator, org):
    with pytest.raises(ValidationError) as exc:
        pool(coordinator, org.pk, n=5, size=6)
    assert "panel_size" in exc.value.errors


@pytest.mark.parametrize("role", ["editor", "reader"])
def test_only_roles_that_handle_personal_data_create_pools(org, role):
    actor = actor_for_user(member(role, org))
    with pytest.raises(PermissionDenied):
        pool(actor, org.pk)


def test_another_organisation_cannot_reach_a_pool(coordinator, org):
    the_pool = pool(coordinator, org.pk)
    outsider = actor_for_user(member("coordinator", organisation()))
    with pytest.raises(NotFound):
        services.pool_quotas_set(actor=outsider, pool=the_pool, rows=even_quotas(), source="hand")
    with pytest.raises(NotFound):
        services.run_start(actor=outsider, pool=the_pool)


def test_quotas_must_cover_every_value_and_add_up(coordinator, org, english):
    the_pool = pool(coordinator, org.pk)
    rows = even_quotas()[:-1]  # grund=arbete missing
    with pytest.raises(ValidationError) as exc:
        services.pool_quotas_set(actor=coordinator, pool=the_pool, rows=rows, source="hand")
    text = " ".join(exc.value.errors["quotas"])
    assert "arbete" in text
    bad = [services.QuotaRow("kön", "kvinna", 6, 5), services.QuotaRow("kön", "man", 0, 1)]
    with pytest.raises(ValidationError) as exc:
        services.pool_quotas_set(actor=coordinator, pool=the_pool, rows=bad, source="hand")
    text = " ".join(exc.value.errors["quotas"])
    assert "kön=kvinna" in text and "6" in text and "less than the panel size" in text
    assert not the_pool.quotas.exists()


def test_quotas_from_a_features_file_name_the_line_of_a_bad_row(coordinator, org, english):
    the_pool = pool(coordinator, org.pk)
    data = b"feature,value,min,max\nk\xc3\xb6n,kvinna,5,5\nk\xc3\xb6n,man,5,fem\n"
    with pytest.raises(ValidationError) as exc:
        services.pool_quotas_from_csv(actor=coordinator, pool=the_pool, data=data, filename="features.csv")
    assert plain(exc.value.errors["quotas"][0]).startswith("features.csv, line 3:")
    assert not the_pool.quotas.exists()


def test_quotas_mirror_a_statistics_dataset_by_largest_remainder(coordinator, org):
    the_pool = pool(coordinator, org.pk)
    # Illustrative figures: women 55 + 65 = 120 of 200 (60 %), men 80 (40 %).
    dataset = store(cube([[55, 45], [65, 35]], sexes=("kvinna", "man"))).dataset
    quotas, notes = services.pool_quotas_from_statistics(
        actor=coordinator, pool=the_pool, dataset=dataset, mapping={"kön": "sex", "grund": ""}, tolerance=1
    )
    assert [(q.feature, q.value, q.min, q.max) for q in quotas] == [
        ("kön", "kvinna", 5, 7),
        ("kön", "man", 3, 5),
    ]
    assert quotas[0].target_share == pytest.approx(0.6)
    assert notes == []
    assert "test-table" in Pool.objects.get(pk=the_pool.pk).quota_source
    only_2023, _ = services.pool_quotas_from_statistics(
        actor=coordinator,
        pool=the_pool,
        dataset=dataset,
        mapping={"kön": "sex"},
        tolerance=0,
        filters={"year": ["2023"]},
    )
    assert [(q.min, q.max) for q in only_2023] == [(7, 7), (3, 3)]  # 65 % → 6.5 → 7 by largest remainder


def test_a_pool_value_without_a_category_is_named(coordinator, org, english):
    the_pool = pool(coordinator, org.pk)
    dataset = store(cube([[55, 45], [65, 35]], sexes=("kvinna", "annat"))).dataset
    with pytest.raises(ValidationError) as exc:
        services.pool_quotas_from_statistics(
            actor=coordinator, pool=the_pool, dataset=dataset, mapping={"kön": "sex"}, tolerance=1
        )
    assert "“man”" in plain(exc.value.errors["__all__"][0])


def test_a_run_draws_a_panel_meeting_the_quotas_and_records_how_to_verify_it(
    coordinator, org, django_capture_on_commit_callbacks
):
    the_pool = pool(coordinator, org.pk)
    services.pool_quotas_set(actor=coordinator, pool=the_pool, rows=even_quotas(), source="hand")
    run = _run(coordinator, the_pool, capture=django_capture_on_commit_callbacks)
    assert run.status == RunStatus.DONE and run.progress == 100
    instance = run_instance(run)
    panel = [m.volunteer.external_id for m in members_of(run)]
    assert is_feasible_panel(instance, panel)
    assert len(run.probabilities) == 40 and run.min_probability == pytest.approx(0.25, abs=1e-6)
    assert sum(run.probabilities.values()) == pytest.approx(10)
    assert run.input_sha256 == instance.sha256()
    # The same seed on the same input draws the same panel.
    again = _run(coordinator, the_pool, capture=django_capture_on_commit_callbacks)
    assert [m.volunteer.external_id for m in members_of(again)] == panel
    assert AuditEvent.objects.filter(code="panels.run.done").count() == 2
    assert verify().ok


def test_the_exported_input_files_give_the_same_hash_as_the_run(
    coordinator, org, client, django_capture_on_commit_callbacks
):
    the_pool = pool(coordinator, org.pk, households=True)
    services.pool_quotas_set(actor=coordinator, pool=the_pool, rows=even_quotas(), source="hand")
    run = _run(coordinator, the_pool, capture=django_capture_on_commit_callbacks)
    assert run.status == RunStatus.DONE, run.error
    verified_login(client, coordinator.user)
    people = client.get(f"/panels/runs/{run.pk}/people.csv").content
    features = client.get(f"/panels/runs/{run.pk}/features.csv").content
    table = parse_features("features.csv", features)
    pool_table = parse_people("people.csv", people, table, id_column="id", household_columns=["household"])
    assert to_instance(table, pool_table, run.panel_size).sha256() == run.input_sha256
    assert AuditEvent.objects.filter(code="panels.input.exported").count() == 2


def test_infeasible_quotas_fail_the_run_with_the_reason_and_no_members(
    coordinator, org, django_capture_on_commit_callbacks
):
    the_pool = pool(coordinator, org.pk, n=12, size=10)  # 6 women, 6 men
    rows = [
        services.QuotaRow("kön", "kvinna", 7, 8),
        services.QuotaRow("kön", "man", 2, 3),
        services.QuotaRow("grund", "skydd", 0, 10),
        services.QuotaRow("grund", "familj", 0, 10),
        services.QuotaRow("grund", "arbete", 0, 10),
    ]
    services.pool_quotas_set(actor=coordinator, pool=the_pool, rows=rows, source="hand")
    run = _run(coordinator, the_pool, capture=django_capture_on_commit_callbacks)
    assert run.status == RunStatus.FAILED
    assert "kön=kvinna" in run.error and "smallest relaxation" in run.error
    assert not PanelMember.objects.filter(run=run).exists()


def test_a_replacement_keeps_every_quota_and_is_logged(coordinator, org, django_capture_on_commit_callbacks):
    the_pool = pool(coordinator, org.pk)
    services.pool_quotas_set(actor=coordinator, pool=the_pool, rows=even_quotas(), source="hand")
    run = _run(coordinator, the_pool, capture=django_capture_on_commit_callbacks)
    instance = run_instance(run)
    gone = members_of(run).first()
    new = services.member_withdraw(actor=coordinator, run=run, member_id=gone.pk)
    assert new is not None and new.replaces_id == gone.pk
    panel = [m.volunteer.external_id for m in members_of(run, active_only=True)]
    assert gone.volunteer.external_id not in panel and is_feasible_panel(instance, panel)
    # The replacement has the same features here (the quotas are exact on kön).
    assert new.volunteer.features["kön"] == gone.volunteer.features["kön"]
    event = AuditEvent.objects.get(code="panels.member.replaced")
    assert event.data == {
        "withdrawn": gone.volunteer.external_id,
        "replacement": new.volunteer.external_id,
        "seed": "4711",
    }
    with pytest.raises(ValidationError):
        services.member_withdraw(actor=coordinator, run=run, member_id=gone.pk)


def test_when_nobody_keeps_the_quotas_the_seat_stays_empty(
    coordinator, org, django_capture_on_commit_callbacks
):
    the_pool = pool(coordinator, org.pk, n=12, size=10)
    rows = [
        services.QuotaRow("kön", "kvinna", 5, 5),
        services.QuotaRow("kön", "man", 5, 5),
        services.QuotaRow("grund", "skydd", 0, 10),
        services.QuotaRow("grund", "familj", 0, 10),
        services.QuotaRow("grund", "arbete", 0, 10),
    ]
    services.pool_quotas_set(actor=coordinator, pool=the_pool, rows=rows, source="hand")
    run = _run(coordinator, the_pool, capture=django_capture_on_commit_callbacks)
    women = [m for m in members_of(run) if m.volunteer.features["kön"] == "kvinna"]
    # 6 women in the pool, 5 on the panel: the first withdrawal has one replacement, the second none.
    assert services.member_withdraw(actor=coordinator, run=run, member_id=women[0].pk) is not None
    assert services.member_withdraw(actor=coordinator, run=run, member_id=women[1].pk) is None
    assert Counter(m.status for m in members_of(run))["withdrawn"] == 2


def test_a_reader_of_the_organisation_sees_no_pool(org, coordinator):
    the_pool = pool(coordinator, org.pk)
    reader = actor_for_user(member("reader", org))
    with pytest.raises(NotFound):
        services.pool_quotas_set(actor=reader, pool=the_pool, rows=even_quotas(), source="hand")


def test_the_demo_pool_is_fictional_loaded_once_and_selectable(settings, django_capture_on_commit_callbacks):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    demo = Pool.objects.get()
    assert "demodata" in demo.name and demo.volunteers.count() == 300
    assert "not official statistics" in demo.quota_source
    run = _run(Actor.system(), demo, capture=django_capture_on_commit_callbacks)
    assert run.status == RunStatus.DONE, run.error
    assert run.members.count() == 30 and run.min_probability > 0


def test_quotas_from_a_csv_of_shares_round_by_largest_remainder(coordinator, org, english):
    the_pool = pool(coordinator, org.pk)
    data = "feature,value,share\nkön,kvinna,55\nkön,man,45\n".encode()
    quotas = services.pool_quotas_from_csv(
        actor=coordinator, pool=the_pool, data=data, filename="shares.csv", tolerance=1
    )
    # 10 seats: 5.5 and 4.5 have equal remainders, so the value listed first gets the seat.
    assert [(q.value, q.min, q.max) for q in quotas] == [("kvinna", 5, 7), ("man", 3, 5)]
    bad = "feature,value,share\nkön,kvinna,55\nkön,man,många\n".encode()
    with pytest.raises(ValidationError) as exc:
        services.pool_quotas_from_csv(actor=coordinator, pool=the_pool, data=bad, filename="shares.csv")
    assert plain(exc.value.errors["quotas"][0]) == "shares.csv, line 3: the share “många” is not a number"
    assert [(q.value, q.min) for q in the_pool.quotas.all()] == [("kvinna", 5), ("man", 3)]


def test_a_run_whose_worker_stopped_is_failed_later_and_a_late_result_is_dropped(
    coordinator, org, settings, english
):
    import datetime as dt

    from django.utils import timezone

    from samverkan.panels.services import run_execute, runs_fail_stalled

    the_pool = pool(coordinator, org.pk)
    services.pool_quotas_set(actor=coordinator, pool=the_pool, rows=even_quotas(), source="hand")
    run = services.run_start(actor=coordinator, pool=the_pool, seed="9")  # queued: no worker ran it
    SelectionRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, started_at=timezone.now())
    assert runs_fail_stalled() == 0  # not overdue yet
    later = timezone.now() + dt.timedelta(seconds=2 * settings.PANELS_TIME_LIMIT + 301)
    assert runs_fail_stalled(now=later) == 1
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "worker stopped" in run.error
    # the worker comes back after all: it does not resurrect the run
    assert run_execute(run_id=run.pk).status == RunStatus.FAILED
    assert not run.members.exists()


def test_a_result_that_arrives_after_the_run_was_declared_stalled_is_not_stored(
    coordinator, org, settings, monkeypatch, django_capture_on_commit_callbacks
):
    import datetime as dt

    from django.utils import timezone

    from samverkan.panels.services import runs as selection_runs
    from samverkan.panels.services import runs_fail_stalled

    the_pool = pool(coordinator, org.pk)
    services.pool_quotas_set(actor=coordinator, pool=the_pool, rows=even_quotas(), source="hand")
    real_select = selection_runs.select

    def slow_select(*args, **kwargs):
        result = real_select(*args, **kwargs)
        later = timezone.now() + dt.timedelta(seconds=2 * settings.PANELS_TIME_LIMIT + 301)
        assert runs_fail_stalled(now=later) == 1  # the scheduler gave up on it meanwhile
        return result

    monkeypatch.setattr(selection_runs, "select", slow_select)
    run = _run(coordinator, the_pool, capture=django_capture_on_commit_callbacks)
    assert run.status == RunStatus.FAILED and not run.members.exists()


# --- The public report's releases ------------------------------------------------------------
def _published_run(coordinator, org, capture) -> SelectionRun:
    the_pool = pool(coordinator, org.pk)
    services.pool_quotas_set(actor=coordinator, pool=the_pool, rows=even_quotas(), source="hand")
    run = _run(coordinator, the_pool, capture=capture)
    services.run_publish(actor=coordinator, run=run)
    return run


def _active_ids(run: SelectionRun) -> list[int]:
    return sorted(m.pk for m in members_of(run, active_only=True))


def test_publishing_makes_the_first_release_of_the_report(
    coordinator, org, django_capture_on_commit_callbacks
):
    run = _published_run(coordinator, org, django_capture_on_commit_callbacks)
    release = ReportRelease.objects.get(run=run)
    assert (release.number, release.size, release.threshold) == (1, 10, 5)
    assert release.members == _active_ids(run)
    by_feature = {t["feature"]: t for t in release.tables}
    assert list(by_feature) == ["kön", "grund"]
    assert by_feature["kön"]["values"] == ["kvinna", "man"] and by_feature["kön"]["counts"] == [5, 5]
    assert by_feature["kön"]["withheld"] == [False, False, False]
    # grund: each value's quota (2 to 4) expects fewer than 5 members, so the three are counted
    # together: one row, the panel size, which the report then does not show as a table.
    grund = by_feature["grund"]
    assert grund["groups"] == [["skydd", "familj", "arbete"]] and grund["counts"] == [10]
    assert grund["withheld"] == [False, False] and grund["targets"] == [None]
    event = AuditEvent.objects.get(code="panels.report.released")
    assert event.data == {"release": 1, "size": 10} and event.object_id == str(run.pk)
    # Publishing again with the same panel makes no new release.
    services.run_publish(actor=coordinator, run=run)
    assert ReportRelease.objects.filter(run=run).count() == 1
    assert verify().ok


def test_a_withdrawal_while_published_makes_the_next_release_in_the_same_transaction(
    coordinator, org, monkeypatch, django_capture_on_commit_callbacks
):
    run = _published_run(coordinator, org, django_capture_on_commit_callbacks)
    gone = members_of(run, active_only=True).first()
    new = services.member_withdraw(actor=coordinator, run=run, member_id=gone.pk)
    releases = list(ReportRelease.objects.filter(run=run).order_by("number"))
    assert [r.number for r in releases] == [1, 2]
    assert gone.pk in releases[0].members and gone.pk not in releases[1].members
    assert new.pk in releases[1].members and releases[1].members == _active_ids(run)
    released = AuditEvent.objects.filter(code="panels.report.released").order_by("seq")
    assert [e.data["release"] for e in released] == [1, 2]

    # A release that cannot be made undoes the withdrawal with it.
    def broken(*args, **kwargs):
        raise RuntimeError("no release")

    monkeypatch.setattr(reporting, "release_tables", broken)
    other = members_of(run, active_only=True).first()
    with pytest.raises(RuntimeError):
        services.member_withdraw(actor=coordinator, run=run, member_id=other.pk)
    other.refresh_from_db()
    assert other.status == "active" and ReportRelease.objects.filter(run=run).count() == 2
    assert PanelMember.objects.filter(run=run).count() == 11


def test_an_unpublished_report_gets_no_release_until_it_is_published_again(
    coordinator, org, django_capture_on_commit_callbacks
):
    run = _published_run(coordinator, org, django_capture_on_commit_callbacks)
    services.run_publish(actor=coordinator, run=run, published=False)
    first = members_of(run, active_only=True).first()
    services.member_withdraw(actor=coordinator, run=run, member_id=first.pk)
    second = members_of(run, active_only=True).first()
    services.member_withdraw(actor=coordinator, run=run, member_id=second.pk)
    assert ReportRelease.objects.filter(run=run).count() == 1
    services.run_publish(actor=coordinator, run=run)
    latest = ReportRelease.objects.filter(run=run).order_by("-number").first()
    assert latest.number == 2 and latest.members == _active_ids(run)
    assert first.pk not in latest.members and second.pk not in latest.members


def test_the_second_release_is_protected_with_who_left_and_joined(
    coordinator, org, monkeypatch, django_capture_on_commit_callbacks
):
    run = _published_run(coordinator, org, django_capture_on_commit_callbacks)
    seen = {}
    real = reporting.release_tables

    def spy(quotas, active, **kwargs):
        seen.update(kwargs)
        return real(quotas, active, **kwargs)

    monkeypatch.setattr(reporting, "release_tables", spy)
    gone = members_of(run, active_only=True).first()
    new = services.member_withdraw(actor=coordinator, run=run, member_id=gone.pk)
    assert seen["left"] == [gone.volunteer.features] and seen["joined"] == [new.volunteer.features]
    assert seen["previous"]["tables"] == ReportRelease.objects.get(run=run, number=1).tables


def test_a_panel_smaller_than_the_threshold_is_not_published(
    coordinator, org, django_capture_on_commit_callbacks
):
    the_pool = pool(coordinator, org.pk, n=12, size=4)
    rows = [
        services.QuotaRow("kön", "kvinna", 2, 2),
        services.QuotaRow("kön", "man", 2, 2),
        services.QuotaRow("grund", "skydd", 0, 4),
        services.QuotaRow("grund", "familj", 0, 4),
        services.QuotaRow("grund", "arbete", 0, 4),
    ]
    services.pool_quotas_set(actor=coordinator, pool=the_pool, rows=rows, source="hand")
    run = _run(coordinator, the_pool, capture=django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError):
        services.run_publish(actor=coordinator, run=run)
    run.refresh_from_db()
    assert not run.is_published and not ReportRelease.objects.exists()
