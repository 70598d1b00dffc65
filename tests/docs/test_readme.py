"""The README tells the truth about the repository: commands, settings and scripts."""
import os
import re

from src.utils.config import DEFAULT_CONFIG_PATH, read_yaml_documents
from tests.conftest import REPO_ROOT


def read(path):
    with open(os.path.join(REPO_ROOT, path), encoding="utf-8") as handle:
        return handle.read()


def quick_start_commands():
    section = read("README.md").split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = section.split("```bash", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip() and not line.startswith("#")]


def test_quick_start_is_two_commands_and_ci_runs_the_test_command_verbatim():
    commands = quick_start_commands()
    assert len(commands) == 2
    assert "scripts/run_train_cpu.sh" in commands[0] and "pytest" in commands[1]
    ci_lines = [line.strip() for line in read(".ci/run").splitlines()]
    assert commands[1].strip() in ci_lines


def test_every_setting_is_documented():
    values, _ = read_yaml_documents(DEFAULT_CONFIG_PATH)
    page = read("docs/configuration.md")
    missing = [key for key in values if f"| `{key}` |" not in page]
    assert not missing


def test_every_script_is_documented_and_exists():
    readme = read("README.md")
    scripts = sorted(name for name in os.listdir(os.path.join(REPO_ROOT, "scripts"))
                     if name.endswith(".sh") and name != "common.sh")
    assert scripts and all(f"`scripts/{name}`" in readme for name in scripts)
    for path in re.findall(r"`((?:scripts|data)/[\w./-]+\.sh)`", readme):
        assert os.path.isfile(os.path.join(REPO_ROOT, path)), path


def test_pictures_shown_in_the_readme_exist():
    for path in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", read("README.md")):
        assert os.path.isfile(os.path.join(REPO_ROOT, path)), path


def test_every_test_the_fault_table_names_exists():
    table = read("docs/faults.md")
    named = set(re.findall(r"`(test_\w+)`", table))
    defined = set()
    for folder, _, files in os.walk(os.path.join(REPO_ROOT, "tests")):
        for name in files:
            if name.endswith(".py"):
                with open(os.path.join(folder, name), encoding="utf-8") as handle:
                    defined.update(re.findall(r"^def (test_\w+)", handle.read(), re.M))
    assert len(named) >= 20 and named <= defined, sorted(named - defined)


def test_configuration_table_is_generated_from_the_yaml_and_the_settings():
    import importlib.util
    spec = importlib.util.spec_from_file_location("make_config_table",
                                                  os.path.join(REPO_ROOT, "docs", "make_config_table.py"))
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    page = read("docs/configuration.md")
    assert generator.page_with_table(page) == page, "run python docs/make_config_table.py"


def test_the_fast_floor_command_is_given_and_every_linked_file_exists():
    readme = read("README.md")
    assert 'python -m pytest tests -q -m "not e2e"' in readme
    for path in re.findall(r"\]\(((?:docs|imgs)/[^)#]+)\)", readme):
        assert os.path.isfile(os.path.join(REPO_ROOT, path)), path
    for page in ("docs/configuration.md", "docs/faults.md"):
        for path in re.findall(r"\]\(([^)#:]+)\)", read(page)):
            assert os.path.isfile(os.path.join(REPO_ROOT, "docs", path)), (page, path)


def test_the_readme_stays_a_short_guide_for_users():
    assert len(read("README.md").splitlines()) < 450
