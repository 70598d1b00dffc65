"""One door per extension point: a Registry maps the names a setting takes (--netG, --netD, --gan_mode,
--dataset_mode, --backend) to the entries that build what the name describes.

An entry has `names` (the names it answers to, as --help lists them), `match(name)` (None when the name is
not its own, else what the name carries: the depth of unet_256, or True for a plain name), `settings` (the
extra settings it reads, each with its rule: a Range or a tuple of choices), `defaults` (values of other
settings it is used with unless the run gives them) and `hint` (how a family of names is spelled, for
error messages). Adding one is a new module with its entry and one line where the registry
lists its entries.
"""
from dataclasses import dataclass, field
from typing import Any, Mapping

from src.utils.errors import UserInputError


@dataclass(frozen=True)
class Entry:
    """A plain entry: one name and what builds it (a class or a function)."""
    name: str
    build: Any
    settings: Mapping = field(default_factory=dict)
    hint: str = ""
    defaults: Mapping = field(default_factory=dict)

    @property
    def names(self):
        return (self.name,)

    def match(self, name):
        return True if name == self.name else None


class Registry:
    """The entries a setting chooses between, in the order --help lists them."""

    def __init__(self, setting, entries):
        self.setting = setting
        self.entries = tuple(entries)
        names = self.names()
        if len(set(names)) != len(names):
            raise ValueError(f"{setting}: two entries answer to one name in {names}")

    def names(self):
        """Every name the entries list (families list their usual members)."""
        return tuple(name for entry in self.entries for name in entry.names)

    def find(self, name):
        """(entry, what the name carries) for `name`; a UserInputError (a ValueError) naming the setting and
        its choices."""
        for entry in self.entries:
            variant = entry.match(name) if isinstance(name, str) else None
            if variant is not None:
                return entry, variant
        hints = [entry.hint for entry in self.entries if entry.hint]
        raise UserInputError(f"--{self.setting} must be one of {', '.join(self.names())}"
                         + (f" (or {', '.join(hints)})" if hints else "") + f"; got {name!r}")

    def get(self, name):
        return self.find(name)[0]

    def settings(self):
        """{setting: rule} of every entry's own settings."""
        return {key: rule for entry in self.entries for key, rule in entry.settings.items()}
