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
    dev_phone: bool = False  # POST /dev/sms plays a lead's phone (never on with Twilio)
    escalate_after_minutes: int = 5  # an undecided suggestion is escalated after this
    # which suggestions go without an ISA: none (the queue decides all), opening, all,
    # or a YAML policy file (api/services/policy.py); the default is the ISA queue
    auto_approve: str = "none"
    default_region: str = "US"

    @property
    def twilio_enabled(self) -> bool:
        """True when texts go through Twilio, False when they go to the console."""
        return bool(self.twilio_account_sid and self.twilio_auth_token)

    @property
    def embedded(self) -> bool:
        """True on the embedded SQLite default."""
        return self.database_url.startswith("sqlite")

    @model_validator(mode="after")
    def _refuse_placeholders(self) -> Settings:
        for name in ("twilio_account_sid", "twilio_auth_token"):
            value = getattr(self, name)
            if value is not None and value.strip().lower() in PLACEHOLDERS:
                raise ValueError(
                    f"ISA_{name.upper()} is a placeholder ({value!r}): set the real value"
                )
        if self.twilio_enabled and self.dev_phone:
            raise ValueError(
                "ISA_DEV_PHONE is for trying the product without Twilio; unset one of them"
            )
        return self
