"""打印预览: the generated PDF shown in the app (QtPdf), and printed from those same pages.

Printing renders each PDF page to an image at the printer's resolution and paints it on the
page, so the paper is the PDF the office files, not a second layout that could differ from it.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QPointF, QRectF, QSize, QSizeF, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QDialog, QLabel, QToolBar, QVBoxLayout

from ui.lazy import lazy_module

dialogs = lazy_module("ui.dialogs")

POINTS_PER_INCH = 72
MAX_PRINT_DPI = 600  # beyond this a page image passes 140 MB and the paper shows no difference


class PrintError(RuntimeError):
    """The printer could not be started (no printer, or it refused the job)."""


def open_pdf(path: Path) -> QPdfDocument:
    """Load a PDF for viewing or printing; a file QtPdf cannot read raises PrintError."""
    document = QPdfDocument()
    error = document.load(str(path))
    if error != QPdfDocument.Error.None_:
        raise PrintError(f"无法读取 PDF:{path.name}({error.name})")
    return document


def match_paper(document: QPdfDocument, printer: QPrinter) -> None:
    """Give the printer the PDF's own paper (A4 portrait for our sheets), edge to edge."""
    size = document.pagePointSize(0)
    page_size = QPageSize(QSizeF(size.width(), size.height()), QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.FuzzyMatch)
    orientation = QPageLayout.Orientation.Landscape if size.width() > size.height() else QPageLayout.Orientation.Portrait
    printer.setPageSize(page_size)
    printer.setPageOrientation(orientation)
    printer.setFullPage(True)


def print_pdf(document: QPdfDocument, printer: QPrinter) -> int:
    """Paint every page of `document` on `printer` at its resolution; returns the pages printed."""
    dpi = min(printer.resolution(), MAX_PRINT_DPI)
    painter = QPainter()
    if not painter.begin(printer):
        raise PrintError("打印机无法开始打印")
    try:
        for page in range(document.pageCount()):
            if page:
                printer.newPage()
            points = document.pagePointSize(page)
            pixels = QSize(round(points.width() * dpi / POINTS_PER_INCH), round(points.height() * dpi / POINTS_PER_INCH))
            image = document.render(page, pixels)
            # The page keeps its size on paper: scaled from PDF points to printer pixels, top-left aligned.
            scale = printer.resolution() / POINTS_PER_INCH
            target = QRectF(QPointF(0, 0), QSizeF(points.width() * scale, points.height() * scale))
            painter.drawImage(target, image)
    finally:
        painter.end()
    return document.pageCount()


class PreviewDialog(QDialog):
    """The sheet as it will print: pages, zoom, 打印… and 导出PDF…."""

    printed = Signal(int)  # pages sent to the printer

    def __init__(self, parent, path: Path, export: Callable[[], bool] | None = None,
                 refusal: Callable[[], str | None] | None = None):
        super().__init__(parent)
        self.path, self.refusal = path, refusal
        self.setWindowTitle(f"打印预览 — {path.name}")
        self.document = open_pdf(path)
        self.document.setParent(self)
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.pages = QLabel(self)
        self.view.pageNavigator().currentPageChanged.connect(self._show_page)
        self._show_page(0)

        bar = QToolBar(self)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.print_action = self._add(bar, "打印(&P)…", self.print_document, QKeySequence.StandardKey.Print)
        if export is not None:
            self._add(bar, "导出PDF(&E)…", export, QKeySequence("Ctrl+Shift+P"))
        bar.addSeparator()
        self._add(bar, "适合宽度(&W)", lambda: self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth), QKeySequence("Ctrl+1"))
        self._add(bar, "整页(&F)", lambda: self.view.setZoomMode(QPdfView.ZoomMode.FitInView), QKeySequence("Ctrl+2"))
        self._add(bar, "放大", lambda: self._zoom(1.25), QKeySequence.StandardKey.ZoomIn)
        self._add(bar, "缩小", lambda: self._zoom(0.8), QKeySequence.StandardKey.ZoomOut)
        bar.addSeparator()
        bar.addWidget(self.pages)
        bar.addSeparator()
        self._add(bar, "关闭", self.reject, QKeySequence(Qt.Key.Key_Escape))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(bar)
        layout.addWidget(self.view, 1)
        dialogs.fit_to_screen(self, 900, 1000)

    def _add(self, bar: QToolBar, text: str, slot, shortcut) -> QAction:
        """A button of the bar with its shortcut, and the Alt key its label shows (打印(P): Alt+P): a tool button
        shows the letter but takes no mnemonic of its own, and Alt+P did nothing."""
        action = bar.addAction(text)
        keys = [QKeySequence(shortcut)]
        mnemonic = QKeySequence.mnemonic(text)
        action.setShortcuts(keys + ([mnemonic] if not mnemonic.isEmpty() else []))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _zoom(self, factor: float) -> None:
        current = self.view.zoomFactor()
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(max(0.25, min(4.0, current * factor)))

    def _show_page(self, page: int) -> None:
        self.pages.setText(f"  第 {page + 1} 页 / 共 {self.document.pageCount()} 页  ")

    def print_document(self) -> bool:
        """Ask for the printer (QPrintDialog), then print these pages on it; refused, said, when what they show may no
        longer be printed (`refusal`: a newer version of the household saved since the preview opened)."""
        refused = self.refusal() if self.refusal is not None else None
        if refused:
            dialogs.show_error(self, "打印", refused)
            return False
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.path.stem)
        match_paper(self.document, printer)
        if not dialogs.ask_printer(self, printer):
            return False
        try:
            count = print_pdf(self.document, printer)
        except PrintError as error:
            dialogs.show_error(self, "打印失败", str(error))
            return False
        self.printed.emit(count)
        return True


def show_preview(parent, path: Path, folder, export: Callable[[], bool] | None = None,
                 refusal: Callable[[], str | None] | None = None) -> PreviewDialog | None:
    """Open the preview of the PDF at `path`; `folder` (a TemporaryDirectory) is removed when it closes."""
    try:
        dialog = PreviewDialog(parent, path, export, refusal)
    except PrintError as error:
        folder.cleanup()
        dialogs.show_error(parent, "打印预览", str(error))
        return None
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def closed(_code: int) -> None:
        dialog.document.close()  # Windows cannot remove a file that is still open
        folder.cleanup()

    dialog.finished.connect(closed)
    dialog.open()
    return dialog
