"""Protocol tests for the Sapling Jupyter kernel, driven by Jupyter's own client libraries.

Run from JUnit (KernelProtocolTest) with JUPYTER_PATH pointing at a freshly installed 'sapling' kernelspec, or by
hand:  JUPYTER_PATH=/tmp/jp/share/jupyter /usr/bin/python3 -m unittest -v test_sapling_kernel
"""
import base64
import os
import queue
import tempfile
import time
import unittest

import jupyter_kernel_test
from jupyter_client.manager import start_new_kernel
from jupyter_client.session import Session

TIMEOUT = 60


class SaplingKernelTests(jupyter_kernel_test.KernelTests):
    """jupyter_kernel_test's conformance suite with every sample attribute filled in."""

    kernel_name = "sapling"
    language_name = "java"
    file_extension = ".jsh"

    code_hello_world = 'System.out.println("hello, world");'
    code_stderr = 'System.err.println("some error");'
    completion_samples = [
        {"text": "Integer.MAX_", "matches": {"MAX_VALUE"}},
        {"text": "%cla", "matches": {"%classpath"}},
    ]
    complete_code_samples = ["1 + 1", "int x = 1;", "%vars", "class A {}\nA a = new A();"]
    incomplete_code_samples = ["for (int i = 0; i < 3; i++) {", "String s = \"a\" +", "class B {"]
    invalid_code_samples = ["int x = }"]
    code_page_something = "?Math.max"
    code_generate_error = 'throw new IllegalStateException("boom");'
    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": '"abc".toUpperCase()', "result": "ABC"},
        {"code": 'render("<b>x</b>", "text/html")', "mime": "text/html", "result": "<b>x</b>"},
    ]
    code_display_data = [
        {"code": 'display("<b>bold</b>", "text/html");', "mime": "text/html"},
        {"code": "display(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB));", "mime": "image/png"},
    ]
    supported_history_operations = ("tail", "range", "search")
    code_history_pattern = "6*"
    code_inspect_sample = "Math.max"
    code_clear_output = "clearOutput();"

    @classmethod
    def setUpClass(cls):
        cls.km, cls.kc = start_new_kernel(kernel_name=cls.kernel_name, startup_timeout=TIMEOUT)


def run_cell(kc, code, timeout=TIMEOUT, **options):
    """Executes code; returns (reply, [iopub messages of this request up to idle])."""
    msg_id = kc.execute(code, **options)
    reply = kc.get_shell_msg(timeout=timeout)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = kc.get_shell_msg(timeout=timeout)
    outputs = []
    while True:
        msg = kc.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
        if msg["msg_type"] not in ("status", "execute_input"):
            outputs.append(msg)
    return reply, outputs


class SaplingBehaviourTests(unittest.TestCase):
    """What IJava and JJava get wrong: interrupts, errors, signatures, displays that update in place."""

    @classmethod
    def setUpClass(cls):
        cls.log = tempfile.NamedTemporaryFile(prefix="sapling-kernel-", suffix=".log", delete=False)
        cls.km, cls.kc = start_new_kernel(kernel_name="sapling", startup_timeout=TIMEOUT, stderr=cls.log)

    @classmethod
    def tearDownClass(cls):
        cls.kc.stop_channels()
        cls.km.shutdown_kernel()
        cls.log.close()

    def test_interrupt_stops_a_busy_loop_within_two_seconds_and_the_next_cell_runs(self):
        msg_id = self.kc.execute("long n = 0;\nwhile (true) { n++; }")
        time.sleep(1.0)
        started = time.monotonic()
        self.km.interrupt_kernel()
        reply = self.kc.get_shell_msg(timeout=10)
        latency = time.monotonic() - started
        self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["ename"], "Interrupted")
        print(f"\ninterrupt latency: {latency * 1000:.0f} ms")
        with open(os.environ.get("SAPLING_MEASUREMENTS", os.devnull), "a") as f:
            f.write(f"interrupt_latency_ms={latency * 1000:.0f}\n")
        self.assertLess(latency, 2.0)
        reply, outputs = run_cell(self.kc, "1 + 1")
        self.assertEqual(reply["content"]["status"], "ok")
        results = [m for m in outputs if m["msg_type"] == "execute_result"]
        self.assertEqual(results[0]["content"]["data"]["text/plain"], "2")

    def test_message_signed_with_the_wrong_key_is_not_executed_and_the_kernel_keeps_serving(self):
        marker = os.path.join(tempfile.mkdtemp(), "forged-ran")
        forger = Session(key=b"not-the-kernel-key", username="mallory")
        code = 'java.nio.file.Files.writeString(java.nio.file.Path.of("%s"), "x");' % marker
        forger.send(self.kc.shell_channel.socket, "execute_request",
                    {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                     "allow_stdin": False, "stop_on_error": True})
        with self.assertRaises(queue.Empty):
            self.kc.get_shell_msg(timeout=2)
        self.assertFalse(os.path.exists(marker), "the forged execute_request ran")
        reply, outputs = run_cell(self.kc, '"still serving"')
        self.assertEqual(reply["content"]["status"], "ok")
        self.assertEqual(outputs[-1]["content"]["data"]["text/plain"], "still serving")
        with open(self.log.name) as f:
            self.assertIn("bad HMAC signature", f.read())

    def test_failing_cell_sends_exactly_one_error_with_the_real_class_and_the_cell_line(self):
        reply, outputs = run_cell(self.kc, 'int ok = 1;\nObject o = null;\no.toString();')
        self.assertEqual(reply["content"]["status"], "error")
        errors = [m for m in outputs if m["msg_type"] == "error"]
        self.assertEqual(len(errors), 1)
        self.assertEqual(len(outputs), 1)
        content = errors[0]["content"]
        self.assertEqual(content["ename"], "java.lang.NullPointerException")
        self.assertIn("    at cell line 3", content["traceback"])
        self.assertNotIn("$JShell$", "\n".join(content["traceback"]))

    def test_compile_error_names_the_line(self):
        reply, outputs = run_cell(self.kc, 'int a = 1;\nint b = a +* 2;')
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["ename"], "CompileError")
        self.assertIn("cell line 2", reply["content"]["evalue"])

    def test_classes_that_refer_to_each_other_work_in_one_cell(self):
        reply, outputs = run_cell(self.kc, "class Ping { Pong p; }\nclass Pong { Ping p; }\n"
                                           "var ping = new Ping(); ping.p = new Pong(); ping.p.p = ping;\n"
                                           "ping.p.p == ping")
        self.assertEqual(reply["content"]["status"], "ok", reply["content"])
        self.assertEqual(outputs[-1]["content"]["data"]["text/plain"], "true")

    def test_stdout_streams_while_the_cell_runs(self):
        msg_id = self.kc.execute('System.out.println("first");\nThread.sleep(1500);\nSystem.out.println("second");')
        first_at = None
        while True:
            msg = self.kc.get_iopub_msg(timeout=TIMEOUT)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "stream" and "first" in msg["content"]["text"]:
                first_at = time.monotonic()
            if msg["msg_type"] == "stream" and "second" in msg["content"]["text"]:
                second_at = time.monotonic()
                break
        self.assertIsNotNone(first_at)
        self.assertGreater(second_at - first_at, 1.0)
        self.kc.get_shell_msg(timeout=TIMEOUT)

    def test_progress_updates_one_display_in_place(self):
        reply, outputs = run_cell(self.kc, "for (int i : progress(\"steps\", 5)) { Thread.sleep(120); }")
        self.assertEqual(reply["content"]["status"], "ok")
        shown = [m for m in outputs if m["msg_type"] == "display_data"]
        updates = [m for m in outputs if m["msg_type"] == "update_display_data"]
        self.assertEqual(len(shown), 1)
        self.assertGreaterEqual(len(updates), 1)
        display_id = shown[0]["content"]["transient"]["display_id"]
        self.assertTrue(all(u["content"]["transient"]["display_id"] == display_id for u in updates))
        self.assertIn("5/5", updates[-1]["content"]["data"]["text/plain"])

    def test_display_as_statement_leaves_no_id_and_table_renders_as_escaped_html(self):
        reply, outputs = run_cell(self.kc, 'display(Table.create("t", StringColumn.create("name", "<b>", "x"), '
                                           'IntColumn.create("n", 1, 2)))')
        self.assertEqual([m["msg_type"] for m in outputs], ["display_data"])
        html = outputs[0]["content"]["data"]["text/html"]
        self.assertIn("&lt;b&gt;", html)
        self.assertIn("<small>STRING</small>", html)
        self.assertIn("<small>INTEGER</small>", html)
        self.assertIn("text/plain", outputs[0]["content"]["data"])

    def test_buffered_image_as_cell_value_is_a_png(self):
        reply, outputs = run_cell(self.kc, "new BufferedImage(3, 2, BufferedImage.TYPE_INT_ARGB)")
        png = base64.b64decode(outputs[-1]["content"]["data"]["image/png"])
        self.assertEqual(png[:8], b"\x89PNG\r\n\x1a\n")

    def test_magics_time_and_vars(self):
        reply, outputs = run_cell(self.kc, "int answer = 42;\n%time Thread.sleep(50)\n%vars")
        self.assertEqual(reply["content"]["status"], "ok", reply["content"])
        text = "".join(m["content"]["text"] for m in outputs if m["msg_type"] == "stream")
        self.assertRegex(text, r"Wall time: \d+\.\d ms")
        html = [m for m in outputs if m["msg_type"] == "execute_result"][0]["content"]["data"]["text/html"]
        self.assertIn("<td>answer</td><td>int</td><td>42</td>", html)

    def test_inspect_at_the_end_of_a_name_and_unknown_magic(self):
        code = "String.valueOf"
        self.kc.inspect(code, len(code))
        reply = self.kc.get_shell_msg(timeout=TIMEOUT)
        self.assertTrue(reply["content"]["found"])
        self.assertIn("valueOf", reply["content"]["data"]["text/plain"])
        reply, outputs = run_cell(self.kc, "%nosuchmagic")
        self.assertEqual(reply["content"]["ename"], "UnknownMagic")

    def test_system_in_asks_the_frontend_for_a_line(self):
        msg_id = self.kc.execute('String name = new java.util.Scanner(System.in).nextLine();\n"hello " + name',
                                 allow_stdin=True)
        request = self.kc.get_stdin_msg(timeout=TIMEOUT)
        self.assertEqual(request["msg_type"], "input_request")
        self.kc.input("sapling")
        reply = self.kc.get_shell_msg(timeout=TIMEOUT)
        self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
        self.assertEqual(reply["content"]["status"], "ok", reply["content"])
        reply, outputs = run_cell(self.kc, "name")
        self.assertEqual(outputs[-1]["content"]["data"]["text/plain"], "sapling")

    def test_system_in_without_allow_stdin_is_end_of_input(self):
        reply, outputs = run_cell(self.kc, "System.in.read()", allow_stdin=False)
        self.assertEqual(outputs[-1]["content"]["data"]["text/plain"], "-1")

    def test_kernel_info_reports_full_language_info(self):
        self.kc.kernel_info()
        reply = self.kc.get_shell_msg(timeout=TIMEOUT)
        content = reply["content"]
        self.assertEqual(content["status"], "ok")
        info = content["language_info"]
        self.assertEqual(info["name"], "java")
        self.assertTrue(info["file_extension"].startswith("."))
        for key in ("version", "mimetype", "pygments_lexer", "codemirror_mode", "nbconvert_exporter"):
            self.assertTrue(info[key], key)


if __name__ == "__main__":
    unittest.main()
