"""Settings, read from the environment with small helpers that fail loudly."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"Set the {name} environment variable.")
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


DEBUG = env_bool("KEYPROJECTS_DEBUG", True)
SECRET_KEY = env("KEYPROJECTS_SECRET_KEY", "insecure-development-key" if DEBUG else None)
ALLOWED_HOSTS = env("KEYPROJECTS_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in env("KEYPROJECTS_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_filters",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "keyprojects.organisations",
    "keyprojects.audit",
    "keyprojects.projects",
    "keyprojects.scheduling",
    "keyprojects.progress",
    "keyprojects.money",
    "keyprojects.approvals",
    "keyprojects.notifications",
    "keyprojects.supervision",
    "keyprojects.problems",
    "keyprojects.meetings",
    "keyprojects.inspections",
    "keyprojects.alerts",
    "keyprojects.assessment",
    "keyprojects.bulletins",
    "keyprojects.cockpit",
    "keyprojects.jobs",
    "keyprojects.api",
    "keyprojects.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "keyprojects.web.middleware.ChineseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "keyprojects.audit.middleware.AuditContextMiddleware",
]

ROOT_URLCONF = "keyprojects.urls"
WSGI_APPLICATION = "keyprojects.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "keyprojects" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "keyprojects.notifications.context_processors.unread",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Web requests are short: parallel workers cost more to start than they save, and on a
    # small server they take the cores other requests need.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = env(
        "KEYPROJECTS_PG_OPTIONS", "-c max_parallel_workers_per_gather=0"
    )
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "organisations.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "projects:list"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "keyprojects" / "locale"]
TIME_ZONE = env("KEYPROJECTS_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("KEYPROJECTS_MEDIA_ROOT", str(BASE_DIR / "media")))
# Front-end libraries come from npm (package.json) and are served from node_modules.
_NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS: list[str | Path | tuple[str, Path]] = [BASE_DIR / "keyprojects" / "static"]
STATICFILES_DIRS += [
    (prefix, _NODE_MODULES / path)
    for prefix, path in [
        ("vendor/bootstrap", "bootstrap/dist"),
        ("vendor/bootstrap-icons", "bootstrap-icons/font"),
        ("vendor/htmx", "htmx.org/dist"),
        ("vendor/echarts", "echarts/dist"),
    ]
    if (_NODE_MODULES / path).is_dir()
]

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# The district that command-line imports and exports use when none is named (division code).
KEYPROJECTS_DEFAULT_JURISDICTION = env("KEYPROJECTS_DEFAULT_JURISDICTION", "")

# 序时进度 lights: points behind the expected share at which a project turns yellow and red.
KEYPROJECTS_LIGHT_YELLOW_POINTS = int(env("KEYPROJECTS_LIGHT_YELLOW_POINTS", "10"))
KEYPROJECTS_LIGHT_RED_POINTS = int(env("KEYPROJECTS_LIGHT_RED_POINTS", "30"))
# Monthly reports are due by this day of the following month.
KEYPROJECTS_REPORT_DUE_DAY = int(env("KEYPROJECTS_REPORT_DUE_DAY", "5"))

# Email: printed to the console by default; set the KEYPROJECTS_EMAIL_* variables to send.
EMAIL_BACKEND = env("KEYPROJECTS_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("KEYPROJECTS_EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("KEYPROJECTS_EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = env("KEYPROJECTS_FROM_EMAIL", "keyprojects@localhost")
# The address people reach the site at, for links in emails.
KEYPROJECTS_SITE_URL = env("KEYPROJECTS_SITE_URL", "http://127.0.0.1:8000")
# Reminders of monthly reports go out this many days before the due day, and daily after it.
KEYPROJECTS_REMIND_DAYS_BEFORE = int(env("KEYPROJECTS_REMIND_DAYS_BEFORE", "3"))
# The nightly run (`keyprojects nightly --loop`) does the day's checks from this hour on.
KEYPROJECTS_NIGHTLY_HOUR = int(env("KEYPROJECTS_NIGHTLY_HOUR", "1"))
# An overdue task goes to the office at once, and to the leader in charge this many days later.
KEYPROJECTS_ESCALATE_LEADER_DAYS = int(env("KEYPROJECTS_ESCALATE_LEADER_DAYS", "7"))

# Site photos: the largest file accepted, and how far from the site one may be taken.
KEYPROJECTS_MAX_PHOTO_BYTES = int(env("KEYPROJECTS_MAX_PHOTO_BYTES", str(20 * 1024 * 1024)))
KEYPROJECTS_PHOTO_MAX_KM = float(env("KEYPROJECTS_PHOTO_MAX_KM", "2"))

# Uploads: a ledger may be large, but not larger than this.
KEYPROJECTS_MAX_UPLOAD_BYTES = int(env("KEYPROJECTS_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("KEYPROJECTS_LOG_LEVEL", "WARNING")},
}
