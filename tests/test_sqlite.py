"""SQLite as configured lets concurrent read-then-write transactions queue, not fail."""

import threading

from django.conf import settings
from django.db.backends.sqlite3.base import DatabaseWrapper
from django.db.utils import OperationalError

THREADS = 8
TRANSACTIONS = 25


def connect(path, options):
    settings_dict = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": options,
        "ATOMIC_REQUESTS": False,
        "AUTOCOMMIT": True,
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "TIME_ZONE": None,
        "USER": "",
        "PASSWORD": "",
        "HOST": "",
        "PORT": "",
        "TEST": {},
    }
    return DatabaseWrapper(settings_dict, alias=f"sqlite-{threading.get_ident()}")


def run_concurrent_counters(path, options):
    """Return how many read-then-write transactions failed with 'database is locked'."""
    setup = connect(path, options)
    with setup.cursor() as cursor:
        cursor.execute("CREATE TABLE counter (n INTEGER)")
        cursor.execute("INSERT INTO counter VALUES (0)")
    setup.close()
    failures = []

    def work():
        connection = connect(path, options)
        for _ in range(TRANSACTIONS):
            try:
                with connection.cursor() as cursor:
                    cursor.execute("BEGIN " + options.get("transaction_mode", "DEFERRED"))
                    cursor.execute("SELECT n FROM counter")
                    (value,) = cursor.fetchone()
                    cursor.execute("UPDATE counter SET n = %s", [value + 1])
                    cursor.execute("COMMIT")
            except OperationalError as error:
                failures.append(str(error))
                with connection.cursor() as cursor:
                    cursor.execute("ROLLBACK")
        connection.close()

    threads = [threading.Thread(target=work) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    check = connect(path, options)
    with check.cursor() as cursor:
        cursor.execute("SELECT n FROM counter")
        (total,) = cursor.fetchone()
    check.close()
    return failures, total


def test_settings_open_sqlite_with_immediate_transactions_a_timeout_and_wal():
    assert settings.SQLITE_OPTIONS["transaction_mode"] == "IMMEDIATE"
    assert settings.SQLITE_OPTIONS["timeout"] == 20
    assert "journal_mode=WAL" in settings.SQLITE_OPTIONS["init_command"]


def test_concurrent_read_then_write_transactions_all_succeed(tmp_path, django_db_blocker):
    with django_db_blocker.unblock():
        failures, total = run_concurrent_counters(tmp_path / "db.sqlite3", settings.SQLITE_OPTIONS)
    assert failures == []
    assert total == THREADS * TRANSACTIONS
