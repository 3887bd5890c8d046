"""Read a configuration file and say exactly what is wrong with it: file, line, where in the document, what to fix."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from ror_config.models import RorConfig

CONFIG_ENV_VARIABLE = "ROR_CONFIG"


@dataclass(frozen=True)
class ConfigProblem:
    file: str
    line: int | None
    where: str  # e.g. brands[0].accounts[1].account_id
    message: str

    def __str__(self) -> str:
        location = f"{self.file}:{self.line}" if self.line else self.file
        return f"{location}: {self.where + ': ' if self.where else ''}{self.message}"


class ConfigError(Exception):
    def __init__(self, problems: list[ConfigProblem]):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


def load_config(path: Path | str) -> RorConfig:
    """The validated configuration in ``path``; relative mapping folders are taken from the file's folder."""
    path = Path(path)
    if not path.is_file():
        what = "is a folder, not a file" if path.is_dir() else "does not exist"
        raise ConfigError([ConfigProblem(str(path), None, "", f"the configuration file {what}")])
    return parse_config(path.read_text(encoding="utf-8"), file=str(path), base_dir=path.resolve().parent)


def parse_config(text: str, *, file: str = "<config>", base_dir: Path | None = None) -> RorConfig:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(error, "problem", None) or str(error)
        raise ConfigError([ConfigProblem(file, line, "", f"not valid YAML ({reason})")]) from None
    if document is None:
        document = {}
    if not isinstance(document, dict):
        raise ConfigError(
            [ConfigProblem(file, 1, "", "the file must be a mapping with keys such as brands:, vars:, mappings:")]
        )
    try:
        config = RorConfig.model_validate(document)
    except ValidationError as error:
        raise ConfigError([_problem(file, root, issue) for issue in error.errors()]) from None
    problems = _cross_checks(config, file, root)
    if base_dir is not None:
        config = config.model_copy(update={"mappings": [base_dir / folder for folder in config.mappings]})
        problems += [
            ConfigProblem(file, _line(root, ("mappings", i)), f"mappings[{i}]", f"no such folder: {folder}")
            for i, folder in enumerate(config.mappings)
            if not folder.is_dir()
        ]
    if problems:
        raise ConfigError(problems)
    return config


def _where(loc: tuple) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f"{'.' if text else ''}{part}"
    return text


def _node_at(root: yaml.Node | None, loc: tuple) -> yaml.Node | None:
    """The deepest YAML node on the path ``loc`` (pydantic's error location), for its line number."""
    node = root
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            child = next((value for key, value in node.value if key.value == part), None)
            if child is None:
                key_node = next((key for key, _ in node.value if key.value == part), None)
                return key_node or node
            node = child
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            return node
    return node


def _line(root: yaml.Node | None, loc: tuple) -> int | None:
    node = _node_at(root, loc)
    return node.start_mark.line + 1 if node is not None else None


def _problem(file: str, root: yaml.Node | None, issue: dict) -> ConfigProblem:
    # pydantic adds the failing model's name or validator kind to unions' locations; keep the document's path only.
    loc = tuple(part for part in issue["loc"] if isinstance(part, int) or not part[0].isupper())
    if issue["type"] == "extra_forbidden":
        message = f"unknown key {loc[-1]!r} (check the spelling; see the README's 'Your own data')"
    elif issue["type"] == "missing":
        message = f"{loc[-1]!r} is required here"
    else:
        message = issue["msg"].removeprefix("Value error, ")
    return ConfigProblem(file, _line(root, loc), _where(loc), message)


def _cross_checks(config: RorConfig, file: str, root: yaml.Node | None) -> list[ConfigProblem]:
    """What one item cannot see: brand ids, accounts, employees and campaigns each belong to one brand."""
    problems: list[ConfigProblem] = []

    def once(seen: dict, key: object, loc: tuple, what: str) -> None:
        if key in seen:
            first = _where(seen[key])
            problems.append(ConfigProblem(file, _line(root, loc), _where(loc), f"{what} already given at {first}"))
        else:
            seen[key] = loc

    brand_ids: dict = {}
    accounts: dict = {}
    employees: dict = {}
    campaigns: dict = {}
    for b, brand in enumerate(config.brands):
        once(brand_ids, brand.id, ("brands", b, "id"), f"brand id {brand.id!r}")
        for a, account in enumerate(brand.accounts):
            if account.account_id is not None:
                key = (account.platform, account.account_id)
                once(accounts, key, ("brands", b, "accounts", a), f"{account.platform} account {account.account_id}")
            else:
                key = (account.platform, account.handle.lower())
                once(accounts, key, ("brands", b, "accounts", a), f"{account.platform} handle {account.handle}")
        for e, employee in enumerate(brand.employees):
            key = (employee.platform, employee.person_id or employee.handle.lower())
            once(employees, key, ("brands", b, "employees", e), f"{employee.platform} employee {key[1]}")
        for c, campaign in enumerate(brand.campaigns):
            what = f"utm_campaign {campaign.utm_campaign!r}"
            once(campaigns, campaign.utm_campaign, ("brands", b, "campaigns", c), what)
    action_types: dict = {}
    for i, row in enumerate(config.ad_action_types):
        once(action_types, (row.platform, row.action_type), ("ad_action_types", i), f"{row.platform} {row.action_type}")
    return problems
