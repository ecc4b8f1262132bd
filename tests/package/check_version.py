#!/usr/bin/python3
"""check_version.py - the one version (CMake's project(VERSION)) is the
one every consumer sees: rvvnn_version() of the built library, the
header's RVVNN_VERSION_STRING (via `rvvnn --version`), rvvnn.pc,
rvvnnConfigVersion.cmake and the upstream part of debian/changelog.

  check_version.py PROJECT_VERSION BUILD_DIR SOURCE_DIR"""
import ctypes
import re
import subprocess
import sys

want, build, source = sys.argv[1:4]


def field(path, pattern):
    with open(path, encoding="utf-8") as f:
        m = re.search(pattern, f.read(), re.M)
    return m.group(1) if m else "(none in %s)" % path


lib = ctypes.CDLL("%s/librvvnn.so.0" % build)
lib.rvvnn_version.restype = ctypes.c_char_p
seen = {
    "rvvnn_version()": lib.rvvnn_version().decode(),
    "rvvnn --version": subprocess.run(["%s/rvvnn" % build, "--version"], check=True, capture_output=True,
                                      text=True).stdout.split()[-1],
    "rvvnn.pc": field("%s/packaging/rvvnn.pc" % build, r"^Version:\s*(\S+)"),
    "rvvnnConfigVersion.cmake": field("%s/packaging/rvvnnConfigVersion.cmake" % build,
                                      r'^set\(PACKAGE_VERSION "([^"]+)"\)'),
    "debian/changelog": field("%s/packaging/debian/changelog" % source, r"^rvvnn \(([^)-]+)-[^)]*\)"),
}
bad = {k: v for k, v in seen.items() if v != want}
for k, v in seen.items():
    print("%-26s %s%s" % (k, v, "" if v == want else "   <- differs from CMake's %s" % want))
sys.exit(1 if bad else 0)
