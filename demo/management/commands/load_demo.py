"""Load the demo data: organisation tree, users, registered models, commendation rounds (a second
run changes nothing).

Models go through the registry's and the reviews' services, as a cadre and the reviewers of their
unit would move them, so the demo shows real workflow events, result reports, attachments,
proposals, score sheets, decisions, rounds and notifications. Every row written is tagged
``source=demo`` in the audit trail.
"""

import importlib
import json
import zlib
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pghistory
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from core.spreadsheets import parse_date
from core.storage import private_storage
from demo.files import chart_png, landscape_jpeg, pdf_bytes
from demo.reviews import (
    Notices,
    RoundLoader,
    Step,
    check_order,
    expand_compact,
    moment_on,
    score_sheet,
    settle,
)
from models_registry import services as registry
from models_registry.choices import STATUS_DATE_FIELDS, EventAction, Status
from models_registry.models import (
    Attachment,
    DanVanModel,
    Indicator,
    ResultReport,
    Theme,
    WorkflowEvent,
)
from organisations import services
from organisations.choices import Role
from organisations.models import Membership, Organisation
from organisations.selectors import has_role_on
from reviews import services as review
from reviews.models import Appraisal, Proposal, Rubric

FIXTURES = Path(settings.BASE_DIR) / "fixtures"

# The registration items copied from the fixture as they are (dates and units are converted).
TEXT_FIELDS = (
    "code",
    "name",
    "kind",
    "actor",
    "person_name",
    "person_position",
    "field",
    "territory_note",
    "situation",
    "goals",
    "content",
    "target_group",
    "forces",
    "funds",
    "workdays",
    "socialised_funds",
    "resources_note",
    "schedule",
    "outputs",
    "sustainability",
    "contact_name",
    "contact_phone",
)

PROPOSAL_NOTE = (
    "Mô hình đã đạt các mục tiêu đăng ký; đề nghị công nhận trên cơ sở các báo cáo kết quả "
    "kèm theo."
)
PROPOSAL_AGAIN_NOTE = (
    "Đã bổ sung minh chứng theo yêu cầu của cán bộ thẩm định; đề nghị xem xét công nhận."
)


def _fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text("utf-8"))


def demo_password() -> str:
    return _fixture("demo_users.json")["password"]


def demo_logins() -> list[tuple[str, str]]:
    """(username, description) of every demo user, for the start-up banner."""
    data = _fixture("demo_users.json")
    names = dict(Organisation.objects.values_list("code", "name"))
    logins = []
    for user in data["users"]:
        if user.get("superuser"):
            logins.append((user["username"], "quản trị hệ thống (toàn quốc)"))
            continue
        roles = ", ".join(
            f"{Role(role).label} – {names.get(code, code)}" for code, role in user["memberships"]
        )
        logins.append((user["username"], roles))
    return logins


def _message(error: Exception) -> str:
    return " ".join(getattr(error, "messages", None) or [str(error)])


class Command(BaseCommand):
    help = (
        "Nạp dữ liệu demo: cây đơn vị theo các bài báo nguồn, người dùng demo, các mô hình, "
        "điển hình mẫu và các đợt biểu dương, khen thưởng."
    )

    def handle(self, *args, **options):
        stored_files: list[str] = []
        # The notifications are written after the commit, one small transaction each: the demo
        # can be loaded again, so these need not wait for the disk.
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO off")
        try:
            with pghistory.context(source="demo"), transaction.atomic():
                tree = _fixture("demo_organisations.json")
                created = self._load_nodes(tree["tree"], parent=None)
                merges = self._load_merges(tree["tree"])
                users = self._load_users()
                notices = Notices()
                loader = _ModelLoader(stored_files, notices)
                models = self._load_models(loader)
                rounds = self._load_rounds(loader, notices)
        except BaseException:
            # The rows are rolled back; the files written for them must not stay behind.
            for name in stored_files:
                private_storage().delete(name)
            raise
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
        self.stdout.write(
            f"Dữ liệu demo: {created} đơn vị mới, {merges} quan hệ sáp nhập, "
            f"{users} người dùng mới, {models} mô hình, điển hình mới, "
            f"{rounds} đợt biểu dương, khen thưởng mới."
        )

    def _load_nodes(self, nodes, parent) -> int:
        created = 0
        for node in nodes:
            unit = Organisation.objects.filter(code=node["code"]).first()
            if unit is not None:
                # A demo loaded before the fixture gave its former units their end dates and
                # "(cũ)" names gets them now; a second run finds nothing to change.
                dated = {
                    "name": node["name"],
                    "valid_from": parse_date(node.get("valid_from")),
                    "valid_to": parse_date(node.get("valid_to")),
                }
                changed = {
                    key: value for key, value in dated.items() if getattr(unit, key) != value
                }
                if changed:
                    unit = services.organisation_update(organisation=unit, by=None, **changed)
            else:
                unit = services.organisation_create(
                    parent=parent,
                    organisation=Organisation(
                        code=node["code"],
                        name=node["name"],
                        short_name=node.get("short_name", ""),
                        kind=node["kind"],
                        level=node["level"],
                        valid_from=parse_date(node.get("valid_from")),
                        valid_to=parse_date(node.get("valid_to")),
                    ),
                    by=None,
                )
                created += 1
            created += self._load_nodes(node.get("children", []), parent=unit)
        return created

    def _load_merges(self, nodes) -> int:
        count = 0
        for node in nodes:
            if node.get("merged_from"):
                unit = Organisation.objects.get(code=node["code"])
                predecessors = list(Organisation.objects.filter(code__in=node["merged_from"]))
                if set(unit.merged_from.all()) != set(predecessors):
                    services.organisation_set_predecessors(
                        organisation=unit, predecessors=predecessors, by=None
                    )
                    count += len(predecessors)
            count += self._load_merges(node.get("children", []))
        return count

    def _load_users(self) -> int:
        data = _fixture("demo_users.json")
        User = get_user_model()
        created = 0
        password = None
        for entry in data["users"]:
            user = User.objects.filter(username=entry["username"]).first()
            if user is None:
                user = User(
                    username=entry["username"],
                    # Vietnamese names put the family name first: keep the whole name in one
                    # field so get_full_name() reads it in the right order.
                    first_name=entry["full_name"],
                    is_superuser=entry.get("superuser", False),
                    is_staff=entry.get("superuser", False),
                )
                # They share the password: hash it once (hashing is slow on purpose).
                password = password or make_password(data["password"])
                user.password = password
                user.save()
                created += 1
            for code, role in entry["memberships"]:
                services.membership_grant(
                    user=user, organisation=Organisation.objects.get(code=code), role=role, by=None
                )
        return created

    def _load_models(self, loader: "_ModelLoader") -> int:
        rounds = _fixture("demo_rounds.json")
        names = {code: unit.name for code, unit in loader.units.items()}
        entries = [
            *_fixture("demo_models.json")["models"],
            *expand_compact(rounds["models"], names),
        ]
        present = set(
            DanVanModel.objects.filter(code__in=[e["code"] for e in entries]).values_list(
                "code", flat=True
            )
        )
        created = 0
        for entry in entries:
            # A model already there is left as it is, even if someone has moved it on since.
            if entry["code"] not in present:
                try:
                    loader.load(entry)
                except (ValidationError, PermissionDenied) as error:
                    raise CommandError(f"{entry['code']}: {_message(error)}") from error
                created += 1
        return created

    def _load_rounds(self, loader: "_ModelLoader", notices: Notices) -> int:
        rounds = RoundLoader(units=loader.units, manager_of=loader.manager_of, notices=notices)
        created = 0
        for entry in _fixture("demo_rounds.json")["rounds"]:
            try:
                created += rounds.load(entry) is not None
            except (ValidationError, PermissionDenied) as error:
                raise CommandError(f"{entry['title']}: {_message(error)}") from error
        return created


def _ensure_catalogue() -> None:
    """The themes, indicators and rubric the migrations seed, put back if they are gone (an admin
    deleted one, or a test emptied the tables): the demo models refer to them."""
    seed = importlib.import_module("models_registry.migrations.0002_seed_themes_and_indicators")
    for name in seed.THEMES:
        Theme.objects.get_or_create(name=name)
    for position, (code, name, unit) in enumerate(seed.INDICATORS, start=1):
        Indicator.objects.get_or_create(
            code=code, defaults={"name": name, "unit": unit, "position": position}
        )
    # It seeds only an empty table: a rubric changed by an admin stays as it is.
    importlib.import_module("reviews.migrations.0002_seed_default_rubric").seed(apps, None)


class _ModelLoader:
    """Registers one fixture entry and walks it through the workflow to its target status."""

    def __init__(self, stored_files: list[str], notices: Notices):
        self.stored_files = stored_files
        self.notices = notices
        _ensure_catalogue()
        self.themes = {theme.name: theme for theme in Theme.objects.all()}
        self.indicators = {indicator.code: indicator for indicator in Indicator.objects.all()}
        self.units = {unit.code: unit for unit in Organisation.objects.all()}
        rubric = Rubric.objects.active().first()
        if rubric is None:
            raise CommandError("Chưa có bộ tiêu chí thẩm định đang áp dụng.")
        self.criteria = list(rubric.criteria.all())
        usernames = [u["username"] for u in _demo_users()]
        self.memberships = list(
            Membership.objects.filter(user__username__in=usernames)
            .select_related("user", "organisation")
            .order_by("-organisation__depth", "user__username")
        )
        self.users = {m.user.username: m.user for m in self.memberships}

    def load(self, entry: dict) -> DanVanModel:
        code = entry["code"]
        unit = self._unit(code, entry["owning_unit"])
        cadre = self._people(code, unit, Role.CADRE)[0]
        # The reviewer of the nearest level reviews the registration; the highest level that
        # covers the unit appraises the proposal and decides on it.
        reviewer = self._people(code, unit, Role.REVIEWER)[0]
        appraiser = self._people(code, unit, Role.REVIEWER, highest_first=True)[0]

        model = registry.model_create(
            by=cadre, fields=self._fields(entry), relations=self._relations(code, entry)
        )
        clock = _Clock(entry, model, self.notices)
        clock.tick("created")
        self._attach(model, cadre, entry.get("attachments", []))
        status = entry["status"]
        if status != Status.DRAFT:
            registry.model_submit(model=model, by=cadre)
            clock.tick("submitted")
        if status != Status.DRAFT and entry.get("returned_before"):
            review.registration_return(model=model, by=reviewer, reason=entry["returned_before"])
            clock.tick("returned_before")
            registry.model_submit(model=model, by=cadre)
            clock.tick("resubmitted")
        if status == Status.RETURNED:
            review.registration_return(model=model, by=reviewer, reason=entry["reason"])
            clock.tick("reviewed")
        elif status == Status.REJECTED:
            review.registration_reject(model=model, by=reviewer, reason=entry["reason"])
            clock.tick("reviewed")
        elif status not in (Status.DRAFT, Status.SUBMITTED):
            review.registration_accept(model=model, by=reviewer)
            clock.tick("reviewed")
            reports = [
                self._report(model, cadre, report, clock)
                for report in entry.get("result_reports", [])
            ]
            self._recognition(model, entry, cadre, appraiser, reports, clock)
            if status == Status.DISCONTINUED:
                registry.model_discontinue(model=model, by=cadre, reason=entry["reason"])
                clock.tick("discontinued")
        clock.backdate(model)
        return model

    def _recognition(self, model, entry, cadre, appraiser, reports, clock: "_Clock") -> None:
        """Proposal by the cadre, score sheets and the decision, as far as ``entry`` goes."""
        status = entry["status"]
        recognised = Status.RECOGNISED in (status, entry.get("discontinued_after"))
        note = PROPOSAL_NOTE
        if entry.get("evidence_requested"):
            proposal = review.model_propose(
                model=model, by=cadre, result_reports=reports, note=note
            )
            clock.tick("proposed", stamp=_dates(Proposal, proposal, "created_at"))
            review.model_return_for_evidence(
                model=model, by=appraiser, reason=entry["evidence_requested"]
            )
            clock.tick("evidence_requested", stamp=_dates(Proposal, proposal, "closed_at"))
            note = PROPOSAL_AGAIN_NOTE
        if not (recognised or status in (Status.PROPOSED, Status.NOT_RECOGNISED)):
            return
        proposal = review.model_propose(model=model, by=cadre, result_reports=reports, note=note)
        clock.tick(
            "proposed_again" if entry.get("evidence_requested") else "proposed",
            stamp=_dates(Proposal, proposal, "created_at"),
        )
        for username in entry.get("appraised_by") or [appraiser.username]:
            scores, comment = score_sheet(
                self.criteria,
                seed=f"{model.code}/{username}",
                strong=status != Status.NOT_RECOGNISED,
            )
            appraisal = review.appraisal_save(
                model=model, by=self._user(model.code, username), scores=scores, comment=comment
            )
            clock.tick("appraised", stamp=_dates(Appraisal, appraisal, "created_at", "updated_at"))
        if recognised:
            review.model_recognise(
                model=model,
                by=appraiser,
                decision_number=entry["decision_number"],
                # A decision the fixture dates after today (a machine with an old clock) is
                # taken today: the service refuses future decisions.
                decision_date=min(parse_date(entry["decision_date"]), timezone.localdate()),
                decision_signer=entry["decision_signer"],
                decision_issuer=self._unit(model.code, entry["decision_issuer"]),
            )
            clock.tick("recognised", stamp=_dates(Proposal, proposal, "closed_at"))
            if entry.get("outstanding_on"):
                review.model_mark_outstanding(model=model, by=appraiser, outstanding=True)
                clock.tick("outstanding")
        elif status == Status.NOT_RECOGNISED:
            review.model_not_recognise(model=model, by=appraiser, reason=entry["reason"])
            clock.tick("not_recognised", stamp=_dates(Proposal, proposal, "closed_at"))

    def manager_of(self, label: str, unit: Organisation):
        """The reviewer who runs a round of ``unit``: the one nearest to it."""
        return self._people(label, unit, Role.REVIEWER)[0]

    def _unit(self, code: str, unit_code: str) -> Organisation:
        try:
            return self.units[unit_code]
        except KeyError:
            raise CommandError(f"{code}: không có đơn vị mã “{unit_code}”.") from None

    def _user(self, code: str, username: str):
        try:
            return self.users[username]
        except KeyError:
            raise CommandError(f"{code}: không có người dùng demo “{username}”.") from None

    def _people(self, code: str, unit: Organisation, role: str, highest_first=False) -> list:
        """Demo users with ``role`` over ``unit``, the one nearest to the unit first (or the
        one of the highest level first), then by username."""
        memberships = self.memberships
        if highest_first:
            memberships = sorted(memberships, key=lambda m: m.organisation.depth)
        people = []
        for membership in memberships:
            user = membership.user
            if membership.role == role and user not in people and has_role_on(user, unit, [role]):
                people.append(user)
        if not people:
            raise CommandError(
                f"{code}: không có người dùng demo nào có vai trò “{Role(role).label}” "
                f"phụ trách đơn vị “{unit.name}”."
            )
        return people

    def _fields(self, entry: dict) -> dict:
        fields = {name: entry[name] for name in TEXT_FIELDS if name in entry}
        fields["owning_unit"] = self.units[entry["owning_unit"]]
        fields["start_date"] = parse_date(entry["start_date"])
        fields["evaluation_date"] = parse_date(entry["evaluation_date"])
        if entry.get("replicated_from"):
            fields["replicated_from"] = DanVanModel.objects.get(code=entry["replicated_from"])
        return fields

    def _relations(self, code: str, entry: dict) -> dict:
        missing = [name for name in entry.get("themes", []) if name not in self.themes]
        if missing:
            raise CommandError(f"{code}: không có chủ đề “{'”, “'.join(missing)}”.")
        return {
            "themes": [self.themes[name] for name in entry.get("themes", [])],
            "territory": [self._unit(code, c) for c in entry.get("territory", [])],
            "coordinating_units": [
                self._unit(code, c) for c in entry.get("coordinating_units", [])
            ],
        }

    def _attach(self, model, cadre, names: list[str]) -> None:
        if names:
            uploads = [demo_file(name, model) for name in names]
            attachments = registry.attachment_add(model=model, by=cadre, uploads=uploads)
            self._stored(attachments)

    def _report(self, model, cadre, report: dict, clock: "_Clock") -> ResultReport:
        values = {
            self.indicators[code]: Decimal(str(value)) for code, value in report["values"].items()
        }
        result = registry.result_report_create(
            model=model,
            by=cadre,
            period_start=parse_date(report["period_start"]),
            period_end=parse_date(report["period_end"]),
            narrative=report["narrative"],
            values=values,
            uploads=[demo_file(name, model, report) for name in report.get("attachments", [])],
        )
        self._stored(result.attachments.all())

        def stamp(moment):
            ResultReport.objects.filter(pk=result.pk).update(created_at=moment, updated_at=moment)
            result.attachments.update(uploaded_at=moment)

        clock.tick("reported", on=result.period_end, stamp=stamp)
        return result

    def _stored(self, attachments) -> None:
        self.stored_files.extend(attachment.file.name for attachment in attachments)


def _dates(model_class, row, *fields):
    """A stamp moving ``fields`` of ``row`` to the step's moment."""
    return lambda moment: model_class.objects.filter(pk=row.pk).update(
        **dict.fromkeys(fields, moment)
    )


def _demo_users() -> list[dict]:
    return _fixture("demo_users.json")["users"]


# Steps that follow the one before them after the usual delay.
_DELAYS = {
    "returned_before": timedelta(days=7, hours=5),
    "resubmitted": timedelta(days=6),
    "reviewed": timedelta(days=10, hours=5),
    "evidence_requested": timedelta(days=10, hours=5),
    "proposed_again": timedelta(days=14),
    "appraised": timedelta(days=1, hours=2),
    "not_recognised": timedelta(days=21, hours=5),
}
# Steps dated by the fixture: (its date, days after that date, hour of the day).
_DATED = {
    "proposed": ("evaluation_date", 7, 10),
    "recognised": ("decision_date", 0, 15),
    "outstanding": ("outstanding_on", 0, 9),
    "discontinued": ("discontinued_on", 0, 9),
}
# Steps that write no workflow event.
_UNRECORDED = {"appraised"}
# Events whose moment is the date of a model field other than its status's.
_EVENT_DATE_FIELDS = {EventAction.OUTSTANDING: "outstanding_at"}
# Events that keep the date the status was first reached (the service does not stamp it).
_UNSTAMPED = {EventAction.CREATED, EventAction.RETURNED_FOR_EVIDENCE}


class _Clock:
    """When each step of a demo model happened, from the dates its registration gives.

    Registration a fortnight before the start, review ten days later, each result report just
    after its period, the proposal a week after the evaluation date, score sheets in the days
    that follow, recognition on the decision date.
    """

    def __init__(self, entry: dict, model: DanVanModel, notices: Notices):
        self.entry = entry
        self.url = model.get_absolute_url()
        self.notices = notices
        start = parse_date(entry["start_date"])
        self.submitted = moment_on(start - timedelta(days=14), 9)
        self.steps: list[Step] = []

    def tick(
        self,
        name: str,
        *,
        on: date | None = None,
        stamp: Callable[[datetime], object] | None = None,
    ) -> Step:
        """Record step ``name``; ``on`` is the day of a result report's period end."""
        entry = self.entry
        previous = self.steps[-1].moment if self.steps else None
        if name == "created" and entry["status"] == Status.DRAFT:
            moment = moment_on(parse_date(entry["start_date"]) - timedelta(days=30), 8)
        elif name == "created":
            moment = self.submitted - timedelta(days=3, hours=1)
        elif name == "submitted":
            moment = self.submitted
        elif name == "reported":
            moment = moment_on(on + timedelta(days=5), 10)
        elif name in _DELAYS:
            moment = previous + _DELAYS[name]
        else:
            key, days, hour = _DATED[name]
            moment = moment_on(parse_date(entry[key]) + timedelta(days=days), hour)
        step = Step(name, moment, stamp, recorded=name not in _UNRECORDED)
        self.steps.append(step)
        check_order(entry["code"], self.steps[-2:])
        if step.recorded:
            self.notices.after(step, [self.url])
        return step

    def backdate(self, model: DanVanModel) -> None:
        settle(self.steps)
        recorded = [step for step in self.steps if step.recorded]
        events = list(WorkflowEvent.objects.filter(model=model).order_by("pk"))
        if len(events) != len(recorded):
            raise CommandError(f"{model.code}: số sự kiện không khớp với các bước đã đi.")
        first, last = self.steps[0].moment, self.steps[-1].moment
        stamps = {"created_at": first, "updated_at": last}
        for event, step in zip(events, recorded, strict=True):
            event.created_at = step.moment
            if event.action in _EVENT_DATE_FIELDS:
                stamps[_EVENT_DATE_FIELDS[event.action]] = step.moment
            elif event.to_status and event.action not in _UNSTAMPED:
                stamps[STATUS_DATE_FIELDS[event.to_status]] = step.moment
        WorkflowEvent.objects.bulk_update(events, ["created_at"])
        DanVanModel.objects.filter(pk=model.pk).update(**stamps)
        Attachment.objects.filter(model=model, result_report=None).update(uploaded_at=first)
        for step in self.steps:
            if step.stamp:
                step.stamp(step.moment)


# Small but real files for the demo attachments: the upload checks read their content.


def demo_file(name: str, model: DanVanModel, report: dict | None = None) -> SimpleUploadedFile:
    """A valid PDF, PNG or JPEG file called ``name`` about ``model`` (or one of its reports)."""
    seed = zlib.crc32(f"{model.code}/{name}".encode())
    extension = name.rsplit(".", 1)[-1].lower()
    if extension == "pdf":
        period = report or {"period_start": model.start_date, "period_end": model.evaluation_date}
        dates = " - ".join(
            parse_date(period[key]).strftime("%d/%m/%Y") for key in ("period_start", "period_end")
        )
        title = f"{name.rsplit('.', 1)[0]} – {model.name}"
        return SimpleUploadedFile(name, pdf_bytes(title, [model.code, dates]), "application/pdf")
    if extension == "png":
        return SimpleUploadedFile(name, chart_png(seed), "image/png")
    if extension in ("jpg", "jpeg"):
        return SimpleUploadedFile(name, landscape_jpeg(seed), "image/jpeg")
    raise CommandError(f"{model.code}: không tạo được tệp demo “{name}”.")
