"""Settings for 基层治理一体化平台, configured entirely by environment variables.

Every setting has a default that runs the embedded demo (SQLite, DEBUG on). Production sets
DJANGO_DEBUG=0, DJANGO_SECRET_KEY (or DJANGO_SECRET_KEY_FILE), DATABASE_URL and ALLOWED_HOSTS; see
docs/deploy.md.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    """Read a setting from NAME, or from the file named by NAME_FILE (for Docker/systemd secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    return env(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    return int(env(name, str(default)))


DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = env("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me" if DEBUG else "")
if not SECRET_KEY:
    raise RuntimeError("DJANGO_SECRET_KEY (or DJANGO_SECRET_KEY_FILE) must be set when DEBUG is off")
ALLOWED_HOSTS = [h for h in env("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in env("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "jiceng.accounts",
    "jiceng.orgs",
    "jiceng.workcal",
    "jiceng.staffing",
    "jiceng.catalog",
    "jiceng.cases",
    "jiceng.open311",
    "jiceng.grids",
    "jiceng.routing",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "jiceng.accounts.middleware.AuditContextMiddleware",
    "jiceng.accounts.middleware.PasswordChangeRequiredMiddleware",
]

ROOT_URLCONF = "jiceng.urls"
WSGI_APPLICATION = "jiceng.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "jiceng" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jiceng.accounts.context_processors.navigation",
                "jiceng.cases.inbox.unread_count",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'jiceng.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the worker read while the other writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# 等保 2.0 (GB/T 22239-2019) asks for complex passwords that change regularly.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "jiceng.accounts.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {
        "NAME": "jiceng.accounts.passwords.CharacterClassValidator",
        "OPTIONS": {"min_classes": 3},
    },
]
PASSWORD_MAX_AGE_DAYS = env_int("PASSWORD_MAX_AGE_DAYS", 90)
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_LOCK_MINUTES = env_int("LOGIN_LOCK_MINUTES", 15)

# Sessions end after 30 idle minutes and when the browser closes.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# The staffing office's name as it signs its notices (核准使用编制通知单).
STAFFING_OFFICE_NAME = env("STAFFING_OFFICE_NAME", "中共示范县委机构编制委员会办公室")

# A 用编核准 holds its seats this many days; unused seats are then released.
HIRING_APPROVAL_VALID_DAYS = env_int("HIRING_APPROVAL_VALID_DAYS", 180)

# Imports run in a background thread of the web process (progress is polled); tests run them inline.
STAFFING_IMPORT_INLINE = env_bool("STAFFING_IMPORT_INLINE", False)

# How often each process checks the holiday table for changes made elsewhere.
WORKCAL_CHECK_SECONDS = env_int("WORKCAL_CHECK_SECONDS", 5)

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "var" / "static")))
STATICFILES_DIRS = [BASE_DIR / "jiceng" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
MEDIA_URL = "media/"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "jiceng.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "基层治理一体化平台 API",
    "DESCRIPTION": "REST API v1。认证：在请求头中加入 `Authorization: Token <令牌>`（令牌由 "
    "`manage.py drf_create_token 用户名` 生成），或使用已登录的浏览器会话。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "UnitKindEnum": "jiceng.orgs.models.UnitKind",
        "RegionKindEnum": "jiceng.orgs.models.RegionKind",
        "AbsenceKindEnum": "jiceng.orgs.models.AbsenceKind",
        "QuotaKindEnum": "jiceng.staffing.models.QuotaKind",
        "SeatKindEnum": "jiceng.staffing.models.SEAT_KIND_CHOICES",
        "ListKindEnum": "jiceng.catalog.models.ListKind",
        "ServiceTypeEnum": "jiceng.catalog.models.ServiceType",
        "DelegationStatusEnum": "jiceng.catalog.models.DelegationStatus",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.server": {"level": "WARNING"}},
}

# How often each process checks the duty catalog for changes made elsewhere (the resolution index).
CATALOG_CHECK_SECONDS = env_int("CATALOG_CHECK_SECONDS", 5)
# How often each process checks the grids for changes (the point → grid index).
GRID_CHECK_SECONDS = env_int("GRID_CHECK_SECONDS", 5)
# 智能派单: a report whose top matter reaches this probability is dispatched without the command centre.
ROUTING_AUTO_THRESHOLD = float(env("ROUTING_AUTO_THRESHOLD", "0.8"))
# The worker retrains the routing model this often when cases have been dispatched since.
ROUTING_RETRAIN_HOURS = env_int("ROUTING_RETRAIN_HOURS", 24)
# 语义复核 (jiceng/routing/semantic.py): train each version with the sentence encoder as well, and let the
# worker refine the guesses of the cases waiting for the command centre. Off: the lexical model alone.
ROUTING_SEMANTIC = env_bool("ROUTING_SEMANTIC", True)
# How often each process checks which routing model version is in use.
ROUTING_CHECK_SECONDS = env_int("ROUTING_CHECK_SECONDS", 5)
# Base map tiles for the grid maps, e.g. 天地图 on 政务外网:
# https://t0.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=<key>
# Empty (the default): no tiles, the grids are drawn on a plain background and nothing is fetched from outside.
MAP_TILE_URL = env("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = env("MAP_TILE_ATTRIBUTION", "")

# SMS for deadline notices: a class with send(phone, text); console and file backends for development.
SMS_BACKEND = env("SMS_BACKEND", "jiceng.cases.sms.FileBackend")
SMS_FILE_PATH = env("SMS_FILE_PATH", str(BASE_DIR / "var" / "sms.log"))
CASE_PHOTO_MAX_BYTES = env_int("CASE_PHOTO_MAX_BYTES", 10 * 1024 * 1024)
# The cache holds the portal's per-address limits: with several web processes they must share one cache,
# so production sets CACHE_URL=redis://127.0.0.1:6379/1 (Redis); without it each process counts alone.
CACHE_URL = env("CACHE_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL.startswith(("redis://", "rediss://", "unix://"))
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Public submissions allowed per client address per hour.
PORTAL_SUBMISSIONS_PER_HOUR = env_int("PORTAL_SUBMISSIONS_PER_HOUR", 5)
# Failed tracking look-ups (wrong code or phone digits) allowed per client address per hour.
PORTAL_TRACK_MISSES_PER_HOUR = env_int("PORTAL_TRACK_MISSES_PER_HOUR", 20)
# A case dispatched to a unit the dispatcher chose, with no matter from the catalog, still gets a deadline.
CASE_DEFAULT_LIMIT_DAYS = env_int("CASE_DEFAULT_LIMIT_DAYS", 5)
CASE_DEFAULT_RESPONSE_DAYS = env_int("CASE_DEFAULT_RESPONSE_DAYS", 1)
