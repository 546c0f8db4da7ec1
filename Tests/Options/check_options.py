#!/usr/bin/env python3
"""Every surface follows the core's declaration of the restoration options.

The declaration is read from the core (`restorekit options --json`), never
typed in here. For each surface, each option's default is compared with it and
its range is probed: the minimum and maximum are accepted, a value just outside
is refused (where the surface's type can hold it at all).

    check_options.py BUILD              restore_params_init and the C ABI, the
                                        Python binding, the GEGL op (gegl --info
                                        and its GObject properties), the CLI
                                        (restorekit restore --help and runs)
    check_options.py BUILD --gimp JSON  the GIMP procedure, from what
                                        Tests/GIMP/gimp_batch.py recorded in JSON

Only this file knows how each surface spells an option (`c_name`, `flag`,
`keyword`). "linear" exists in C and Python only: GEGL, GIMP and image files
carry their own colour encoding. Runs with the system Python (GObject
introspection for GEGL).
"""
import ctypes
import json
import os
import re
import subprocess
import sys
import tempfile
import warnings

build = os.path.abspath(sys.argv[1])
cli = os.path.join(build, "bin", "restorekit")
library = os.path.join(build, "lib", "librestore.so.0")
failures = []


def fail(surface, option, what):
    failures.append("%s: %s: %s" % (surface, option["name"], what))


declaration = json.loads(subprocess.run([cli, "options", "--json"], check=True, capture_output=True,
                                        text=True).stdout)
HOST_ENCODED = {"linear"}  # options of surfaces whose pixels are not theirs to describe


def c_name(option):
    return option["name"].replace("-", "_")


def keyword(option):
    name = option["name"]
    return name[:-len("-prompt")] if name.endswith("-prompt") else name.replace("-", "_")


def flag(option):
    return {"restoration-prompt": "--restoration", "semantic-prompt": "--semantic"}.get(option["name"],
                                                                                       "--" + option["name"])


def probes(option):
    """(value, accepted) pairs: both ends of the range and just outside them."""
    kind = option["type"]
    if kind == "integer":
        return [(option["minimum"], True), (option["maximum"], True),
                (option["minimum"] - 1, False), (option["maximum"] + 1, False)]
    if kind == "number":
        return [(option["minimum"], True), (option["maximum"], True),
                (option["minimum"] - 0.001, False), (option["maximum"] + 0.001, False)]
    if kind == "text":
        return [(" " * option["max_bytes"], True), (" " * (option["max_bytes"] + 1), False)]
    return [(True, True), (False, True)]


def same(a, b):
    return abs(a - b) <= 1e-6 * max(1, abs(b)) if isinstance(b, float) else a == b


# ------------------------------------------------------------------ C ABI --

PROGRESS = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_float, ctypes.c_char_p, ctypes.c_void_p)


class Params(ctypes.Structure):
    _fields_ = [("size", ctypes.c_size_t), ("semantic_prompt", ctypes.c_char_p),
                ("restoration_prompt", ctypes.c_char_p), ("quality_prompt", ctypes.c_char_p),
                ("negative_prompt", ctypes.c_char_p), ("model", ctypes.c_char_p), ("strength", ctypes.c_float),
                ("steps", ctypes.c_int), ("guidance", ctypes.c_float), ("seed", ctypes.c_uint64),
                ("tile_size", ctypes.c_int), ("threads", ctypes.c_int), ("flags", ctypes.c_uint),
                ("progress", PROGRESS), ("progress_user_data", ctypes.c_void_p), ("fidelity", ctypes.c_float)]


def check_c():
    lib = ctypes.CDLL(library)
    lib.restore_last_error.restype = ctypes.c_char_p
    lib.restore_options_json.restype = ctypes.c_char_p
    if json.loads(lib.restore_options_json().decode()) != declaration:
        failures.append("C: restore_options_json differs from restorekit options --json")
    defaults = Params()
    lib.restore_params_init(ctypes.byref(defaults))
    for option in declaration:
        if option["name"] == "linear":
            got = bool(defaults.flags & 1)
        else:
            got = getattr(defaults, c_name(option))
        if option["type"] == "text":
            # NULL stands for the declared default; anything else must equal it.
            if got is not None and got.decode() != option["default"]:
                fail("restore_params_init", option, "default %r, declared %r" % (got, option["default"]))
        elif not same(got, option["default"]):
            fail("restore_params_init", option, "default %r, declared %r" % (got, option["default"]))
        for value, accepted in probes(option):
            params = Params()
            lib.restore_params_init(ctypes.byref(params))
            if option["name"] == "linear":
                params.flags = 1 if value else 0
            elif option["type"] == "text":
                value = value.encode()
                setattr(params, c_name(option), value)
            elif option["name"] == "seed" and value < 0:
                continue  # uint64_t cannot hold it
            else:
                setattr(params, c_name(option), value)
            w, h = ctypes.c_int(), ctypes.c_int()
            status = lib.restore_output_size(ctypes.byref(params), 8, 8, ctypes.byref(w), ctypes.byref(h))
            if (status == 0) != accepted:
                fail("C", option, "%s = %.40r: status %d (%s)" % (c_name(option), value, status,
                                                                    lib.restore_last_error(None).decode()))


# --------------------------------------------------------- Python binding --

def check_python():
    os.environ["RESTOREKIT_LIBRARY"] = library
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "plugins", "gimp", "restorekit"))
    import inspect
    import librestore
    if librestore.options() != declaration:
        failures.append("Python: librestore.options() differs from the declaration")
    signature = inspect.signature(librestore._Call.__init__)
    expected = {keyword(o) for o in declaration} | {"progress"}
    names = set(signature.parameters) - {"self"}
    if names != expected:
        failures.append("Python: keywords %s, declared %s" % (sorted(names), sorted(expected)))
    # Keywords left out take restore_params_init's values, which the C check holds to the declaration.
    if any(p.default is not None for name, p in signature.parameters.items() if name != "self"):
        failures.append("Python: a keyword has a default of its own instead of the library's")
    for option in declaration:
        for value, accepted in probes(option):
            try:
                librestore.output_size(8, 8, **{keyword(option): value})
                ok = True
            except librestore.RestoreError as error:
                ok = False
                if error.status != librestore.INVALID_ARGUMENT:
                    fail("Python", option, "%.40r refused with status %d" % (value, error.status))
            if ok != accepted:
                fail("Python", option, "%s=%.40r %s" % (keyword(option), value, "refused" if accepted else "accepted"))


# ------------------------------------------------------------------- GEGL --

def check_gegl():
    env = dict(os.environ, GEGL_PATH=os.path.join(build, "share/gegl-0.4/plug-ins")
               + ":/usr/lib/x86_64-linux-gnu/gegl-0.4")
    info = subprocess.run(["gegl", "--info", "restorekit:restore"], capture_output=True, env=env).stdout.decode(errors="replace")
    listed = {}
    for block in re.split(r"\n(?=[a-z-]+ +\[)", info.split("Properties:", 1)[-1]):
        match = re.match(r"\s*([a-z-]+) +\[(\w+)\] (.*)", block, re.S)
        if match:
            text = " ".join(match.group(3).split())
            default = re.search(r"\(default: (.*)\)$", text)
            listed[match.group(1)] = (match.group(2), default.group(1) if default else None)
    os.environ.update(env)
    import gi
    gi.require_version("Gegl", "0.4")
    from gi.repository import Gegl, GObject
    Gegl.init(None)
    # GObject's complaint about each out-of-range probe is what is expected.
    warnings.filterwarnings("ignore", message=".* is invalid or out of range for property")
    node = Gegl.Node()
    node.set_property("operation", "restorekit:restore")
    for option in declaration:
        if option["name"] in HOST_ENCODED:
            if option["name"] in listed:
                fail("GEGL", option, "is a property")
            continue
        if option["name"] not in listed:
            fail("gegl --info", option, "missing")
            continue
        kind, default = listed[option["name"]]
        if default is not None:
            shown = default.strip('"') if kind == "gchararray" else float(default)
            if not same(shown, option["default"]):
                fail("gegl --info", option, "default %s, declared %r" % (default, option["default"]))
        spec = Gegl.Operation.find_property("restorekit:restore", option["name"])
        if option["type"] in ("integer", "number"):
            if not (same(spec.minimum, option["minimum"]) and same(spec.maximum, option["maximum"])):
                fail("GEGL", option, "range %r..%r, declared %r..%r" % (spec.minimum, spec.maximum,
                                                                        option["minimum"], option["maximum"]))
        if not same(spec.default_value, option["default"]):
            fail("GEGL", option, "default %r, declared %r" % (spec.default_value, option["default"]))
        if option["type"] == "text":
            continue  # GObject strings have no length limit: the library refuses long ones when rendering
        for value, accepted in probes(option):
            if kind == "guint" and value < 0:
                continue  # an unsigned property cannot hold it
            node.set_property(option["name"], option["default"])
            if kind == "guint":
                # PyGObject converts plain ints for GEGL's seed type as gint: pass a guint.
                value = GObject.Value(GObject.TYPE_UINT, value) if value <= 0xffffffff else value
            # GObject refuses an out-of-range value with a warning and keeps the old one.
            try:
                node.set_property(option["name"], value)
            except OverflowError:
                pass  # a guint cannot hold it: refused
            if isinstance(value, GObject.Value):
                value = value.get_value()
            if same(node.get_property(option["name"]), value) != accepted:
                fail("GEGL", option, "%r %s" % (value, "refused" if accepted else "accepted"))


# -------------------------------------------------------------------- CLI --

def check_cli():
    help_text = subprocess.run([cli, "restore", "--help"], check=True, capture_output=True, text=True).stdout
    entries = {}
    for block in re.split(r"\n(?=  --)", help_text):
        match = re.match(r"\s*(--[a-z-]+)(?:, --[a-z-]+)*(?: <[a-z-]+>)?(.*)", block, re.S)
        if match:
            entries[match.group(1)] = " ".join(match.group(2).split())
    work = tempfile.mkdtemp()
    tiny = os.path.join(work, "tiny.png")
    subprocess.run([cli, "degrade", os.path.join(os.path.dirname(__file__), "..", "..", "docs/samples/chelsea.png"),
                    os.path.join(work, "small.png"), "--pipeline", "realesrgan", "--seed", "1"], check=True,
                   capture_output=True)
    subprocess.run([cli, "degrade", os.path.join(work, "small.png"), tiny, "--restoration", "Upsample to 0.125"],
                   capture_output=True)
    if not os.path.exists(tiny):
        tiny = os.path.join(work, "small.png")
    for option in declaration:
        if option["name"] in HOST_ENCODED:
            continue
        text = entries.get(flag(option))
        if text is None:
            fail("restorekit restore --help", option, "no %s" % flag(option))
            continue
        default = re.search(r"\(default: (.*?)\)$", text)
        shown = default.group(1) if default else ""
        expected = option["default"]
        if option["type"] == "number":
            ok = default is not None and same(float(shown), expected)
        else:
            ok = shown == str(expected)
        if not ok:
            fail("restorekit restore --help", option, "default %r, declared %r" % (shown, expected))
        if option["type"] in ("integer", "number"):
            wanted = "%s–%s" % (option["minimum"], option["maximum"])
            if wanted not in text:
                fail("restorekit restore --help", option, "range %s not stated in %r" % (wanted, text))
        for value, accepted in probes(option):
            if option["name"] == "model" and accepted:
                continue  # only installed models' names are accepted: the length limit is what is probed
            arguments = [cli, "restore", tiny, os.path.join(work, "out.png"), "--model", "classic", "--quiet"]
            if option["name"] != "restoration-prompt":
                arguments += ["--restoration", "Denoise with sigma 0.05"]
            run = subprocess.run(arguments + [flag(option) + "=" + str(value)], capture_output=True, text=True)
            if (run.returncode == 0) != accepted:
                fail("CLI", option, "%s=%.40r exit %d: %s" % (flag(option), value, run.returncode,
                                                              run.stderr.strip()[:200]))


# ------------------------------------------------------------------- GIMP --

def check_gimp(path):
    recorded = json.load(open(path))["options"]
    for option in declaration:
        entry = recorded.get(option["name"])
        if option["name"] in HOST_ENCODED:
            if entry is not None:
                fail("GIMP", option, "is an argument")
            continue
        if entry is None:
            fail("GIMP", option, "not an argument of plug-in-restorekit")
            continue
        if not same(entry["default"], option["default"]):
            fail("GIMP", option, "default %r, declared %r" % (entry["default"], option["default"]))
        if option["type"] in ("integer", "number"):
            if not (same(entry["minimum"], option["minimum"]) and same(entry["maximum"], option["maximum"])):
                fail("GIMP", option, "range %r..%r, declared %r..%r" % (entry["minimum"], entry["maximum"],
                                                                        option["minimum"], option["maximum"]))
            for value, accepted in entry["probes"]:
                declared = next(a for v, a in probes(option) if same(v, value))
                if accepted != declared:
                    fail("GIMP", option, "%r %s" % (value, "accepted" if accepted else "refused"))


if "--gimp" in sys.argv:
    check_gimp(sys.argv[sys.argv.index("--gimp") + 1])
    surfaces = "the GIMP procedure"
else:
    check_c()
    check_python()
    check_gegl()
    check_cli()
    surfaces = "restore_params_init, the Python binding, the GEGL op and the CLI"
if failures:
    print("check-options: FAIL:\n  " + "\n  ".join(failures), file=sys.stderr)
    sys.exit(1)
print("check-options: %s: every option follows the declaration of %d (defaults, ranges at both ends)"
      % (surfaces, len(declaration)))
