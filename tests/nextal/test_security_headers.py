"""Response headers in production: CSP, HSTS (when configured), no-store, Permissions-Policy, and
`manage.py check --deploy` with the README's production settings reporting nothing."""

import os
import re
import shlex
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from tests.factories import CandidateFactory

ROOT = django_settings.BASE_DIR


def readme_production_environment():
    """The variables of the `export` in the README's "Running in production", `...` filled in."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Running in production", 1)[1]
    block = section.split("```sh", 1)[1].split("```", 1)[0]
    export = re.search(r"export (.*?)\n(?!\s)", block, re.S).group(1).replace("\\\n", " ")
    values = dict(word.split("=", 1) for word in shlex.split(export))
    values["SECRET_KEY"] = "a-production-like-secret-key-" + "x7Qp" * 10
    values["FIELD_ENCRYPTION_KEYS"] = os.environ["FIELD_ENCRYPTION_KEYS"]
    values["DATABASE_URL"] = values["DATABASE_URL"].replace("...", "password")
    return values


def run_with(environment, *args):
    env = {
        "PATH": os.environ["PATH"],
        "NEXTAL_IGNORE_DOTENV": "1",
        "DJANGO_SETTINGS_MODULE": "nextal.settings",
        **environment,
    }
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def setting_in(environment, expression):
    result = run_with(
        environment,
        "-c",
        f"import django; django.setup(); from django.conf import settings; print({expression})",
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_readme_production_settings_pass_check_deploy():
    environment = readme_production_environment()
    assert environment["SECURE_HSTS_SECONDS"] != "0"
    result = run_with(environment, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_reports_a_production_setup_without_hsts():
    environment = readme_production_environment()
    environment.pop("SECURE_HSTS_SECONDS")
    result = run_with(environment, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout


def test_the_proxy_header_is_trusted_only_when_told():
    base = readme_production_environment()
    base.pop("TRUSTED_PROXY", None)
    assert setting_in(base, "settings.SECURE_PROXY_SSL_HEADER") == "None"
    trusted = {**base, "TRUSTED_PROXY": "true"}
    assert setting_in(trusted, "settings.SECURE_PROXY_SSL_HEADER") == (
        "('HTTP_X_FORWARDED_PROTO', 'https')"
    )


def test_hsts_and_ssl_redirect_come_from_the_environment():
    environment = {"SECURE_HSTS_SECONDS": "600", "SECURE_SSL_REDIRECT": "true"}
    assert setting_in(environment, "settings.SECURE_HSTS_SECONDS") == "600"
    assert setting_in(environment, "settings.SECURE_SSL_REDIRECT") == "True"
    assert setting_in({}, "(settings.SECURE_HSTS_SECONDS, settings.SECURE_SSL_REDIRECT)") == (
        "(0, False)"
    )


def test_the_development_server_keeps_no_database_connections_open():
    environment = {"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/nextal", "DEBUG": "true"}
    conn_max_age = "settings.DATABASES['default']['CONN_MAX_AGE']"
    code = (
        "import sys; sys.argv = ['manage.py', 'runserver']; import django; django.setup(); "
        f"from django.conf import settings; print({conn_max_age})"
    )
    result = run_with(environment, "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0"
    # gunicorn and workers keep theirs.
    assert setting_in(environment, conn_max_age) == "60"


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    return settings


def candidate_pages(candidate):
    return [
        reverse("candidates:list"),
        reverse("candidates:detail", args=[candidate.pk]),
        reverse("sms:inbox"),
    ]


def test_pages_carry_a_strict_csp_hsts_and_no_store(production, recruiter_client):
    candidate = CandidateFactory(first_name="Ada")
    for url in candidate_pages(candidate):
        response = recruiter_client.get(url, secure=True)
        assert response.status_code == 200, url
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp
        assert "style-src 'self'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        assert "no-store" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]
        assert "camera=()" in response["Permissions-Policy"]
        assert response["Referrer-Policy"] == "same-origin"


def test_no_hsts_unless_configured(settings, recruiter_client):
    settings.DEBUG = False
    settings.SECURE_HSTS_SECONDS = 0
    response = recruiter_client.get(reverse("candidates:list"), secure=True)
    assert "Strict-Transport-Security" not in response
    assert "Content-Security-Policy" in response


def test_ssl_redirect_spares_the_health_check(production, client):
    production.SECURE_SSL_REDIRECT = True
    assert client.get(reverse("candidates:list")).status_code == 301
    assert client.get(reverse("health")).status_code == 200


def test_the_login_page_and_errors_carry_the_csp_too(production, client, recruiter_client):
    assert "Content-Security-Policy" in client.get(reverse("login"))
    missing = recruiter_client.get("/candidates/999999999/")
    assert missing.status_code == 404
    assert "Content-Security-Policy" in missing
    assert "no-store" in missing["Cache-Control"]


def test_templates_have_no_inline_scripts_styles_or_handlers():
    """The CSP forbids them; the browser test checks the pages, this every template."""
    offenders = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        text = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text):
            offenders.append(f"{path.name}: inline <script>")
        if re.search(r"<style\b", text) or re.search(r"\sstyle=", text):
            offenders.append(f"{path.name}: inline style")
        if re.search(r"\son[a-z]+=", text) or "hx-on" in text or "javascript:" in text:
            offenders.append(f"{path.name}: inline handler")
        if re.search(r"hx-trigger=\"[^\"]*\[", text):
            offenders.append(f"{path.name}: an hx-trigger filter needs eval")
    assert offenders == []
