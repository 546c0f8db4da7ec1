#!/usr/bin/env python3
"""RestoreKit for GIMP 3: Filters ▸ Enhance ▸ RestoreKit…

Restores the active layer (or the selection in it) as the prompts say. Three
output modes:
  non-destructive  appends the restorekit:restore GEGL filter to the layer,
                   editable later from the layer's filter list;
  in place         writes the restored pixels back (through the shadow buffer:
                   one undo step, only the selection changes);
  new layer        restores a copy placed above the layer.
Upsampling prompts enlarge the layer (and the canvas when the layer filled it).
With "Analyse" on, a restoration prompt that leaves strengths open (empty,
"Denoise", "Remove all degradation") is filled in from the whole layer first;
the filled-in prompt names the new layer and is what a non-destructive filter
keeps, so the numbers can be read and edited.
Pixels are written only after the whole restoration succeeded: when the user
cancels, GIMP stops this process and the image is left as it was.

The procedure's arguments for the prompts and knobs are made from librestore's
declaration (librestore.options()): names, defaults and ranges are the
library's own. The dialog says which of them the installed models ignore.
"""
import os
import sys
import warnings

import gi
gi.require_version("Gimp", "3.0")
gi.require_version("GimpUi", "3.0")
gi.require_version("Gegl", "0.4")
gi.require_version("Gtk", "3.0")
from gi.repository import Gegl, Gimp, GimpUi, GLib, GObject, Gtk  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import librestore  # noqa: E402

PROCEDURE = "plug-in-restorekit"
OPERATION = "restorekit:restore"
PIXELS = "R'G'B'A float"
# Labels (with mnemonics) of the library's options; pixels here are never linear.
LABELS = {"semantic-prompt": "_Semantic prompt", "restoration-prompt": "_Restoration prompt",
          "quality-prompt": "_Quality prompt", "negative-prompt": "_Negative prompt", "model": "_Model",
          "strength": "S_trength", "steps": "Ste_ps", "guidance": "_Guidance", "seed": "See_d", "fidelity": "_Fidelity",
          "tile-size": "T_ile size", "threads": "T_hreads"}
OPTIONS = [option for option in librestore.options() if option["name"] in LABELS]
# The prompt fields, shown as labelled multi-line boxes above the knobs.
PROMPTS = tuple(option["name"] for option in OPTIONS if option["name"].endswith("-prompt"))
KNOBS = ("analyse",) + tuple(option["name"] for option in OPTIONS if option["name"] not in PROMPTS) + ("output-mode",)
# The binding's notices are shown with Gimp.message (see restore_pixels).
warnings.simplefilter("ignore", librestore.RestoreNotice)


def keyword(name):
    """An option's keyword in the Python binding: "semantic" for "semantic-prompt", "tile_size"…"""
    return name[:-len("-prompt")] if name.endswith("-prompt") else name.replace("-", "_")
MODES = (("non-destructive", "Non-destructive filter", "Append an editable RestoreKit filter to the layer"),
         ("in-place", "In place", "Write the restored pixels into the layer"),
         ("new-layer", "New layer", "Put the restored pixels in a new layer above"))


class RestoreKit(Gimp.PlugIn):
    def do_query_procedures(self):
        return [PROCEDURE]

    def do_set_i18n(self, name):
        return False

    def do_create_procedure(self, name):
        procedure = Gimp.ImageProcedure.new(self, name, Gimp.PDBProcType.PLUGIN, run, None)
        procedure.set_image_types("RGB*, GRAY*")
        procedure.set_sensitivity_mask(Gimp.ProcedureSensitivityMask.DRAWABLE)
        procedure.set_menu_label("RestoreKit…")
        procedure.add_menu_path("<Image>/Filters/Enhance")
        procedure.set_documentation(
            "Restore damaged photos as prompts describe",
            "The restoration prompt states the damage with numbers, e.g. \"Deblur with sigma 1.5, "
            "Denoise with sigma 0.04, Dejpeg with quality 40\" or \"Upsample to 2\"; RestoreKit removes "
            "exactly that. The semantic prompt says what the picture shows (used by generative backends; "
            "words such as anime, illustration or drawing enlarge with Real-ESRGAN's anime networks).",
            name)
        procedure.set_attribution("RestoreKit", "RestoreKit", "2026")
        flags = GObject.ParamFlags.READWRITE
        for option in OPTIONS:
            add_argument(procedure, option, flags)
        procedure.add_boolean_argument("analyse", "_Analyse",
                                       "Fill in an empty restoration prompt (or a bare \"Denoise\") from the layer",
                                       True, flags)
        modes = Gimp.Choice.new()
        for index, (nick, label, help_text) in enumerate(MODES):
            modes.add(nick, index, label, help_text)
        procedure.add_choice_argument("output-mode", "_Output", "Where the result goes", modes, "in-place", flags)
        return procedure


def add_argument(procedure, option, flags):
    """One of the library's options as a procedure argument, with its default and range."""
    name, label, blurb = option["name"], LABELS[option["name"]], option["summary"]
    kind = option["type"]
    if kind == "text":
        procedure.add_string_argument(name, label, blurb, option["default"], flags)
    elif kind == "number":
        procedure.add_double_argument(name, label, blurb, option["minimum"], option["maximum"], option["default"],
                                      flags)
    elif option["maximum"] > GLib.MAXINT:
        procedure.add_uint_argument(name, label, blurb, option["minimum"], option["maximum"], option["default"],
                                    flags)
    else:
        procedure.add_int_argument(name, label, blurb, option["minimum"], option["maximum"], option["default"],
                                   flags)


def failure(procedure, message, status=Gimp.PDBStatusType.EXECUTION_ERROR):
    return procedure.new_return_values(status, GLib.Error.new_literal(GLib.quark_from_string("restorekit"),
                                                                      message, 0))


def settings(config):
    """The procedure's arguments as librestore keyword arguments (an unset text: "")."""
    values = {}
    for option in OPTIONS:
        value = config.get_property(option["name"])
        values[keyword(option["name"])] = (value or "") if option["type"] == "text" else value
    return values


def validate(params):
    """The library's complaint about the restoration prompt, or None."""
    try:
        librestore.prompt_canonical(params["restoration"])
        librestore.output_size(64, 64, **params)
        return None
    except librestore.RestoreError as error:
        return error.message


def ask(procedure, config):
    """Shows the dialog until the prompt is valid; False when the user cancels."""
    GimpUi.init(PROCEDURE)
    dialog = GimpUi.ProcedureDialog.new(procedure, config, "RestoreKit")
    frames = []
    for option in OPTIONS:
        name = option["name"]
        if name not in PROMPTS:
            continue
        view = dialog.get_widget(name, Gtk.TextView.__gtype__)
        view.set_wrap_mode(Gtk.WrapMode.WORD_CHAR)
        # The summary's first part: "What the picture shows".
        hint = option["summary"].split(", e.g.")[0].split(" (")[0].split(";")[0]
        dialog.get_label(name + "-label", LABELS[name].replace("_", "") + ": " + hint, False, False)
        frames.append(dialog.fill_frame(name + "-frame", name + "-label", False, name) and name + "-frame")
    unused = dialog.get_label("unused", unused_text(), False, False)
    unused.set_line_wrap(True)
    unused.set_max_width_chars(60)
    unused.set_xalign(0)
    knobs = [name for name in KNOBS if not unsigned(name)]
    dialog.fill(frames + knobs + ["unused"])
    add_unsigned_knobs(dialog, config)
    try:
        while dialog.run():
            complaint = validate(settings(config))
            if complaint is None:
                return True
            Gimp.message("RestoreKit: " + complaint)
        return False
    finally:
        dialog.destroy()


def unsigned(name):
    """Whether the option needs an unsigned argument (the seed: 0…4294967295)."""
    return any(option["name"] == name and option.get("maximum", 0) > GLib.MAXINT for option in OPTIONS)


def add_unsigned_knobs(dialog, config):
    """GIMP 3.0's procedure dialog makes no widget for unsigned arguments (the
    seed): a spin button of its own for each, among the other knobs."""
    previous = None
    for name in KNOBS:
        if not unsigned(name):
            previous = name
            continue
        row = Gtk.Box(orientation=Gtk.Orientation.HORIZONTAL, spacing=6)
        label = Gtk.Label.new_with_mnemonic(LABELS[name])
        button = GimpUi.prop_spin_button_new(config, name, 1.0, 100.0, 0)
        label.set_mnemonic_widget(button)
        row.pack_start(label, False, False, 0)
        row.pack_start(button, True, True, 0)
        anchor = dialog.get_widget(previous, GObject.TYPE_NONE)
        box = anchor.get_parent()
        box.pack_start(row, False, False, 0)
        box.reorder_child(row, box.get_children().index(anchor) + 1)
        row.show_all()


def unused_text():
    """Which models the Model field can name and which fields they use, in words."""
    with librestore.Context() as ctx:
        unused = [LABELS[name.replace("_", "-")].replace("_", "") for name in ctx.unused_options]
        models = ctx.models
    names = ", ".join(m["name"] for m in models if m["kind"] != "generative")
    lines = ["Models: " + names + "."]
    for m in (m for m in models if m["kind"] == "generative"):
        fields = ", ".join(LABELS[name].replace("_", "") for name in m["reads"] if name in LABELS)
        lines.append(f"Generative: {m['name']} ({m['recipe']}, {m['base']}) reads {fields}; "
                     "it runs for minutes: use In place or New layer (they show progress and can be cancelled).")
    if unused:
        lines.append("Not used by the installed models: " + ", ".join(unused) + ".")
    return "\n".join(lines)


def is_generative(model):
    """Whether `model` names an imported generative model."""
    with librestore.Context() as ctx:
        return any(m["name"] == (model or "").lower() and m["kind"] == "generative" for m in ctx.models)


def run(procedure, run_mode, image, drawables, config, data):
    if len(drawables) != 1:
        return failure(procedure, "RestoreKit works on one layer at a time; select exactly one.")
    drawable = drawables[0]
    if run_mode == Gimp.RunMode.INTERACTIVE and not ask(procedure, config):
        return failure(procedure, "cancelled", Gimp.PDBStatusType.CANCEL)
    params = settings(config)
    complaint = validate(params)
    if complaint is not None:
        return failure(procedure, "RestoreKit: " + complaint)

    mode = config.get_property("output-mode")
    width, height = drawable.get_width(), drawable.get_height()
    if needs_analysis(width, height, params):
        if not config.get_property("analyse"):
            return failure(procedure, "RestoreKit: the restoration prompt leaves the strengths open; state them "
                                      "with numbers (e.g. \"Denoise with sigma 0.05\") or turn on Analyse.")
        Gimp.progress_init("RestoreKit: analysing")
        try:
            params["restoration"] = analyse(drawable, params)
        except librestore.RestoreError as error:
            return failure(procedure, "RestoreKit: " + error.message)
        if not params["restoration"]:
            Gimp.message("RestoreKit: the analysis found nothing to restore in this layer.")
            return procedure.new_return_values(Gimp.PDBStatusType.SUCCESS, GLib.Error())
    out_width, out_height = librestore.output_size(width, height, **params)
    resizes = (out_width, out_height) != (width, height)
    selected, x, y, w, h = drawable.mask_intersect()
    whole = (x, y, w, h) == (0, 0, width, height)
    if not selected:
        return failure(procedure, "RestoreKit: the selection does not touch this layer.")
    if resizes and mode == "non-destructive":
        return failure(procedure, "RestoreKit: upsampling changes the layer's size, which a non-destructive "
                                  "filter cannot; choose \"In place\" or \"New layer\".")
    if resizes and not whole:
        return failure(procedure, "RestoreKit: upsampling enlarges the whole layer; remove the selection first.")
    if mode == "non-destructive" and is_generative(params.get("model")):
        return failure(procedure, "RestoreKit: a generative model runs for minutes, and a non-destructive filter "
                                  "renders with neither progress nor cancel; choose \"In place\" or \"New layer\".")
    if mode == "non-destructive":
        append_filter(drawable, params)
        return procedure.new_return_values(Gimp.PDBStatusType.SUCCESS, GLib.Error())

    Gimp.progress_init("RestoreKit")
    try:
        pixels, region = restore_pixels(drawable, params, (x, y, w, h), resizes)
    except librestore.RestoreError as error:
        return failure(procedure, "RestoreKit: " + error.message)

    # Everything below is quick and inside one undo group; nothing was changed before.
    image.undo_group_start()
    try:
        target = drawable
        if mode == "new-layer":
            target = Gimp.Layer.new_from_drawable(drawable, image)
            target.set_name("RestoreKit: " + (params["restoration"] or "restored"))
            image.insert_layer(target, drawable.get_parent(), image.get_item_position(drawable))
        if resizes:
            fills_canvas = (drawable.get_offsets()[1:] == (0, 0)
                            and (width, height) == (image.get_width(), image.get_height()))
            target.scale(out_width, out_height, False)
            if fills_canvas:
                image.resize(out_width, out_height, 0, 0)
            region = (0, 0, out_width, out_height)
        write(target, region, pixels)
    finally:
        image.undo_group_end()
    Gimp.displays_flush()
    return procedure.new_return_values(Gimp.PDBStatusType.SUCCESS, GLib.Error())


def needs_analysis(width, height, params):
    """Whether the prompt leaves strengths for the analyser to fill in."""
    with librestore.Context() as ctx:
        try:
            ctx.input_rect(width, height, (0, 0, 1, 1), **params)
        except librestore.RestoreError as error:
            if error.status == librestore.NEEDS_ANALYSIS:
                return True
            raise
    return False


def analyse(drawable, params):
    """The restoration prompt with its open strengths filled in from the whole layer."""
    width, height = drawable.get_width(), drawable.get_height()
    data = drawable.get_buffer().get(Gegl.Rectangle.new(0, 0, width, height), 1.0, PIXELS, Gegl.AbyssPolicy.CLAMP)
    with librestore.Context() as ctx:
        prompt, _ = ctx.analyze_rgba_f32(data, width, height, **params)
    return prompt


def append_filter(drawable, params):
    """The non-destructive mode: the GEGL op as an editable layer filter."""
    layer_filter = Gimp.DrawableFilter.new(drawable, OPERATION, "RestoreKit")
    op = layer_filter.get_config()
    for option in OPTIONS:
        op.set_property(option["name"], params[keyword(option["name"])])
    layer_filter.update()
    drawable.append_filter(layer_filter)


def restore_pixels(drawable, params, region, resizes):
    """Restores `region` (the whole layer when it resizes); returns (RGBA float bytes, region)."""
    width, height = drawable.get_width(), drawable.get_height()
    buffer = drawable.get_buffer()

    def progress(fraction, stage):
        Gimp.progress_set_text("RestoreKit: " + stage)
        Gimp.progress_update(fraction)

    with librestore.Context() as ctx:
        if resizes:
            data = buffer.get(Gegl.Rectangle.new(0, 0, width, height), 1.0, PIXELS, Gegl.AbyssPolicy.CLAMP)
            pixels, out_width, out_height = ctx.restore_rgba_f32(data, width, height, progress=progress, **params)
            region = (0, 0, out_width, out_height)
        else:
            # Only the selection's bounds, plus the context the restorers need around them.
            need = ctx.input_rect(width, height, region, **params)
            data = buffer.get(Gegl.Rectangle.new(*need), 1.0, PIXELS, Gegl.AbyssPolicy.CLAMP)
            pixels = ctx.restore_region_f32(data, need, width, height, region, progress=progress, **params)
        for note in filter(None, ctx.last_notes.split("\n")):
            Gimp.message("RestoreKit: " + note)
        return pixels, region


def write(drawable, region, pixels):
    """Writes through the shadow buffer: merged with the selection as one undo step."""
    shadow = drawable.get_shadow_buffer()
    shadow.set(Gegl.Rectangle.new(*region), PIXELS, pixels)
    shadow.flush()
    drawable.merge_shadow(True)
    drawable.update(*region)


Gimp.main(RestoreKit.__gtype__, sys.argv)
