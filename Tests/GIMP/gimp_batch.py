# Runs inside headless GIMP 3 (python-fu-eval): drives plug-in-restorekit in
# every output mode and writes what it saw to $RK_OUT/results.json; the PNGs
# it exports are compared with the CLI's by check-gimp.sh.
import json
import os

from gi.repository import Gegl, Gimp, Gio

out = os.environ["RK_OUT"]
degraded = os.environ["RK_IN"]
prompt = os.environ["RK_PROMPT"]
results = {}
procedure = Gimp.get_pdb().lookup_procedure("plug-in-restorekit")
results["registered"] = procedure is not None


def load():
    return Gimp.file_load(Gimp.RunMode.NONINTERACTIVE, Gio.File.new_for_path(degraded))


def run(image, mode, restoration, analyse=True, **settings):
    config = procedure.create_config()
    config.set_property("run-mode", Gimp.RunMode.NONINTERACTIVE)
    config.set_property("image", image)
    config.set_core_object_array("drawables", [image.get_layers()[0]])
    config.set_property("restoration-prompt", restoration)
    config.set_property("output-mode", mode)
    config.set_property("analyse", analyse)
    for name, value in settings.items():
        config.set_property(name, value)
    values = procedure.run(config)
    status = values.index(0)
    message = values.index(1) if values.length() > 1 else None
    return status == Gimp.PDBStatusType.SUCCESS, str(message) if message is not None else ""


def export(image, name):
    Gimp.file_save(Gimp.RunMode.NONINTERACTIVE, image, Gio.File.new_for_path(os.path.join(out, name)), None)


def pixels(layer):
    rect = Gegl.Rectangle.new(0, 0, layer.get_width(), layer.get_height())
    return layer.get_buffer().get(rect, 1.0, "R'G'B'A u8", Gegl.AbyssPolicy.NONE)


def record_options():
    """Each argument's default and range, and whether the procedure's config takes
    the declared options' extremes and refuses values just outside them, for
    Tests/Options/check_options.py --gimp."""
    declared = json.load(open(os.environ["RK_OPTIONS"]))
    specs = {spec.get_name(): spec for spec in procedure.get_arguments()}
    options = {}
    for option in declared:
        spec = specs.get(option["name"])
        if spec is None:
            continue
        entry = {"default": spec.get_default_value(), "probes": []}
        if option["type"] in ("integer", "number"):
            entry["minimum"], entry["maximum"] = spec.minimum, spec.maximum
            step = 1 if option["type"] == "integer" else 0.001
            for value in (option["minimum"], option["maximum"], option["minimum"] - step, option["maximum"] + step):
                config = procedure.create_config()
                config.set_property(option["name"], option["default"])
                try:
                    config.set_property(option["name"], value)
                except (OverflowError, TypeError, ValueError):
                    pass  # the type cannot hold it: refused
                got = config.get_property(option["name"])
                entry["probes"].append((value, abs(got - value) <= 1e-9 * max(1, abs(value))))
        options[option["name"]] = entry
    return options


if procedure is not None:
    results["options"] = record_options()
    for mode in ("in-place", "new-layer", "non-destructive"):
        image = load()
        ok, message = run(image, mode, prompt)
        layer = image.get_layers()[0]
        entry = {"ok": ok, "message": message, "layers": len(image.get_layers()),
                 "filters": [f.get_operation_name() for f in layer.get_filters()]}
        export(image, mode + ".png")
        results[mode] = entry
        image.delete()

    # A selection: pixels outside it stay exactly as they were.
    image = load()
    layer = image.get_layers()[0]
    before = pixels(layer)
    x0, y0, w, h = 100, 60, 150, 120
    image.select_rectangle(Gimp.ChannelOps.REPLACE, x0, y0, w, h)
    ok, message = run(image, "in-place", prompt)
    after = pixels(layer)
    width = layer.get_width()
    outside_changed = inside_changed = 0
    for y in range(layer.get_height()):
        for x in range(width):
            i = (y * width + x) * 4
            same = before[i:i + 4] == after[i:i + 4]
            if x0 <= x < x0 + w and y0 <= y < y0 + h:
                inside_changed += not same
            else:
                outside_changed += not same
    results["selection"] = {"ok": ok, "message": message, "outside_changed": outside_changed,
                            "inside_changed": inside_changed}
    image.delete()

    image = load()
    size = (image.get_width(), image.get_height())
    ok, message = run(image, "in-place", "Upsample to 2")
    layer = image.get_layers()[0]
    results["upsample"] = {"ok": ok, "message": message, "before": size,
                           "layer": (layer.get_width(), layer.get_height()),
                           "image": (image.get_width(), image.get_height())}
    image.delete()

    image = load()
    ok, message = run(image, "in-place", "Denoise with sigma lots")
    results["invalid"] = {"ok": ok, "message": message}
    image.delete()

    # An empty prompt: analysed from the layer (the new layer is named after the
    # filled-in prompt); refused when Analyse is off.
    image = load()
    ok, message = run(image, "new-layer", "")
    export(image, "analysed.png")
    results["analysed"] = {"ok": ok, "message": message, "name": image.get_layers()[0].get_name()}
    image.delete()
    image = load()
    ok, message = run(image, "in-place", "", analyse=False)
    results["not-analysed"] = {"ok": ok, "message": message}
    image.delete()

    # A generative model imported from the test fixtures (RK_MODEL, with RESTOREKIT_MODELS set):
    # a new layer as the CLI makes it; a non-destructive filter refused (no progress or cancel).
    if os.environ.get("RK_MODEL"):
        generative = dict(model=os.environ["RK_MODEL"], steps=3, strength=0.5, seed=4)
        generative["semantic-prompt"] = "a cat"
        image = Gimp.file_load(Gimp.RunMode.NONINTERACTIVE, Gio.File.new_for_path(os.environ["RK_SMALL"]))
        ok, message = run(image, "new-layer", "Upsample to 2", **generative)
        export(image, "generative.png")
        results["generative"] = {"ok": ok, "message": message, "layers": len(image.get_layers())}
        image.delete()
        image = Gimp.file_load(Gimp.RunMode.NONINTERACTIVE, Gio.File.new_for_path(os.environ["RK_SMALL"]))
        ok, message = run(image, "non-destructive", "Deblur with sigma 1", **generative)
        results["generative-filter"] = {"ok": ok, "message": message,
                                        "filters": len(image.get_layers()[0].get_filters())}
        image.delete()

with open(os.path.join(out, "results.json"), "w") as f:
    json.dump(results, f, indent=1)
