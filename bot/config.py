"""Configuration from TOML (see config.example.toml); secrets only from the environment."""

from __future__ import annotations

import hashlib
import os
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import platformdirs

CONFIG_ENV = "BUDGETBOT_CONFIG"
KB_ENV = "BUDGETBOT_KB"


class ConfigError(ValueError):
    pass


@dataclass
class TelegramConfig:
    token: str | None = None
    base_url: str | None = None
    mode: str = "polling"  # polling | webhook
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    admins: list[int] = field(default_factory=list)
    rate_limit_per_minute: int = 20


@dataclass
class Config:
    kb: Path | None = None
    telegram: TelegramConfig = field(default_factory=TelegramConfig)
    path: Path | None = None


def default_config_path() -> Path:
    return Path(platformdirs.user_config_dir("budgetbot")) / "config.toml"


def load_config(path: str | Path | None = None) -> Config:
    """Read the config file named, or $BUDGETBOT_CONFIG, or the user's default (if present)."""
    explicit = path or os.environ.get(CONFIG_ENV)
    p = Path(explicit) if explicit else default_config_path()
    if not p.exists():
        if explicit:
            raise ConfigError(f"{p}：没有这个配置文件")
        return Config()
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"{p}：不是有效的 TOML（{e}）") from e
    cfg = Config(path=p)
    if "kb" in data:
        kb = Path(str(data["kb"])).expanduser()
        cfg.kb = kb if kb.is_absolute() else (p.parent / kb)
    tg = data.get("telegram", {})
    if not isinstance(tg, dict):
        raise ConfigError(f"{p}：[telegram] 必须是一个表（section）")
    known = set(TelegramConfig.__dataclass_fields__)
    unknown = set(tg) - known
    if unknown:
        raise ConfigError(f"{p}：[telegram] 里有不认识的配置项：{', '.join(sorted(unknown))}（见 config.example.toml）")
    cfg.telegram = TelegramConfig(**tg)
    try:
        cfg.telegram.admins = [int(a) for a in cfg.telegram.admins]
        cfg.telegram.rate_limit_per_minute = int(cfg.telegram.rate_limit_per_minute)
        cfg.telegram.webhook_port = int(cfg.telegram.webhook_port)
    except (TypeError, ValueError) as e:
        raise ConfigError(f"{p}：[telegram] 的 admins 要写用户 id 的列表，rate_limit_per_minute、webhook_port 要写整数（{e}）") from e
    return cfg


def sample_path() -> Path:
    """The bundled sample disclosure (望都县乡村振兴局 2022)."""
    files = [f for f in resources.files("loaders.samples").iterdir() if f.name.endswith(".txt")]
    if not files:
        raise ConfigError("安装不完整：缺少自带的示例公开文件，请重新安装 budgetbot")
    return Path(str(sorted(files, key=lambda f: f.name)[0]))


def default_kb_path() -> Path:
    from knowledge.store import SCHEMA_VERSION  # a new schema gets a new default base, never a stale one

    digest = hashlib.sha256(sample_path().read_bytes()).hexdigest()[:12]
    return Path(platformdirs.user_cache_dir("budgetbot")) / f"sample-{digest}-v{SCHEMA_VERSION}.db"


def resolve_kb(kb: str | Path | None, config: Config | None = None) -> tuple[Path, bool]:
    """The knowledge base to use and whether it is the bundled sample's default one:
    --kb, else $BUDGETBOT_KB, else the config's `kb`, else the sample's in the cache dir."""
    if kb:
        return Path(kb), False
    if os.environ.get(KB_ENV):
        return Path(os.environ[KB_ENV]), False
    if config and config.kb:
        return config.kb, False
    return default_kb_path(), True
