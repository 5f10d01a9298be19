"""An index of the task results that are not successful, so /metrics counts running and failed
tasks without reading the whole table (django-tasks-db indexes only the ready ones)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("danvan", "0009_failed_password_reset_emails"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [
        migrations.RunSQL(
            sql=(
                "CREATE INDEX IF NOT EXISTS danvan_task_results_unfinished "
                "ON django_tasks_database_dbtaskresult (status) "
                "WHERE status IN ('RUNNING', 'FAILED')"
            ),
            reverse_sql="DROP INDEX IF EXISTS danvan_task_results_unfinished",
        ),
    ]
