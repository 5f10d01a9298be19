"""How a model joins the audit trail: database triggers (django-pghistory) that copy every
insert, update and delete into its history table, bulk writes and raw SQL included."""

import contextlib

import pghistory


def audited(history_name: str, *, history_on_object: bool = True, **options):
    """Decorate a model so every insert, update and delete is kept in ``history_name``.

    With ``history_on_object`` the rows are reachable as ``obj.history``; ``options`` go to
    ``pghistory.track`` (``exclude`` for derived columns, for example).
    """
    if history_on_object:
        options["obj_field"] = pghistory.ObjForeignKey(related_name="history", db_index=True)
    return pghistory.track(
        pghistory.InsertEvent(),
        pghistory.UpdateEvent(),
        pghistory.DeleteEvent(),
        model_name=history_name,
        **options,
    )


def acting(by):
    """Attribute the changes made inside to ``by`` in the audit trail (nothing for None).

    A request is attributed by the middleware already; this covers what services do from
    commands, imports and the worker as well, so the trail never depends on who called.
    """
    if by is None:
        return contextlib.nullcontext()
    return pghistory.context(user=by.pk)
