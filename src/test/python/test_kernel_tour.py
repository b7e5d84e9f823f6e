"""Runs notebooks/kernel-tour.ipynb headless with nbclient on the 'sapling' kernel and checks its MIME outputs."""
import base64
import os
import re
import unittest

import nbformat
from nbclient import NotebookClient

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
NOTEBOOK = os.path.join(ROOT, "notebooks", "kernel-tour.ipynb")


class KernelTourNotebookTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.nb = nbformat.read(NOTEBOOK, as_version=4)
        NotebookClient(cls.nb, kernel_name="sapling", timeout=120, startup_timeout=120,
                       resources={"metadata": {"path": ROOT}}).execute()
        cls.outputs = [o for c in cls.nb.cells if c.cell_type == "code" for o in c.outputs]

    def data(self, mime):
        return [o["data"][mime] for o in self.outputs if "data" in o and mime in o["data"]]

    def test_no_cell_failed(self):
        self.assertEqual([o for o in self.outputs if o["output_type"] == "error"], [])

    def test_html_display_and_stdout(self):
        self.assertIn("<h3>Hello from Sapling</h3>", self.data("text/html"))
        streams = "".join(o["text"] for o in self.outputs if o["output_type"] == "stream")
        self.assertIn("Java 17", streams)

    def test_tablesaw_table_is_escaped_html_with_types_head_and_tail(self):
        table = [h for h in self.data("text/html") if 'class="sapling-table"' in h][0]
        self.assertIn("losses: 30 rows", table)
        self.assertIn("<small>INTEGER</small>", table)
        self.assertIn("<small>DOUBLE</small>", table)
        self.assertIn("&lt;checkpoint&gt;", table)
        self.assertNotIn("<checkpoint>", table)
        self.assertIn("&hellip;", table)  # 30 rows: head 10, elision, tail 10
        self.assertEqual(table.count("<tr>"), 1 + 10 + 1 + 10)

    def test_chart_is_offline_svg_and_png(self):
        svg = self.data("image/svg+xml")[0]
        self.assertTrue(svg.lstrip().startswith("<svg"), svg[:80])
        self.assertIn("loss by step", svg)
        png = base64.b64decode(self.data("image/png")[0])
        self.assertEqual(png[:8], b"\x89PNG\r\n\x1a\n")

    def test_no_remote_script_sources(self):
        for mime in ("text/html", "image/svg+xml"):
            for text in self.data(mime):
                self.assertIsNone(re.search(r"<script[^>]*src=[\"']?https?://", text), text[:200])
                self.assertNotIn("https://", text)

    def test_progress_bar_was_updated_in_place_to_the_end(self):
        bars = [t for t in self.data("text/plain") if t.startswith("warm-up [")]
        self.assertEqual(len(bars), 1)
        self.assertIn("20/20 (100%)", bars[0])

    def test_vars_magic_lists_the_table(self):
        self.assertTrue(any("<td>losses</td>" in h for h in self.data("text/html")))


if __name__ == "__main__":
    unittest.main()
