"""The review stage of the demo data: score sheets, the compact entries of the commended
exemplars, commendation rounds, and the dates of everything the services stamp with "now".

The services stamp each step with the present moment; the demo describes past years, so each
step is given a plausible moment (a ``Step``) and, once the step's rows exist, moved to it.
"""

from __future__ import annotations

import unicodedata
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from core.models import Notification
from core.spreadsheets import parse_date
from demo.files import pdf_bytes
from models_registry.choices import EventAction
from models_registry.models import DanVanModel, WorkflowEvent
from organisations.models import Organisation
from reviews import services as review
from reviews.models import Commendation, CommendationRound, RoundEvent

# Notifications about steps older than this were read the day after they came.
READ_AFTER = timedelta(days=30)


@dataclass
class Step:
    """One step of a demo object's history and the moment it happened.

    ``recorded`` says whether the step wrote an event row; ``stamp`` moves the step's other rows
    to the moment once it is final.
    """

    name: str
    moment: datetime
    stamp: Callable[[datetime], object] | None = None
    recorded: bool = True


def moment_on(day: date | None, hour: int) -> datetime | None:
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day, time(hour)))


def settle(steps: list[Step]) -> None:
    """A step the fixture dates in the future happened just now, keeping the order."""
    ceiling = timezone.now()
    for step in reversed(steps):
        step.moment = ceiling = min(step.moment, ceiling - timedelta(minutes=1))


def check_order(label: str, steps: list[Step]) -> None:
    for before, after in zip(steps, steps[1:], strict=False):
        if after.moment <= before.moment:
            raise CommandError(
                f"{label}: các mốc thời gian trong tệp demo không theo thứ tự ({after.name})."
            )


class Notices:
    """Dates the notifications the services send to the step they tell of.

    The services create notifications when the transaction commits, so the dating runs then
    too, right after each step's own notifications (callbacks run in the order registered).
    """

    def __init__(self):
        self.last_pk = Notification.objects.aggregate(last=Max("pk"))["last"] or 0

    def after(self, step: Step, urls: list[str]) -> None:
        transaction.on_commit(lambda: self._date(step, urls))

    def _date(self, step: Step, urls: list[str]) -> None:
        fresh = [
            pk
            for pk, url in Notification.objects.filter(pk__gt=self.last_pk).values_list("pk", "url")
            if url in urls
        ]
        if not fresh:
            return
        read = (
            step.moment + timedelta(days=1) if step.moment < timezone.now() - READ_AFTER else None
        )
        Notification.objects.filter(pk__in=fresh).update(created_at=step.moment, read_at=read)
        self.last_pk = max(fresh)


# --- score sheets ----------------------------------------------------------------------------

STRONG_COMMENTS = (
    "Kết quả đo đếm được, có minh chứng rõ ràng; nhân dân đồng tình, hưởng ứng. Đề nghị công nhận.",
    "Mô hình thiết thực, cách làm dễ nhân rộng; số liệu báo cáo khớp với minh chứng. "
    "Đồng ý đề nghị công nhận.",
    "Đạt các mục tiêu đã đăng ký, có sự tham gia rộng rãi của các lực lượng. "
    "Đề nghị công nhận và nhân rộng.",
)
WEAK_COMMENTS = (
    "Kết quả chưa rõ, thiếu số liệu kiểm chứng; sức lan tỏa còn hạn chế. "
    "Chưa đủ điều kiện công nhận.",
    "Mô hình mới dừng ở tuyên truyền, chưa có sản phẩm đo đếm được. Đề nghị tiếp tục theo dõi.",
)


def score_sheet(criteria, *, seed: str, strong: bool) -> tuple[dict[int, int], str]:
    """Points per criterion and a comment: 75–100 % of each maximum on a strong sheet,
    40–65 % on a weak one, varying with ``seed`` so that no two sheets are alike."""
    low = 0.75 if strong else 0.40
    scores = {}
    for criterion in criteria:
        share = low + 0.25 * (zlib.crc32(f"{seed}/{criterion.position}".encode()) % 101) / 100
        scores[criterion.pk] = min(criterion.max_score, round(criterion.max_score * share))
    comments = STRONG_COMMENTS if strong else WEAK_COMMENTS
    return scores, comments[zlib.crc32(seed.encode()) % len(comments)]


# --- compact entries -------------------------------------------------------------------------


def expand_compact(block: dict, unit_names: dict[str, str]) -> list[dict]:
    """Full demo entries from the compact ones of ``block``.

    The registration items an entry leaves out come from the block's defaults, those of its
    field and those of its actor (``{unit}``, ``{person_name}`` and ``{start_month}`` filled in);
    its ``result`` and ``values`` make its one result report, from its start to its evaluation.
    """
    entries = []
    for compact in block["entries"]:
        start = parse_date(compact["start_date"])
        names = {
            "unit": unit_names.get(compact["owning_unit"], compact["owning_unit"]),
            "person_name": compact.get("person_name", ""),
            "start_month": f"tháng {start.month}/{start.year}",
        }
        templates = {
            **block["defaults"],
            **block["by_field"][compact["field"]],
            **block["by_actor"][compact["actor"]],
        }
        entry = {
            key: value.format_map(names) if isinstance(value, str) else value
            for key, value in templates.items()
        }
        entry.update(
            {key: value for key, value in compact.items() if key not in ("result", "values")}
        )
        entry["result_reports"] = [
            {
                "period_start": compact["start_date"],
                "period_end": entry["evaluation_date"],
                "narrative": compact["result"],
                "values": compact.get("values", {}),
            }
        ]
        entries.append(entry)
    return entries


# --- commendation rounds ---------------------------------------------------------------------


def _plain(text: str) -> str:
    """``text`` as the demo PDF can write it: ASCII, no diacritics, no parentheses."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return plain.encode("ascii", "ignore").decode().replace("(", "").replace(")", "")


def signed_decision(decision: dict, lines: int) -> SimpleUploadedFile | None:
    """The scan of the round's signed decision the fixture names (``file``), made up as a
    one-page PDF; a round is published only with its signed decision."""
    name = decision.get("file")
    if not name:
        return None
    text = [
        _plain(decision["authority"]).upper(),
        "QUYET DINH",
        f"So: {_plain(decision['number'])}  Ngay: {decision['date']}",
        f"Bieu duong, khen thuong {lines} tap the, ca nhan theo danh sach kem theo.",
        f"Nguoi ky: {_plain(decision['signer'])}",
    ]
    title = f"Quyết định số {decision['number']} ngày {decision['date']}"
    return SimpleUploadedFile(name, pdf_bytes(title, text), "application/pdf")


class RoundLoader:
    """Opens a fixture round, fills its list, records its decision and publishes it through the
    services, as the reviewer of its organising unit would, then dates each step."""

    def __init__(
        self,
        *,
        units: dict[str, Organisation],
        manager_of: Callable[[str, Organisation], object],
        notices: Notices,
    ):
        self.units = units
        self.manager_of = manager_of
        self.notices = notices

    def load(self, entry: dict) -> CommendationRound | None:
        """The round of ``entry``, or None when it is already there (left as it is)."""
        title = entry["title"]
        unit = self.units.get(entry["organising_unit"])
        if unit is None:
            raise CommandError(f"{title}: không có đơn vị mã “{entry['organising_unit']}”.")
        if CommendationRound.objects.filter(organising_unit=unit, title=title).exists():
            return None
        by = self.manager_of(title, unit)
        opened = moment_on(parse_date(entry["opened_on"]), 9)
        commendation_round = review.round_create(
            by=by,
            fields={
                "title": title,
                "kind": entry["kind"],
                "period_start": parse_date(entry["period_start"]),
                "period_end": parse_date(entry["period_end"]),
                "organising_unit": unit,
                "held_on": parse_date(entry["held_on"]),
            },
        )
        steps = [Step("created", opened)]
        steps += self._nominate(commendation_round, by, entry, opened)
        decision = entry.get("decision")
        if decision:
            decided_on = parse_date(decision["date"])
            review.round_record_decision(
                commendation_round=commendation_round,
                by=by,
                number=decision["number"],
                decided_on=decided_on,
                signer=decision["signer"],
                authority=decision["authority"],
                upload=signed_decision(decision, len(entry["commendations"])),
            )
            steps.append(Step("decision", moment_on(decided_on, 8)))
        if entry.get("published"):
            steps.append(self._publish(commendation_round, by))
        check_order(title, steps)
        self._backdate(commendation_round, steps)
        return commendation_round

    def _nominate(self, commendation_round, by, entry, opened) -> list[Step]:
        codes = [line["code"] for line in entry["commendations"]]
        models = {model.code: model for model in DanVanModel.objects.filter(code__in=codes)}
        steps = []
        for index, line in enumerate(entry["commendations"], start=1):
            model = models.get(line["code"])
            if model is None:
                raise CommandError(f"{entry['title']}: không có mô hình mã “{line['code']}”.")
            commendation = review.commendation_nominate(
                commendation_round=commendation_round,
                by=by,
                model=model,
                form=line["form"],
                citation=line.get("citation", entry.get("citation", "")),
            )
            rows = Commendation.objects.filter(pk=commendation.pk)
            steps.append(
                Step(
                    "nominated",
                    opened + timedelta(minutes=5 * index),
                    stamp=lambda moment, rows=rows: rows.update(
                        created_at=moment, updated_at=moment
                    ),
                )
            )
        return steps

    def _publish(self, commendation_round, by) -> Step:
        before = WorkflowEvent.objects.aggregate(last=Max("pk"))["last"] or 0
        review.round_publish(commendation_round=commendation_round, by=by)
        commended = WorkflowEvent.objects.filter(pk__gt=before, action=EventAction.COMMENDED)
        models = DanVanModel.objects.filter(commendations__round=commendation_round)

        def stamp(moment):
            commended.update(created_at=moment)
            CommendationRound.objects.filter(pk=commendation_round.pk).update(published_at=moment)

        step = Step("published", moment_on(commendation_round.held_on, 15), stamp=stamp)
        self.notices.after(step, [model.get_absolute_url() for model in models])
        return step

    def _backdate(self, commendation_round, steps: list[Step]) -> None:
        settle(steps)
        events = list(RoundEvent.objects.filter(round=commendation_round).order_by("pk"))
        if len(events) != len(steps):
            raise CommandError(f"{commendation_round}: số sự kiện không khớp với các bước đã đi.")
        for event, step in zip(events, steps, strict=True):
            event.created_at = step.moment
            if step.stamp:
                step.stamp(step.moment)
        RoundEvent.objects.bulk_update(events, ["created_at"])
        CommendationRound.objects.filter(pk=commendation_round.pk).update(
            created_at=steps[0].moment, updated_at=steps[-1].moment
        )
