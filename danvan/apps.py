from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class DanvanConfig(AppConfig):
    name = "danvan"
    # The app label "danvan" belongs to core, whose models and migrations were made under it.
    label = "portal"
    verbose_name = "Cổng Dân vận khéo"

    def ready(self):
        # runserver's reloader imports the URLconf in one thread (views → the PostgreSQL
        # aggregates → their fields) while the server thread loads the migrations (pghistory's
        # import the same fields). Two threads importing one package at once can see it half
        # made and the server thread dies before it listens; importing it here, before either
        # thread starts, leaves nothing to race for.
        import django.contrib.postgres.fields  # noqa: F401
        import django.contrib.postgres.fields.jsonb  # noqa: F401
        from django.contrib.auth.signals import user_logged_in

        from danvan.middleware import note_second_step_at_log_in, note_session_start_at_log_in

        user_logged_in.connect(note_second_step_at_log_in, dispatch_uid="second_step_at_log_in")
        user_logged_in.connect(note_session_start_at_log_in, dispatch_uid="session_start_at_log_in")

        from django_tasks.signals import task_finished, task_started

        from danvan.logs import task_id_var

        # The worker's log lines carry the id of the task they were written for.
        def note_task(sender, task_result, **kwargs):
            task_id_var.set(str(task_result.id))

        def forget_task(sender, task_result, **kwargs):
            task_id_var.set(None)

        task_started.connect(note_task, dispatch_uid="log_task_id", weak=False)
        task_finished.connect(forget_task, dispatch_uid="log_task_id", weak=False)


class PortalAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the portal's own site (scoped "view on site" links)."""

    default = False  # named in INSTALLED_APPS; "danvan" itself stays DanvanConfig
    default_site = "core.admin_site.PortalAdminSite"
