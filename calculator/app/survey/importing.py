"""A survey's households saved into a project: what the import will do to each (the preview), then doing it.

`import_survey` saves the accepted households (a stream too: each is saved as it is taken) into a
project in one transaction. It adds new households and gives a registered household without any
version its first one; it never puts a survey case over a version already in the ledger (see
`ImportSummary`). A 户号 finds the project's household as the reader compares them (`number_key`),
so a re-import of 1 finds the registered 0001, and a01 the registered A01.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from typing import Iterable, Iterator

from calculator.engine.case import Case, fingerprint
from calculator.engine.compensation import CompensationResult
from calculator.core.errors import CaseErrors, InputError
from calculator.engine.schedules import load_schedule
from calculator.store.base import CaseStore, CaseVersion, Household, LedgerRow, RefusedByRule, Status
from calculator.app.stored_cases import id_number_index, numbered, same_id_text, sharing
from calculator.app.survey.households import SurveyEntry, SurveyHousehold
from calculator.app.survey.values import number_key
from tables.schedule import Schedule

ADD, FIRST_VERSION, UNCHANGED, REFUSED = "add", "first_version", "unchanged", "refused"
STEP_LABELS = {ADD: "新增", FIRST_VERSION: "补录首个版本", UNCHANGED: "不变", REFUSED: "不导入"}


@dataclass(frozen=True)
class ImportStep:
    """What importing does to one household of the survey: add it, give it its first version, nothing, or refuse."""

    household: SurveyEntry
    action: str
    number: str  # the 户号 as the ledger writes it (a registered 0001 for the survey's 1)
    reason: str = ""

    def text(self) -> str:
        """新增 / 补录首个版本 / 不变 / 不导入:reason."""
        label = STEP_LABELS[self.action]
        return f"{label}:{self.reason}" if self.reason else label


@dataclass(frozen=True)
class ImportSummary:
    """What an import did to each household of the survey.

    added: a 户号 new to the project, saved with its first (computed) version.
    updated: a registered household that had no version yet, now with its first version.
    unchanged: the current version already holds the survey's case (same fingerprint).
    refused: (户号, why) — the current version (draft, computed, signed or paid) holds a different
    case. An import never replaces a version: the ledger's may be a correction made in 补偿测算.
    """

    added: tuple[str, ...]
    updated: tuple[str, ...]
    unchanged: tuple[str, ...]
    refused: tuple[tuple[str, str], ...]
    steps: tuple[ImportStep, ...] = ()   # every household's step, in the survey's order

    @classmethod
    def of(cls, steps: list[ImportStep]) -> ImportSummary:
        def numbers(action: str) -> tuple[str, ...]:
            return tuple(step.number for step in steps if step.action == action)
        return cls(numbers(ADD), numbers(FIRST_VERSION), numbers(UNCHANGED),
                   tuple((step.number, step.reason) for step in steps if step.action == REFUSED), tuple(steps))


def plan_import(store: CaseStore, project_id: int, households: Iterable[SurveyHousehold]) -> tuple[ImportStep, ...]:
    """What `import_survey` will do to each household, decided without changing anything (the preview shows it).

    A household whose current version already holds the same case (same fingerprint under the
    same schedule version, both numbered by the 户号) is left unchanged. One whose current version
    holds a different case is refused, whatever its status: the version may be a correction made in
    补偿测算, and a signed or paid case changes only by an amendment with a written reason. A 户号
    finds the project's household by `number_key` (1 finds a registered 0001, a01 a registered A01)."""
    return tuple(step for step, _, _ in _planned(store, project_id, households))


def _planned(store: CaseStore, project_id: int, households: Iterable[SurveyHousehold]
             ) -> Iterator[tuple[ImportStep, SurveyHousehold, Case]]:
    """Each household's step, the household and its case numbered as it is saved, taken one at a time (households
    may be a stream). Two households of one `number_key` are refused with InputError once all are taken; from
    the second on, none is given any more, so an import in one transaction keeps nothing."""
    registered, people = _registered(store, project_id)
    numbers: list[str] = []
    keys: Counter[str] = Counter()
    for household in households:
        key = number_key(household.number)
        numbers.append(household.number)
        keys[key] += 1
        if len(keys) == len(numbers):   # no 户号 given twice so far
            step, case = _step(store, project_id, household, registered.get(key, []))
            others = sharing(people, household.case.household.get("id_number", ""), household.number)
            if others:   # imported all the same (one person may own two houses); said first, before the lines' notes
                said = " / ".join(same_id_text(others))
                step = replace(step, household=replace(step.household, warnings=(said, *step.household.warnings)))
            yield step, household, case
    twice = [number for number in numbers if keys[number_key(number)] > 1]
    if twice:
        raise InputError(f"导入中户号重复: {'、'.join(twice)}", f"household number(s) given twice: {', '.join(twice)}")


def _step(store: CaseStore, project_id: int, household: SurveyHousehold, numbers: list[str]
          ) -> tuple[ImportStep, Case]:
    entry = SurveyEntry.of(household)
    if len(numbers) > 1:   # A01 and a01 both registered (an earlier version let them in): the one written so, if any
        numbers = [number for number in numbers if number == household.number] or numbers
    if len(numbers) > 1:
        return ImportStep(entry, REFUSED, household.number, f"台账中的户号 {'、'.join(numbers)} 只差前导零或字母大小写,"
                          "无法确定是哪一户;请先在台账中更正户号"), household.case
    if not numbers:
        return ImportStep(entry, ADD, household.number), numbered(household.case, household.number)
    existing = store.find_household(project_id, numbers[0])
    case = numbered(household.case, existing.number)   # in a project the 户号 is the case number
    current = store.current_version(existing.id)
    if current is None:   # a household registered by hand: what the survey changes of its 户主 and 地址 is said
        people = case.household
        changed = [f"{label}「{before}」改为「{after}」" for label, before, after in (
            ("户主", existing.head, people.get("head", "")), ("地址", existing.address, people.get("address", "")))
            if before and after and before != after]
        return ImportStep(entry, FIRST_VERSION, existing.number, ";".join(changed)), case
    schedule = load_schedule(case.schedule)
    if _held_fingerprint(current, existing.number, schedule) == fingerprint(case, schedule.version):
        return ImportStep(entry, UNCHANGED, existing.number), case
    return ImportStep(entry, REFUSED, existing.number, _refusal(existing, current)), case


def _priced(household: SurveyHousehold, case: Case) -> CompensationResult:
    """The household's result as its check priced it, for `case` (its case numbered by the 户号, which is no figure
    of the result); refused, as `compute` refuses it, when the pricing had problems."""
    if household.result.problems:
        raise CaseErrors(list(household.result.problems))
    return household.result._replace(case=case)


def import_survey(store: CaseStore, project_id: int, households: Iterable[SurveyHousehold], *,
                  actor: str | None = None, refuse_differing: bool = False) -> ImportSummary:
    """Save the accepted households into the project in one transaction, as `plan_import` decides: all or none.

    Each household is saved as it is taken, so `households` may be a stream (`SurveyReading.all_or_none`):
    whatever it raises, even after its last household, leaves the project as it was.
    `refuse_differing`: a household the plan refuses (its ledger version differs) refuses the whole import
    (RefusedByRule), as `landcomp ledger import` does, which nobody reviews before it writes; the app's import,
    made after its preview showed each household's step, saves the others."""
    steps = []
    with store.batch():
        for step, household, case in _planned(store, project_id, households):
            if step.action == ADD:
                store.add_household(project_id, step.number, step.household.head, step.household.address,
                                    actor=actor, result=_priced(household, case))
            elif step.action == FIRST_VERSION:
                store.save_computed(store.find_household(project_id, step.number).id, _priced(household, case),
                                    actor=actor)
            steps.append(step)
        refused = [step for step in steps if step.action == REFUSED]
        if refuse_differing and refused:   # raised inside the transaction: nothing of the survey is kept
            raise _differing(refused)
    return ImportSummary.of(steps)


def _differing(refused: list[ImportStep], shown: int = 10) -> RefusedByRule:
    """The import refused for the households the plan refuses (a ledger version that differs, a 户号 the ledger holds
    two ways), each with why."""
    more = len(refused) - shown
    zh = "".join(f"\n  户号 {step.number}:{step.reason}" for step in refused[:shown]) \
        + (f"\n  ……另有 {more} 户" if more > 0 else "")
    numbers = ", ".join(step.number for step in refused[:shown]) + (f" and {more} more" if more > 0 else "")
    return RefusedByRule(f"调查表中 {len(refused)} 户不能导入,未导入任何住户(--dry-run 可查看每一户);"
                         f"请按下列原因核对这些户,或从调查表中去掉后再导入:{zh}",
                         f"{len(refused)} households of the survey cannot be imported ({numbers}); nothing was "
                         "imported (--dry-run shows each household and why)")


def _registered(store: CaseStore, project_id: int) -> tuple[dict[str, list[str]], dict[str, list[LedgerRow]]]:
    """The project's 户号 by `number_key` (more than one under a key: numbers the ledger cannot tell apart), and its
    households by the 身份证号 their current cases give (`id_number_index`): a family registered before under
    another 户号."""
    rows = store.ledger(project_id)
    registered: dict[str, list[str]] = {}
    for row in rows:
        registered.setdefault(number_key(row.number), []).append(row.number)
    return registered, id_number_index(rows)


def _held_fingerprint(version: CaseVersion, number: str, schedule: Schedule) -> str:
    """The fingerprint of a stored version's case numbered by its 户号 (as a version saved now carries it), under
    the schedule version it was computed with (a draft: `schedule`)."""
    return fingerprint(numbered(version.case(), number), version.schedule_version or schedule.version)


def _refusal(household: Household, current: CaseVersion) -> str:
    """Why the survey's case was not saved over the household's current version."""
    if household.status is Status.PAID:
        return f"该户已支付(第{current.number}版),调查表与之不同;已支付的案例不再更正,差错请按补差程序另行办理"
    if household.status.locked:
        return (f"该户{household.status.label}(第{current.number}版),调查表与锁定的版本不同;"
                "更正须在补偿测算中填写更正理由")
    kind = "草稿" if current.result_json is None else "测算"
    return (f"台账中已有第{current.number}版{kind}(经办人 {current.actor or '未记录'}),与调查表不同,未覆盖;"
            "如需按调查表修改,请在补偿测算中打开此户核对")
