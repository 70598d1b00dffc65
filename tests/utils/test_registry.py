"""A registry answers to the names its entries list, families included, and names the choices otherwise."""
import pytest

from src.utils.registry import Entry, Registry
from src.utils.setting_rules import POSITIVE_INTEGER


class Stack:
    """A family of names stack_N, N >= 1, with a setting of its own."""
    names = ("stack_2",)
    hint = "stack_N with N >= 1"
    settings = {"stack_width": POSITIVE_INTEGER}

    @staticmethod
    def match(name):
        return int(name[6:]) if name.startswith("stack_") and name[6:].isdigit() and int(name[6:]) >= 1 else None


def test_plain_names_and_families_are_found_with_what_the_name_carries():
    registry = Registry("netX", [Entry("plain", build=dict), Stack])
    assert registry.names() == ("plain", "stack_2")
    assert registry.find("plain") == (registry.entries[0], True) and registry.find("stack_7") == (Stack, 7)
    assert registry.get("plain").build is dict and registry.settings() == {"stack_width": POSITIVE_INTEGER}


@pytest.mark.parametrize("name", ["stack_0", "stack", "other", None])
def test_a_name_no_entry_answers_to_lists_the_choices(name):
    registry = Registry("netX", [Entry("plain", build=dict), Stack])
    with pytest.raises(ValueError, match=r"netX must be one of plain, stack_2 \(or stack_N with N >= 1\); got"):
        registry.find(name)


def test_two_entries_may_not_answer_to_one_name():
    with pytest.raises(ValueError, match="two entries answer to one name"):
        Registry("netX", [Entry("plain", build=dict), Entry("plain", build=list)])
