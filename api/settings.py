"""Settings from the environment (`ISA_*`), built by create_app or the CLI, never at import."""

from __future__ import annotations

from pathlib import Path

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDERS = frozenset({"changeme", "change-me", "secret", "xxx", "todo", "your-token-here"})


class Settings(BaseSettings):
    """Everything an operator configures; the defaults run the embedded SQLite product."""

    model_config = SettingsConfigDict(env_prefix="ISA_", extra="ignore", env_ignore_empty=True)

    database_url: str = "sqlite:///isa.db"
    scripts_dir: Path | None = None  # default: ./scripts, else the checkout's
    public_url: str = "http://127.0.0.1:8000"  # what Twilio calls: signatures are checked on it
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_from: str | None = None  # a number in E.164, or
    twilio_messaging_service_sid: str | None = None
    twilio_api_base: str | None = None  # Twilio's REST API (a local fake in tests); default theirs
    twilio_timeout_seconds: float = 10.0  # a send slower than this is retried, never doubled
    smtp_host: str | None = None  # e-mail alerts to agents go out through this server
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = True  # upgrade the connection before logging in
    mail_from: str | None = None  # e.g. "Isa alerts <alerts@example.com>"
    crm_webhook_urls: str | None = None  # comma-separated: each outcome is POSTed to each
    crm_webhook_secret: str | None = None  # signs every delivery (X-Isa-Signature)
    dev_phone: bool = False  # POST /dev/sms plays a lead's phone (never on with Twilio)
    escalate_after_minutes: int = 5  # an undecided suggestion is escalated after this
    # which suggestions go without an ISA: none (the queue decides all), opening, all,
    # or a YAML policy file (api/services/policy.py); the default is the ISA queue
    auto_approve: str = "none"
    default_region: str = "US"
    # run due jobs (timers, sends) on a thread of the web process: `isa serve` turns it on
    # for the embedded default; on PostgreSQL run `isa worker` processes instead
    worker_in_process: bool = False
    rules_dir: Path | None = None  # quiet hours and caps: default ./rules, else the checkout's
    routing_file: Path | None = None  # routing rules (rules/routing.yaml); unset: no routing
    # the proxies whose X-Forwarded-For / -Proto uvicorn believes (its forwarded-allow-ips):
    # the load balancer's address(es), comma-separated, or * when only it can reach us
    trusted_proxies: str = "127.0.0.1"
    secure_cookies: bool = False  # always mark the console's cookie Secure (behind TLS)

    @property
    def twilio_enabled(self) -> bool:
        """True when texts go through Twilio, False when they go to the console."""
        return bool(self.twilio_account_sid and self.twilio_auth_token)

    @property
    def crm_urls(self) -> tuple[str, ...]:
        """The CRM webhook URLs, in the order given."""
        return tuple(u.strip() for u in (self.crm_webhook_urls or "").split(",") if u.strip())

    @property
    def embedded(self) -> bool:
        """True on the embedded SQLite default."""
        return self.database_url.startswith("sqlite")

    @model_validator(mode="after")
    def _refuse_placeholders(self) -> Settings:
        for name in (
            "twilio_account_sid",
            "twilio_auth_token",
            "smtp_password",
            "crm_webhook_secret",
        ):
            value = getattr(self, name)
            if value is not None and value.strip().lower() in PLACEHOLDERS:
                raise ValueError(
                    f"ISA_{name.upper()} is a placeholder ({value!r}): set the real value"
                )
        if self.twilio_enabled and self.dev_phone:
            raise ValueError(
                "ISA_DEV_PHONE is for trying the product without Twilio; unset one of them"
            )
        if self.crm_urls and not self.crm_webhook_secret:
            raise ValueError(
                "ISA_CRM_WEBHOOK_URLS is set but ISA_CRM_WEBHOOK_SECRET is not: "
                "every delivery is signed, so set a secret shared with the receivers"
            )
        if self.smtp_host and not self.mail_from:
            raise ValueError("ISA_SMTP_HOST is set but ISA_MAIL_FROM is not: set the sender")
        return self
