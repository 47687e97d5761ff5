"""Sign-in throttling: django-axes locks one account from one address after five failures."""

import logging
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import MD5PasswordHasher
from django.db.models import F
from django.urls import reverse

PASSWORD = "correct horse"
HOME = "192.0.2.10"
ELSEWHERE = "198.51.100.20"


class CountingHasher(MD5PasswordHasher):
    """A fast hasher that counts the passwords it hashes (checking one hashes it too)."""

    algorithm = "counting_md5"
    calls = 0

    def encode(self, password, salt):
        type(self).calls += 1
        return super().encode(password, salt)


@pytest.fixture
def hasher(settings):
    settings.PASSWORD_HASHERS = ["tests.test_signin.CountingHasher"]
    CountingHasher.calls = 0
    return CountingHasher


@pytest.fixture
def editor(db, django_user_model, hasher):
    return django_user_model.objects.create_superuser("editor", "editor@example.org", PASSWORD)


def sign_in(client, username="editor", password=PASSWORD, address=HOME, **headers):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=address,
        **headers,
    )


def fail(client, times, **kwargs):
    """Sign in with a wrong password several times; return the responses."""
    return [sign_in(client, password="wrong", **kwargs) for _ in range(times)]


def signed_in(response):
    return response.status_code == 302 and response.url == reverse("admin:index")


def locked(response):
    return response.status_code == 429 and b"Signing in is locked" in response.content


def test_five_failures_lock_the_account_from_that_address(client, editor):
    responses = fail(client, 5)

    assert [response.status_code for response in responses[:4]] == [200] * 4
    assert locked(responses[4]), "the fifth failure locks"
    response = sign_in(client)
    assert locked(response), "the sixth is refused, even with the right password"
    assert "_auth_user_id" not in client.session


def test_the_lockout_page_says_how_long(client, editor):
    fail(client, 5)

    response = sign_in(client)
    text = response.content.decode()

    assert "for\n    15 minutes" in text or "for 15 minutes" in " ".join(text.split())
    assert "“editor”" in text
    assert "admin/locked_out.html" in [template.name for template in response.templates]
    assert 'href="/admin/login/"' in text


def test_another_address_is_not_locked(client, editor):
    fail(client, 5)

    assert locked(sign_in(client))
    assert signed_in(sign_in(client, address=ELSEWHERE))


def test_another_account_is_not_locked(client, editor, django_user_model):
    django_user_model.objects.create_superuser("reviewer", "reviewer@example.org", PASSWORD)
    fail(client, 5)

    assert locked(sign_in(client))
    assert signed_in(sign_in(client, username="reviewer"))


def test_a_success_before_the_fifth_failure_resets_the_count(client, editor):
    fail(client, 4)
    assert signed_in(sign_in(client))
    client.logout()
    fail(client, 4)

    assert signed_in(sign_in(client)), "eight failures, but never five in a row"


def test_the_lock_ends_after_the_cool_off(client, editor):
    fail(client, 5)

    # Move the recorded failures back in time instead of waiting.
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=14))
    assert locked(sign_in(client)), "still locked after 14 minutes"

    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=1, seconds=1))
    assert signed_in(sign_in(client))


def test_attempts_while_locked_do_not_extend_the_lock(client, editor):
    fail(client, 5)
    last_failure = AccessAttempt.objects.get().attempt_time

    for _ in range(3):
        assert locked(sign_in(client, password="wrong"))

    attempt = AccessAttempt.objects.get()
    assert attempt.attempt_time == last_failure
    assert attempt.failures_since_start == 5


def test_the_password_is_not_hashed_while_locked(client, editor, hasher):
    hasher.calls = 0
    fail(client, 5)
    assert hasher.calls == 5, "each plain failure checks the password once"

    assert locked(sign_in(client))
    assert locked(sign_in(client, password="wrong"))
    assert locked(sign_in(client, password="wrong"))

    assert hasher.calls == 5


def test_the_lock_is_logged(client, editor, caplog):
    with caplog.at_level(logging.WARNING, logger="axes"):
        fail(client, 5)

    assert any("Locking out" in record.getMessage() for record in caplog.records)


def test_a_forwarded_for_header_is_ignored_by_default(client, editor):
    fail(client, 5)

    assert locked(sign_in(client, HTTP_X_FORWARDED_FOR=ELSEWHERE))


def test_behind_a_proxy_the_address_comes_from_the_configured_header(client, editor, settings):
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    proxy = "127.0.0.1"
    fail(client, 5, address=proxy, HTTP_X_FORWARDED_FOR=HOME)

    assert locked(sign_in(client, address=proxy, HTTP_X_FORWARDED_FOR=HOME))
    assert signed_in(sign_in(client, address=proxy, HTTP_X_FORWARDED_FOR=ELSEWHERE))
    assert AccessAttempt.objects.get().ip_address == HOME
