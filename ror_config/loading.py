"""Read a configuration file and say exactly what is wrong with it: file, line, where in the document, what to fix.

Every section is validated, ``extract:`` included (by the extract package's own schema), before any run. YAML anchors
and aliases are accepted while the aliases repeat at most ``MAX_REPEATED_VALUES`` values in all: a few lines of
nested aliases can otherwise stand for billions of values (a "billion laughs" file).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from ror_config.models import KNOWN_PLATFORMS, Account, Brand, RorConfig

CONFIG_ENV_VARIABLE = "ROR_CONFIG"
# Values the file's aliases may repeat, all aliases together; a file beyond it is refused before it is expanded.
MAX_REPEATED_VALUES = 10_000


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
    """The file is not a valid configuration: every problem, each with its line."""

    def __init__(self, problems: list[ConfigProblem]):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


class ConfigFileMissing(ConfigError):
    """There is no file to read at the path given (or it cannot be read)."""


def load_config(path: Path | str) -> RorConfig:
    """The validated configuration in ``path``; relative mapping folders are taken from the file's folder."""
    path = Path(path)
    if not path.is_file():
        what = "is a folder, not a file" if path.is_dir() else "does not exist"
        raise ConfigFileMissing([ConfigProblem(str(path), None, "", f"the configuration file {what}")])
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigFileMissing([ConfigProblem(str(path), None, "", f"cannot be read: {error.strerror}")]) from None
    except UnicodeDecodeError:
        raise ConfigError([ConfigProblem(str(path), None, "", "not a text file (UTF-8 expected)")]) from None
    return parse_config(text, file=str(path), base_dir=path.resolve().parent)


class _AliasesRefused(yaml.composer.ComposerError):
    """Valid YAML whose aliases this project does not expand."""


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader that counts the values aliases repeat and stops past MAX_REPEATED_VALUES."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self.repeated = 0
        self._sizes: dict[int, int] = {}

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            anchored = self.anchors.get(event.anchor)
            if anchored is not None:
                self.repeated += _expanded_size(anchored, self._sizes, set())
                if self.repeated > MAX_REPEATED_VALUES:
                    raise _AliasesRefused(
                        None,
                        None,
                        f"its aliases repeat more than {MAX_REPEATED_VALUES:,} values: write them out or "
                        "use fewer aliases",
                        event.start_mark,
                    )
        return super().compose_node(parent, index)


def _expanded_size(node: yaml.Node, sizes: dict[int, int], open_nodes: set[int]) -> int:
    """How many values ``node`` stands for once every alias in it is expanded."""
    if id(node) in sizes:
        return sizes[id(node)]
    if id(node) in open_nodes:
        raise _AliasesRefused(None, None, "an alias refers to a value that contains it", node.start_mark)
    open_nodes.add(id(node))
    if isinstance(node, yaml.SequenceNode):
        size = 1 + sum(_expanded_size(child, sizes, open_nodes) for child in node.value)
    elif isinstance(node, yaml.MappingNode):
        pairs = node.value
        size = 1 + sum(_expanded_size(k, sizes, open_nodes) + _expanded_size(v, sizes, open_nodes) for k, v in pairs)
    else:
        size = 1
    open_nodes.discard(id(node))
    sizes[id(node)] = size
    return size


def _read_yaml(text: str, file: str) -> tuple[yaml.Node | None, object]:
    """(the document's node tree, for line numbers; the document), or ConfigError saying where the YAML is wrong."""
    loader = _BoundedLoader(text)
    try:
        root = loader.get_single_node()
        if root is not None:
            _expanded_size(root, {}, set())  # refuses a value that contains itself
        return root, (loader.construct_document(root) if root is not None else None)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(error, "problem", None) or str(error)
        message = f"refused: {reason}" if isinstance(error, _AliasesRefused) else f"not valid YAML ({reason})"
        raise ConfigError([ConfigProblem(file, line, "", message)]) from None
    except RecursionError:
        raise ConfigError([ConfigProblem(file, None, "", "not valid YAML (nested too deeply)")]) from None
    finally:
        loader.dispose()


def parse_config(text: str, *, file: str = "<config>", base_dir: Path | None = None) -> RorConfig:
    root, document = _read_yaml(text, file)
    if document is None:
        document = {}
    if not isinstance(document, dict):
        raise ConfigError(
            [ConfigProblem(file, 1, "", "the file must be a mapping with keys such as brands:, vars:, mappings:")]
        )
    problems = _extract_problems(document.get("extract"), file, root)
    try:
        config = RorConfig.model_validate(document)
    except ValidationError as error:
        raise ConfigError([_problem(file, root, issue) for issue in error.errors()] + problems) from None
    problems += _cross_checks(config, file, root)
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
    """The YAML node a problem at ``loc`` (pydantic's error location) is about: the key itself for a key of a mapping
    (its value may start on the next line), the item for an item of a list, else the deepest node on the path."""
    node = root
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            key_node = next((key for key, _ in node.value if key.value == part), None)
            if key_node is None:
                return node
            if part == loc[-1]:
                return key_node
            node = next(value for key, value in node.value if key is key_node)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            return node
    return node


def _line(root: yaml.Node | None, loc: tuple) -> int | None:
    node = _node_at(root, loc)
    return node.start_mark.line + 1 if node is not None else None


# pydantic's error types -> what the file must say instead, in the project's words ({limit}: pydantic's context).
MESSAGES = {
    "string_type": "must be text",
    "string_too_short": "must not be empty",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "list_type": "must be a list (`- item` lines, or [a, b])",
    "dict_type": "must be a mapping (`key: value` lines, or {key: value})",
    "model_type": "must be a mapping (`key: value` lines, or {key: value})",
    "model_attributes_type": "must be a mapping (`key: value` lines, or {key: value})",
    "path_type": "must be a folder path",
    "greater_than": "must be greater than {gt}",
    "greater_than_equal": "must be at least {ge}",
    "less_than": "must be less than {lt}",
    "less_than_equal": "must be at most {le}",
    "finite_number": "must be a finite number",
    "too_long": "must have at most {max_length} items",
    "too_short": "must have at least {min_length} item(s)",
}


def _message(issue: dict, loc: tuple) -> str:
    kind, context = issue["type"], issue.get("ctx") or {}
    if kind == "extra_forbidden":
        page = "docs/apis.md" if loc[0] == "extract" else "docs/your-own-data.md"
        return f"unknown key {loc[-1]!r} (check the spelling; see {page})"
    if kind == "missing":
        return f"{loc[-1]!r} is required here"
    if kind == "string_pattern_mismatch" and loc[-1] == "id":
        what = "competitor" if "competitors" in loc else "brand"
        return f"a {what} id is lowercase letters, digits, _ and -, starting with a letter or digit (e.g. acme_coffee)"
    if kind == "string_pattern_mismatch" and loc[-1] == "currency":
        return "a currency is a three-letter ISO 4217 code in capitals (e.g. EUR, GBP, USD)"
    if kind == "literal_error":
        return f"must be one of {context.get('expected', '').replace(' or ', ', ')}"
    if kind in MESSAGES:
        return MESSAGES[kind].format(**{k: f"{v:g}" if isinstance(v, float) else v for k, v in context.items()})
    return issue["msg"].removeprefix("Value error, ")


def _problem(file: str, root: yaml.Node | None, issue: dict, prefix: tuple = ()) -> ConfigProblem:
    # pydantic adds the failing model's name or validator kind to unions' locations; keep the document's path only.
    loc = prefix + tuple(part for part in issue["loc"] if isinstance(part, int) or not part[0].isupper())
    return ConfigProblem(file, _line(root, loc), _where(loc), _message(issue, loc))


def _extract_problems(section: object, file: str, root: yaml.Node | None) -> list[ConfigProblem]:
    """The ``extract:`` section against the extract package's schema (its settings live there, beside their use)."""
    if section is None:
        return []
    from extract.config import ExtractConfig  # here, not above: the extract package itself imports ror_config

    try:
        ExtractConfig.model_validate(section)
    except ValidationError as error:
        return [_problem(file, root, issue, prefix=("extract",)) for issue in error.errors()]
    return []


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
        problems += _competitor_checks(brand, b, file, root)
    problems += _unknown_platforms(config, file, root)
    action_types: dict = {}
    for i, row in enumerate(config.ad_action_types):
        once(action_types, (row.platform, row.action_type), ("ad_action_types", i), f"{row.platform} {row.action_type}")
    return problems


def _account_keys(account: Account) -> list[tuple[str, str, str]]:
    """What identifies an account: its id, and its handle (case-insensitive), each on its platform."""
    keys = [(account.platform, "id", account.account_id)] if account.account_id is not None else []
    return keys + ([(account.platform, "handle", account.handle.lower())] if account.handle is not None else [])


def _competitor_checks(brand: Brand, b: int, file: str, root: yaml.Node | None) -> list[ConfigProblem]:
    """A brand's competitors: ids distinct from each other and from the brand's, each account tracked once, and never
    one of the brand's own accounts (an account is either the brand's or a competitor's, not both)."""
    problems: list[ConfigProblem] = []
    owned = {
        key: ("brands", b, "accounts", a) for a, account in enumerate(brand.accounts) for key in _account_keys(account)
    }
    ids: dict[str, tuple] = {brand.id: ("brands", b, "id")}
    tracked: dict[tuple, tuple] = {}
    for c, competitor in enumerate(brand.competitors):
        loc = ("brands", b, "competitors", c, "id")
        if competitor.id in ids:
            where = (
                "is the brand's own id"
                if competitor.id == brand.id
                else f"already given at {_where(ids[competitor.id])}"
            )
            message = f"competitor id {competitor.id!r} {where}"
            problems.append(ConfigProblem(file, _line(root, loc), _where(loc), message))
        ids.setdefault(competitor.id, loc)
        for a, account in enumerate(competitor.accounts):
            loc = ("brands", b, "competitors", c, "accounts", a)
            for key in _account_keys(account):
                what = f"{key[0]} {'account' if key[1] == 'id' else 'handle'} {key[2]}"
                if key in owned:
                    message = (
                        f"{what} is one of the brand's own accounts ({_where(owned[key])}): an account is "
                        "the brand's or a competitor's, not both; remove it from one of the two lists"
                    )
                elif key in tracked:
                    message = f"{what} already given at {_where(tracked[key])}"
                else:
                    tracked[key] = loc
                    continue
                problems.append(ConfigProblem(file, _line(root, loc), _where(loc), message))
                break
    return problems


def _unknown_platforms(config: RorConfig, file: str, root: yaml.Node | None) -> list[ConfigProblem]:
    """A misspelt platform would match no export: the brand would silently get no data."""
    known = sorted({*KNOWN_PLATFORMS, *config.extra_platforms})
    given = [
        (("brands", b, kind, i, "platform"), item.platform)
        for b, brand in enumerate(config.brands)
        for kind in ("accounts", "employees", "response_targets")
        for i, item in enumerate(getattr(brand, kind))
        if item.platform is not None
    ] + [
        (("brands", b, "competitors", c, "accounts", a, "platform"), account.platform)
        for b, brand in enumerate(config.brands)
        for c, competitor in enumerate(brand.competitors)
        for a, account in enumerate(competitor.accounts)
    ]
    given += [(("ad_action_types", i, "platform"), row.platform) for i, row in enumerate(config.ad_action_types)]
    return [
        ConfigProblem(
            file,
            _line(root, loc),
            _where(loc),
            f"unknown platform {platform!r}: known are {', '.join(known)} (a platform your own mappings bring: add it "
            "to extra_platforms)",
        )
        for loc, platform in given
        if platform not in known
    ]
