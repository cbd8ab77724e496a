"""Configuration from TOML (see config.example.toml); secrets only from the environment."""

from __future__ import annotations

import hashlib
import os
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import platformdirs

from knowledge.store.postgres import is_server

CONFIG_ENV = "BUDGETBOT_CONFIG"
KB_ENV = "BUDGETBOT_KB"


class ConfigError(ValueError):
    pass


@dataclass
class TelegramConfig:
    token: str | None = None
    base_url: str | None = None
    mode: str = "polling"  # polling | webhook
    webhook_url: str | None = None  # webhook mode: the public URL of `budgetbot serve`'s /telegram
    admins: list[int] = field(default_factory=list)
    rate_limit_per_minute: int = 20


@dataclass
class ServerConfig:
    """Where `budgetbot serve` listens (every front's callbacks, the API, /healthz)."""

    host: str = "127.0.0.1"
    port: int = 8080


@dataclass
class WebConfig:
    """The HTTP API (/api/ask, /api/sources) and the chat widget a portal embeds."""

    allowed_origins: list[str] = field(default_factory=list)  # portal origins allowed to call the API (CORS)
    per_ip_per_minute: int = 30
    checks_per_ip_per_minute: int = 6  # POST /api/check: uploads of whole files, read one at a time
    trust_forwarded_for: bool = False  # behind a reverse proxy: the client is X-Forwarded-For's last address


@dataclass
class WeComConfig:
    corp_id: str = ""
    token: str | None = None  # WECOM_TOKEN wins
    aes_key: str | None = None  # WECOM_AES_KEY wins
    path: str = "/wecom"
    rate_limit_per_minute: int = 20
    timestamp_window_seconds: int = 300  # how far a callback's timestamp may be from this clock


@dataclass
class WeComBotConfig:
    """企业微信 智能机器人 (API mode): groups and single chats."""

    token: str | None = None  # WECOM_BOT_TOKEN wins
    aes_key: str | None = None  # WECOM_BOT_AES_KEY wins
    path: str = "/wecom-bot"
    rate_limit_per_minute: int = 20
    timestamp_window_seconds: int = 300


@dataclass
class DingTalkConfig:
    app_secret: str | None = None  # DINGTALK_APP_SECRET wins
    api_bases: list[str] = field(default_factory=lambda: ["https://oapi.dingtalk.com", "https://api.dingtalk.com"])
    path: str = "/dingtalk"
    rate_limit_per_minute: int = 20


@dataclass
class FeishuConfig:
    app_id: str = ""
    app_secret: str | None = None  # FEISHU_APP_SECRET wins
    verification_token: str | None = None  # FEISHU_VERIFICATION_TOKEN wins
    encrypt_key: str | None = None  # FEISHU_ENCRYPT_KEY wins
    api_base: str = "https://open.feishu.cn"
    path: str = "/feishu"
    rate_limit_per_minute: int = 20


SECRETS_ENV = {
    ("wecom", "token"): "WECOM_TOKEN",
    ("wecom", "aes_key"): "WECOM_AES_KEY",
    ("wecom_bot", "token"): "WECOM_BOT_TOKEN",
    ("wecom_bot", "aes_key"): "WECOM_BOT_AES_KEY",
    ("dingtalk", "app_secret"): "DINGTALK_APP_SECRET",
    ("feishu", "app_secret"): "FEISHU_APP_SECRET",
    ("feishu", "verification_token"): "FEISHU_VERIFICATION_TOKEN",
    ("feishu", "encrypt_key"): "FEISHU_ENCRYPT_KEY",
}
SECTIONS = {"server": ServerConfig, "web": WebConfig, "wecom": WeComConfig, "wecom_bot": WeComBotConfig, "dingtalk": DingTalkConfig, "feishu": FeishuConfig}


@dataclass
class Config:
    kb: Path | str | None = None  # a file, or a PostgreSQL URL
    telegram: TelegramConfig = field(default_factory=TelegramConfig)
    path: Path | None = None
    server: ServerConfig = field(default_factory=ServerConfig)
    web: WebConfig | None = None  # a front runs when its section is in the config
    wecom: WeComConfig | None = None
    wecom_bot: WeComBotConfig | None = None
    dingtalk: DingTalkConfig | None = None
    feishu: FeishuConfig | None = None
    telegram_section: bool = False


def secret(section: str, key: str, configured: str | None) -> str | None:
    """A secret from the environment (which wins) or the config file."""
    return os.environ.get(SECRETS_ENV[(section, key)]) or configured


def _section(p: Path, name: str, data: object, kind: Any) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(f"{p}：[{name}] 必须是一个表（section）")
    unknown = set(data) - set(kind.__dataclass_fields__)
    if unknown:
        raise ConfigError(f"{p}：[{name}] 里有不认识的配置项：{', '.join(sorted(unknown))}（见 config.example.toml）")
    made = kind(**data)
    for key, f in kind.__dataclass_fields__.items():
        value = getattr(made, key)
        expected = {"int": (int, "整数"), "bool": (bool, "true 或 false"), "str": (str, "字符串"), "list[str]": (list, "字符串的列表")}.get(f.type)
        wrong = expected is not None and (not isinstance(value, expected[0]) or (f.type == "int" and isinstance(value, bool)))
        if wrong or (f.type == "list[str]" and not all(isinstance(v, str) for v in value)) or (f.type == "str | None" and value is not None and not isinstance(value, str)):
            raise ConfigError(f"{p}：[{name}] 的 {key} 要写{expected[1] if expected else '字符串'}")
    return made


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
        if is_server(str(data["kb"])):
            cfg.kb = str(data["kb"])
        else:
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
    cfg.telegram_section = "telegram" in data
    for name, kind in SECTIONS.items():
        if name in data:
            setattr(cfg, name, _section(p, name, data[name], kind))
    try:
        cfg.telegram.admins = [int(a) for a in cfg.telegram.admins]
        cfg.telegram.rate_limit_per_minute = int(cfg.telegram.rate_limit_per_minute)
    except (TypeError, ValueError) as e:
        raise ConfigError(f"{p}：[telegram] 的 admins 要写用户 id 的列表，rate_limit_per_minute 要写整数（{e}）") from e
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


def kb_location(kb: str | Path) -> Path | str:
    """A knowledge base as given: a PostgreSQL URL stays the text it is, anything else is a file."""
    return str(kb) if is_server(kb) else Path(kb)


def resolve_kb(kb: str | Path | None, config: Config | None = None) -> tuple[Path | str, bool]:
    """The knowledge base to use and whether it is the bundled sample's default one:
    --kb, else $BUDGETBOT_KB, else the config's `kb`, else the sample's in the cache dir. A
    `postgresql://…` URL names a server base (knowledge/store/postgres.py)."""
    if kb:
        return kb_location(kb), False
    if os.environ.get(KB_ENV):
        return kb_location(os.environ[KB_ENV]), False
    if config and config.kb:
        return config.kb, False
    return default_kb_path(), True
