"""clicheck.py - what the CLI test scripts of tests/hostile share: run
rvvnn, check the exit code, stderr fragments and that an output
directory is left empty; count and report."""
import os
import subprocess
import sys


class Checker:
    def __init__(self, cli):
        self.cli, self.failures, self.passes = cli, [], 0

    def result(self, name, problems, stderr):
        if problems:
            self.failures.append("%s: %s\n    stderr: %s" % (name, "; ".join(problems), stderr.strip()[-400:]))
        else:
            self.passes += 1
            last = stderr.strip().splitlines()[-1] if stderr.strip() else ""
            print("ok   %s%s" % (name, ": " + last[:160] if last else ""))

    def expect(self, name, args, code, texts=(), out_dir=None, preexec=None):
        """rvvnn ARGS must exit `code` with every text on stderr and leave out_dir empty."""
        p = subprocess.run([self.cli] + args, capture_output=True, text=True, errors="replace", timeout=900,
                           preexec_fn=preexec)
        problems = ["exit %d, want %d" % (p.returncode, code)] if p.returncode != code else []
        problems += ["stderr lacks %r" % t for t in texts if t not in p.stderr]
        if out_dir and os.path.isdir(out_dir) and os.listdir(out_dir):
            problems.append("left %s" % os.listdir(out_dir))
        self.result(name, problems, p.stderr)

    def finish(self):
        for f in self.failures:
            print("FAIL " + f)
        print("%d passed, %d failed" % (self.passes, len(self.failures)))
        sys.exit(1 if self.failures else 0)
