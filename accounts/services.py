"""Writes to people's accounts by the admins of their units; every one runs in a transaction.

Each service locks the account's row, checks that ``by`` manages it (``selectors``) and makes
the change inside ``acting(by)``, so the audit trail (``AccountHistory``,
``AccountProfileHistory``, ``MembershipHistory``) records it as ``by``'s. The checks live here,
not in the views: an import or a command gets the same answers.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pghistory
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher, make_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from accounts.models import PASSWORD_RESET_EVENT, SESSIONS_END_EVENT, Account, AccountProfile
from accounts.selectors import manageable_accounts, manageable_units
from core.audit import acting
from core.models import NotificationKind
from core.notifications import notify_on_commit
from core.text import search_text, single_line
from organisations.choices import Role
from organisations.models import Membership, Organisation
from organisations.services import admin_group, membership_grant, membership_revoke

if TYPE_CHECKING:
    from django.contrib.auth.models import User

NOT_MANAGED = "Bạn không quản lý tài khoản này."
NOT_YOURSELF = "Bạn không thể tự thực hiện thao tác này trên tài khoản của chính mình."
EMAIL_TAKEN = "Địa chỉ e-mail này đã được dùng cho một tài khoản khác."
# The unique index on lower(email) of the accounts that have one (migration 0003).
EMAIL_INDEX = "accounts_user_email_unique_ci"
UNIT_OUT_OF_SCOPE = (
    "Đơn vị này không thuộc phạm vi quản trị của bạn: bạn chỉ có thể phân quyền tại đơn vị "
    "mình quản trị hoặc đơn vị trực thuộc, không cao hơn."
)

# Letters and digits that cannot be mistaken for one another when read aloud or copied by hand.
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"


def one_time_password() -> str:
    """A random password to hand over once, in three groups of four: "k7Pq-2mXa-9TwR"."""
    return "-".join("".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(4)) for _ in range(3))


class _OneTimePasswordHasher(PBKDF2PasswordHasher):
    """The default hasher with fewer rounds, for one-time passwords only.

    A file of thousands of new accounts would otherwise spend most of an hour hashing in one
    request (``make bench-accounts``).
    A one-time password is 12 random characters from 54 (about 69 bits), out of reach of
    guessing whatever the rounds, and lives until the first log-in, where Django re-hashes it
    with the full rounds before the person replaces it.
    """

    iterations = 50_000


def _set_one_time_password(user, password: str) -> None:
    if isinstance(get_hasher(), PBKDF2PasswordHasher):
        user.password = make_password(password, hasher=_OneTimePasswordHasher())
        user._password = password
    else:
        user.set_password(password)


def normalised_phone(value: str) -> str:
    """A phone number as its digits (a leading + kept), so searching by digits finds it."""
    value = single_line(value or "")
    digits = re.sub(r"\D", "", value)
    return f"+{digits}" if value.startswith("+") and digits else digits


def _locked_account(*, user, by) -> Account:
    """``user`` re-read under a row lock, once ``by`` is known to manage them."""
    if by is not None and user.pk == by.pk:
        raise ValidationError(NOT_YOURSELF)
    account = Account.objects.select_for_update().filter(pk=user.pk).first()
    if account is None or not manageable_accounts(by).filter(pk=user.pk).exists():
        raise ValidationError(NOT_MANAGED)
    return account


def _check_unit(*, organisation: Organisation, role: str, by) -> None:
    if role not in Role.values:
        raise ValidationError("Vai trò không hợp lệ.")
    if not manageable_units(by).filter(pk=organisation.pk).exists():
        raise ValidationError(UNIT_OUT_OF_SCOPE)


def _check_email_free(email: str, *, except_pk=None) -> None:
    if not email:
        return
    taken = get_user_model().objects.filter(email__iexact=email).exclude(pk=except_pk)
    if taken.exists():
        raise ValidationError({"email": EMAIL_TAKEN})


def email_index_refusal(error: IntegrityError) -> str | None:
    """The address the e-mail index refused in ``error`` ("" when it is not told), or None
    when ``error`` is about something else."""
    diag = getattr(error.__cause__, "diag", None)
    if getattr(diag, "constraint_name", None) != EMAIL_INDEX:
        return None
    found = re.search(r"=\((.*)\) already exists", getattr(diag, "message_detail", None) or "")
    return found.group(1) if found else ""


@contextmanager
def _email_kept_unique() -> Iterator[None]:
    """A write racing another for the same address: the database's unique index refuses the
    second one, which is told the same as by the check before it."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as error:
        if email_index_refusal(error) is None:
            raise
        raise ValidationError({"email": EMAIL_TAKEN}) from error


def username_for(full_name: str) -> str:
    """A free username made from the name without diacritics: "Nguyễn Văn An" → "nguyen.van.an",
    then "nguyen.van.an2", … when taken."""
    base = _username_base(full_name)
    taken = set(
        get_user_model()
        .objects.filter(username__iregex=rf"^{re.escape(base)}[0-9]*$")
        .values_list("username", flat=True)
    )
    taken = {name.lower() for name in taken}
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}{number}"
    return candidate


def _profile(user) -> AccountProfile:
    profile, _ = AccountProfile.objects.select_for_update().get_or_create(user=user)
    return profile


def end_sessions_of(user) -> int:
    """Delete every open session of ``user`` from the session store; the number deleted.

    Sessions are kept in the database and carry the user's id only inside their encoded data,
    so the unexpired ones are read and decoded (the idle timeout keeps them few).
    """
    mine = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            mine.append(session.session_key)
    if mine:
        Session.objects.filter(session_key__in=mine).delete()
    return len(mine)


@transaction.atomic
def account_create(
    *,
    full_name: str,
    email: str,
    phone: str,
    organisation: Organisation,
    role: str,
    by: User,
    username: str = "",
) -> tuple[User, str]:
    """A new account with ``role`` on ``organisation`` and a one-time password, returned once;
    the person must change it at their first log-in."""
    _check_unit(organisation=organisation, role=role, by=by)
    full_name = single_line(full_name)
    if not full_name:
        raise ValidationError({"full_name": "Hãy nhập họ và tên."})
    email = (email or "").strip().lower()
    if email:
        validate_email(email)
    _check_email_free(email)
    username = (username or "").strip() or username_for(full_name)
    User = get_user_model()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": "Tên đăng nhập này đã có người dùng."})
    password = one_time_password()
    user = User(username=username, first_name=full_name[:150], email=email, is_active=True)
    user.full_clean(exclude=["password"])
    _set_one_time_password(user, password)
    with acting(by):
        with _email_kept_unique():
            user.save()
        AccountProfile.objects.create(
            user=user, phone=normalised_phone(phone), must_change_password=True
        )
    membership_grant(user=user, organisation=organisation, role=role, by=by)
    return user, password


@transaction.atomic
def account_update(*, user: User, full_name: str, email: str, phone: str, by: User) -> User:
    """Change a person's name, e-mail and phone."""
    account = _locked_account(user=user, by=by)
    full_name = single_line(full_name)
    if not full_name:
        raise ValidationError({"full_name": "Hãy nhập họ và tên."})
    email = (email or "").strip().lower()
    if email:
        validate_email(email)
    _check_email_free(email, except_pk=account.pk)
    account.first_name, account.last_name, account.email = full_name[:150], "", email
    account.full_clean(exclude=["password"])
    with acting(by):
        with _email_kept_unique():
            account.save(update_fields=["first_name", "last_name", "email"])
        profile = _profile(account)
        profile.phone = normalised_phone(phone)
        profile.save(update_fields=["phone", "updated_at"])
    return account


@transaction.atomic
def account_sso_subject_set(*, user: User, subject: str, by: User) -> User:
    """Record (or, with an empty ``subject``, remove) the identifier by which the single sign-on
    gateway names this person; only then can they sign in through it."""
    account = _locked_account(user=user, by=by)
    subject = single_line(subject or "") or None
    if subject and len(subject) > 255:
        raise ValidationError({"sso_subject": "Mã định danh dài quá 255 ký tự."})
    taken = AccountProfile.objects.filter(sso_subject=subject).exclude(user=account)
    if subject and taken.exists():
        raise ValidationError(
            {"sso_subject": "Mã định danh này đã được gắn với một tài khoản khác."}
        )
    with acting(by):
        profile = _profile(account)
        profile.sso_subject = subject
        profile.save(update_fields=["sso_subject", "updated_at"])
    return account


@transaction.atomic
def account_deactivate(*, user: User, by: User) -> User:
    """Lock a person out: they cannot log in, and their open sessions end now."""
    account = _locked_account(user=user, by=by)
    if not account.is_active:
        raise ValidationError("Tài khoản này đã bị khóa.")
    account.is_active = False
    with acting(by):
        account.save(update_fields=["is_active"])
    transaction.on_commit(lambda: end_sessions_of(account))
    return account


@transaction.atomic
def account_reactivate(*, user: User, by: User) -> User:
    """Let a locked-out person log in again."""
    account = _locked_account(user=user, by=by)
    if account.is_active:
        raise ValidationError("Tài khoản này đang hoạt động.")
    account.is_active = True
    with acting(by):
        account.save(update_fields=["is_active"])
    return account


@transaction.atomic
def account_password_reset(*, user: User, by: User) -> str:
    """A new one-time password for a person, returned once; they must change it at the next
    log-in, and their open sessions end."""
    account = _locked_account(user=user, by=by)
    password = one_time_password()
    _set_one_time_password(account, password)
    with acting(by):
        account.save(update_fields=["password"])
        profile = _profile(account)
        profile.must_change_password = True
        profile.save(update_fields=["must_change_password", "updated_at"])
        pghistory.create_event(account, label=PASSWORD_RESET_EVENT)
    transaction.on_commit(lambda: end_sessions_of(account))
    return password


@transaction.atomic
def account_sessions_end(*, user: User, by: User) -> int:
    """Log a person out everywhere (a lost phone, a shared computer)."""
    account = _locked_account(user=user, by=by)
    with acting(by):
        pghistory.create_event(account, label=SESSIONS_END_EVENT)
    return end_sessions_of(account)


@transaction.atomic
def account_role_grant(*, user: User, organisation: Organisation, role: str, by: User):
    """Give a person a role on a unit of ``by``'s admin subtree."""
    account = _locked_account(user=user, by=by)
    _check_unit(organisation=organisation, role=role, by=by)
    if Membership.objects.filter(user=account, organisation=organisation, role=role).exists():
        raise ValidationError("Người này đã có vai trò này tại đơn vị này.")
    membership = membership_grant(user=account, organisation=organisation, role=role, by=by)
    _notify_role_change(
        account, f"Bạn được cấp vai trò {Role(role).label} tại {organisation.name}", by=by
    )
    return membership


@transaction.atomic
def account_role_revoke(*, membership: Membership, by: User) -> None:
    """Take a role away; the last one stays (lock the account instead), so that the person
    remains in their admins' hands."""
    account = _locked_account(user=membership.user, by=by)
    held = list(
        Membership.objects.select_for_update().filter(user=account).values_list("pk", flat=True)
    )
    if membership.pk not in held:
        raise ValidationError("Vai trò này đã được thu hồi.")
    if len(held) <= 1:
        raise ValidationError(
            "Không thể thu hồi vai trò cuối cùng của một người. "
            "Nếu người này không còn làm việc, hãy khóa tài khoản."
        )
    membership_revoke(membership=membership, by=by)
    _notify_role_change(
        account,
        f"Vai trò {membership.get_role_display()} của bạn tại {membership.organisation.name} "
        "đã được thu hồi",
        by=by,
    )


def _notify_role_change(account, title: str, *, by) -> None:
    """Tell the person, once the change is committed."""
    notify_on_commit(
        recipients=[account],
        kind=NotificationKind.ROLE_CHANGED,
        title=title,
        body=f"Người thực hiện: {by.get_full_name() or by.username}.",
        url=reverse("home"),
    )


@transaction.atomic
def account_password_changed(*, user: User) -> None:
    """The person chose their own password: the one-time password's obligation is met."""
    with acting(user):
        AccountProfile.objects.select_for_update().filter(
            user=user, must_change_password=True
        ).update(must_change_password=False)


def _one_time_hashes(passwords: list[str]) -> list[str]:
    """The stored form of each one-time password, hashed on every core.

    The rounds are the cost of an import (about 10 ms a password on one core at 50,000): the
    hashing library releases the interpreter lock while it computes, so threads use every core.
    """
    if not isinstance(get_hasher(), PBKDF2PasswordHasher):
        return [make_password(password) for password in passwords]
    hasher = _OneTimePasswordHasher()
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return list(pool.map(lambda password: make_password(password, hasher=hasher), passwords))


def _taken(field: str, values: set[str]) -> set[str]:
    """Those of ``values`` (lower-cased) that an account already has as ``field``, whatever
    its case."""
    return set(
        get_user_model()
        .objects.annotate(key=Lower(field))
        .filter(key__in=values)
        .values_list("key", flat=True)
    )


def taken_usernames(usernames: set[str]) -> set[str]:
    """Those of ``usernames`` (lower-cased) that someone already has."""
    return _taken("username", usernames) if usernames else set()


def taken_emails(emails: set[str]) -> set[str]:
    """Those of ``emails`` (lower-cased) already used by an account."""
    return _taken("email", emails) if emails else set()


def _usernames_from_bases(bases: set[str]) -> set[str]:
    """Every stored username, lower-cased, that is one of ``bases`` followed by digits."""
    User = get_user_model()
    taken: set[str] = set()
    ordered = sorted(bases)
    for start in range(0, len(ordered), 200):
        pattern = "|".join(re.escape(base) for base in ordered[start : start + 200])
        taken.update(
            name.lower()
            for name in User.objects.filter(username__iregex=rf"^({pattern})[0-9]*$").values_list(
                "username", flat=True
            )
        )
    return taken


def _username_base(full_name: str) -> str:
    """The name without diacritics, words joined by dots: "Nguyễn Văn An" → "nguyen.van.an"."""
    return re.sub(r"[^a-z0-9]+", ".", search_text(full_name)).strip(".")[:140] or "nguoidung"


@transaction.atomic
def accounts_import(
    *, rows, by: User, progress: Callable[[int], None] | None = None
) -> list[tuple[User, str]]:
    """Create the accounts of checked spreadsheet rows (``imports.read_account_rows``), all or none,
    each with its one-time password; the same rules as ``account_create``, and a refusal names
    its row and undoes the whole file.

    A file holds up to thousands of people, so nothing is asked of the database per row: the
    units, usernames and e-mails are checked in a few queries, the passwords hashed on every
    core, and the accounts, profiles and roles written with bulk inserts (the audit trail's
    triggers record each row as ``by``'s). ``progress`` is told how many rows are checked.
    """
    User = get_user_model()
    rows = list(rows)
    in_scope = set(
        manageable_units(by)
        .filter(pk__in={row.unit.pk for row in rows})
        .values_list("pk", flat=True)
    )
    explicit = {row.username.strip().lower() for row in rows if row.username.strip()}
    taken_names = taken_usernames(explicit)
    emails_used = taken_emails({(row.email or "").strip().lower() for row in rows} - {""})
    bases = {_username_base(single_line(row.full_name)) for row in rows if not row.username.strip()}
    # A generated username never takes one stored, nor one typed anywhere in the file.
    used = _usernames_from_bases(bases) | taken_names | explicit
    next_number: dict[str, int] = {}

    people = []
    for count, row in enumerate(rows, start=1):
        if progress is not None and count % 200 == 0:
            progress(count)
        try:
            if row.role not in Role.values:
                raise ValidationError("Vai trò không hợp lệ.")
            if row.unit.pk not in in_scope:
                raise ValidationError(UNIT_OUT_OF_SCOPE)
            full_name = single_line(row.full_name)
            if not full_name:
                raise ValidationError({"full_name": "Hãy nhập họ và tên."})
            email = (row.email or "").strip().lower()
            if email:
                validate_email(email)
            if email in emails_used:
                raise ValidationError({"email": EMAIL_TAKEN})
            username = (row.username or "").strip()
            if username:
                if username.lower() in taken_names:
                    raise ValidationError({"username": "Tên đăng nhập này đã có người dùng."})
                taken_names.add(username.lower())  # a second row with it is refused too
            else:
                base = _username_base(full_name)
                candidate, number = base, next_number.get(base, 1)
                if number > 1:
                    candidate = f"{base}{number}"
                while candidate in used:
                    number += 1
                    candidate = f"{base}{number}"
                next_number[base] = number
                used.add(candidate)
                username = candidate
            user = User(
                username=username,
                first_name=full_name[:150],
                email=email,
                is_active=True,
                is_staff=row.role == Role.ADMIN,
            )
            user.full_clean(exclude=["password"], validate_unique=False)
        except ValidationError as error:
            raise ValidationError(f"Dòng {row.sheet_row}: {'; '.join(error.messages)}") from error
        if email:
            emails_used.add(email)
        people.append(user)

    passwords = [one_time_password() for _ in people]
    for user, stored in zip(people, _one_time_hashes(passwords), strict=True):
        user.password = stored
    with acting(by):
        try:
            with transaction.atomic():
                User.objects.bulk_create(people)
        except IntegrityError as error:
            # Another account took one of the addresses since they were checked.
            email = email_index_refusal(error)
            if email is None:
                raise
            row = next(
                (row for user, row in zip(people, rows, strict=True) if user.email == email), None
            )
            where = f"Dòng {row.sheet_row}: " if row is not None else ""
            raise ValidationError(f"{where}{EMAIL_TAKEN}") from error
        AccountProfile.objects.bulk_create(
            AccountProfile(user=user, phone=normalised_phone(row.phone), must_change_password=True)
            for user, row in zip(people, rows, strict=True)
        )
        Membership.objects.bulk_create(
            Membership(user=user, organisation=row.unit, role=row.role)
            for user, row in zip(people, rows, strict=True)
        )
    admins = [user for user, row in zip(people, rows, strict=True) if row.role == Role.ADMIN]
    if admins:
        group = admin_group()
        User.groups.through.objects.bulk_create(
            User.groups.through(user_id=user.pk, group_id=group.pk) for user in admins
        )
    return list(zip(people, passwords, strict=True))


def import_passwords_take(*, job) -> bytes | None:
    """The passwords file of a large import, once: read and removed under the job's row lock,
    so that two downloads at once get it once; ``None`` when it is gone."""
    from core.models import ImportJob

    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if not locked.result.name:
            return None
        with locked.result.open("rb") as handle:
            content = handle.read()
        locked.result.delete(save=False)
        ImportJob.objects.filter(pk=job.pk).update(result="")
    return content
