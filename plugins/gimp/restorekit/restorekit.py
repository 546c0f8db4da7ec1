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
"""
import os
import sys

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
# The prompt fields, shown as labelled multi-line boxes above the knobs.
PROMPTS = (("semantic-prompt", "Semantic prompt: what the picture shows (used by generative backends)"),
           ("restoration-prompt", "Restoration prompt: what is wrong, with numbers"),
           ("quality-prompt", "Quality prompt: the image's quality in words"),
           ("negative-prompt", "Negative prompt: what the result should not look like"))
KNOBS = ("analyse", "model", "strength", "seed", "steps", "guidance", "output-mode")
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
            "exactly that. The semantic prompt says what the picture shows (used by generative backends).",
            name)
        procedure.set_attribution("RestoreKit", "RestoreKit", "2026")
        flags = GObject.ParamFlags.READWRITE
        procedure.add_string_argument("semantic-prompt", "_Semantic prompt", "What the picture shows", "", flags)
        procedure.add_string_argument("restoration-prompt", "_Restoration prompt",
                                      "What is wrong, with numbers", "", flags)
        procedure.add_string_argument("quality-prompt", "_Quality prompt",
                                      "The image's quality in words", "", flags)
        procedure.add_string_argument("negative-prompt", "_Negative prompt",
                                      "What the result should not look like",
                                      "blurry, dotted, noise, unclear, lowres, over-smoothed", flags)
        procedure.add_boolean_argument("analyse", "_Analyse",
                                       "Fill in an empty restoration prompt (or a bare \"Denoise\") from the layer",
                                       True, flags)
        procedure.add_string_argument("model", "_Model", "auto, classic, or a backend's name", "auto", flags)
        procedure.add_double_argument("strength", "S_trength", "Share of each correction applied",
                                      0.0, 1.0, 1.0, flags)
        procedure.add_int_argument("seed", "See_d", "Seed of generative backends", 0, GLib.MAXINT, 0, flags)
        procedure.add_int_argument("steps", "Ste_ps", "Sampler steps of generative backends", 1, 1000, 20, flags)
        procedure.add_double_argument("guidance", "_Guidance", "Guidance scale of generative backends",
                                      0.0, 30.0, 5.5, flags)
        modes = Gimp.Choice.new()
        for index, (nick, label, help_text) in enumerate(MODES):
            modes.add(nick, index, label, help_text)
        procedure.add_choice_argument("output-mode", "_Output", "Where the result goes", modes, "in-place", flags)
        return procedure


def failure(procedure, message, status=Gimp.PDBStatusType.EXECUTION_ERROR):
    return procedure.new_return_values(status, GLib.Error.new_literal(GLib.quark_from_string("restorekit"),
                                                                      message, 0))


def settings(config):
    """The procedure's arguments as librestore keyword arguments."""
    return dict(semantic=config.get_property("semantic-prompt") or "",
                restoration=config.get_property("restoration-prompt") or "",
                quality=config.get_property("quality-prompt") or "",
                negative=config.get_property("negative-prompt") or "",
                model=config.get_property("model") or "auto",
                strength=config.get_property("strength"),
                steps=config.get_property("steps"),
                guidance=config.get_property("guidance"),
                seed=config.get_property("seed"))


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
    for name, label in PROMPTS:
        view = dialog.get_widget(name, Gtk.TextView.__gtype__)
        view.set_wrap_mode(Gtk.WrapMode.WORD_CHAR)
        dialog.get_label(name + "-label", label, False, False)
        frames.append(dialog.fill_frame(name + "-frame", name + "-label", False, name) and name + "-frame")
    dialog.fill(frames + list(KNOBS))
    try:
        while dialog.run():
            complaint = validate(settings(config))
            if complaint is None:
                return True
            Gimp.message("RestoreKit: " + complaint)
        return False
    finally:
        dialog.destroy()


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
    op.set_property("semantic-prompt", params["semantic"])
    op.set_property("restoration-prompt", params["restoration"])
    op.set_property("quality-prompt", params["quality"])
    op.set_property("negative-prompt", params["negative"])
    op.set_property("model", params["model"])
    op.set_property("strength", params["strength"])
    op.set_property("steps", params["steps"])
    op.set_property("guidance", params["guidance"])
    op.set_property("seed", params["seed"])
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
            return pixels, (0, 0, out_width, out_height)
        # Only the selection's bounds, plus the context the restorers need around them.
        need = ctx.input_rect(width, height, region, **params)
        data = buffer.get(Gegl.Rectangle.new(*need), 1.0, PIXELS, Gegl.AbyssPolicy.CLAMP)
        return ctx.restore_region_f32(data, need, width, height, region, progress=progress, **params), region


def write(drawable, region, pixels):
    """Writes through the shadow buffer: merged with the selection as one undo step."""
    shadow = drawable.get_shadow_buffer()
    shadow.set(Gegl.Rectangle.new(*region), PIXELS, pixels)
    shadow.flush()
    drawable.merge_shadow(True)
    drawable.update(*region)


Gimp.main(RestoreKit.__gtype__, sys.argv)
