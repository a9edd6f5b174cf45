"""ui.operations.run: the one way the 台账 runs an action — its error shown under its title, a refresh only when done."""
from pathlib import Path

from calculator.store.base import StoreError
from ui import operations


def test_a_done_action_refreshes_and_gives_its_answer(answers):
    refreshed = []
    assert operations.run(None, lambda: [3, 5], "导入调查表", refresh=lambda: refreshed.append("ledger")) == [3, 5]
    assert operations.run(None, lambda: None, "备份项目", refresh=lambda: refreshed.append("ledger")) is True
    assert refreshed == ["ledger", "ledger"] and answers.errors == []


def test_a_failed_action_is_shown_and_nothing_refreshed(answers, tmp_path):
    refreshed = []

    def busy():
        raise StoreError("项目文件读写失败:项目正被其他人修改", "the project file is busy")

    assert operations.run(None, busy, "不能标记已支付", refresh=lambda: refreshed.append("ledger")) is None
    missing = tmp_path / "无此文件夹" / "台账.xlsx"
    assert operations.run(None, lambda: Path(missing).write_bytes(b"x"), "导出台账Excel",
                          refresh=lambda: refreshed.append("ledger")) is None
    assert refreshed == []
    assert answers.errors == [("不能标记已支付", "项目文件读写失败:项目正被其他人修改"),
                              ("导出台账Excel", f"文件操作失败:路径不存在 / No such file or directory({missing})")]
