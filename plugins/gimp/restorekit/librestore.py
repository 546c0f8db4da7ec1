"""Python binding of librestore (RestoreKit's C interface), over ctypes.

    import librestore
    with librestore.Context() as ctx:
        out = ctx.restore(pixels, restoration="Denoise with sigma 0.05")

`pixels` is a numpy array of shape (H, W), (H, W, 3) or (H, W, 4), float32 in
[0, 1] or uint8; the result has the same channels and dtype (enlarged when the
prompt upsamples). Without numpy, `Context.restore_rgba8` takes and returns
RGBA bytes. Errors raise `RestoreError` carrying the library's status and
message; a progress callable may raise to cancel, and its exception is
re-raised from the call.

Keyword parameters (every call): restoration, semantic, quality, negative,
model, strength, steps, guidance, seed, fidelity, tile_size, threads, linear, progress.
One left out (or None) takes the library's default (restore_params_init);
`options()` lists each with its default and range. A parameter set away from
its default that no model used is reported with a `RestoreNotice` warning
(and in `Context.last_notes`).

The library is found through $RESTOREKIT_LIBRARY, then beside this file, then
../lib relative to it, then the system's search path.
"""

import ctypes
import ctypes.util
import json
import os
import warnings

try:
    import numpy
except ImportError:  # numpy is optional
    numpy = None

__all__ = ["Context", "RestoreError", "PromptError", "RestoreNotice", "prompt_canonical", "output_size", "options",
           "version"]

OK = 0
INVALID_ARGUMENT = 1
INVALID_PROMPT = 2
IMAGE_TOO_LARGE = 3
OUT_OF_MEMORY = 4
CANCELLED = 5
MODEL = 6
UNSUPPORTED = 7
INTERNAL = 8
NEEDS_ANALYSIS = 9
FLAG_LINEAR = 1


class RestoreError(Exception):
    """A librestore call failed: `status` is the restore_status code."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


class PromptError(RestoreError):
    """A restoration prompt is malformed; `offset` is the character it failed at."""

    def __init__(self, message, offset):
        super().__init__(INVALID_PROMPT, message)
        self.offset = offset


class RestoreNotice(UserWarning):
    """A parameter had no effect on a restoration (e.g. steps without a generative model)."""


PROGRESS = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_float, ctypes.c_char_p, ctypes.c_void_p)


class _Params(ctypes.Structure):
    _fields_ = [
        ("size", ctypes.c_size_t),
        ("semantic_prompt", ctypes.c_char_p),
        ("restoration_prompt", ctypes.c_char_p),
        ("quality_prompt", ctypes.c_char_p),
        ("negative_prompt", ctypes.c_char_p),
        ("model", ctypes.c_char_p),
        ("strength", ctypes.c_float),
        ("steps", ctypes.c_int),
        ("guidance", ctypes.c_float),
        ("seed", ctypes.c_uint64),
        ("tile_size", ctypes.c_int),
        ("threads", ctypes.c_int),
        ("flags", ctypes.c_uint),
        ("progress", PROGRESS),
        ("progress_user_data", ctypes.c_void_p),
        ("fidelity", ctypes.c_float),
    ]


class _Rect(ctypes.Structure):
    _fields_ = [("x", ctypes.c_int), ("y", ctypes.c_int), ("width", ctypes.c_int), ("height", ctypes.c_int)]


def _load():
    here = os.path.dirname(os.path.abspath(__file__))
    candidates = [os.environ.get("RESTOREKIT_LIBRARY"),
                  os.path.join(here, "librestore.so.0"),
                  os.path.join(here, "..", "lib", "librestore.so.0"),
                  ctypes.util.find_library("restore"),
                  "librestore.so.0"]
    errors = []
    for path in candidates:
        if not path:
            continue
        try:
            return ctypes.CDLL(path)
        except OSError as error:
            errors.append(str(error))
    raise ImportError("cannot load librestore.so.0 (set RESTOREKIT_LIBRARY): " + "; ".join(errors))


_lib = _load()
_c = ctypes
_lib.restore_version.restype = _c.c_char_p
_lib.restore_status_string.restype = _c.c_char_p
_lib.restore_status_string.argtypes = [_c.c_int]
_lib.restore_free.argtypes = [_c.c_void_p]
_lib.restore_context_new.restype = _c.c_void_p
_lib.restore_context_new.argtypes = [_c.c_char_p]
_lib.restore_context_free.argtypes = [_c.c_void_p]
_lib.restore_options_json.restype = _c.c_char_p
for _name in ("restore_last_error", "restore_last_prompt", "restore_last_restorers", "restore_last_notes",
              "restore_unused_options", "restore_models_json"):
    getattr(_lib, _name).restype = _c.c_char_p
    getattr(_lib, _name).argtypes = [_c.c_void_p]
_lib.restore_params_init.argtypes = [_c.POINTER(_Params)]
_lib.restore_prompt_canonical.argtypes = [_c.c_char_p, _c.POINTER(_c.c_void_p), _c.POINTER(_c.c_int)]
_lib.restore_output_size.argtypes = [_c.POINTER(_Params), _c.c_int, _c.c_int,
                                     _c.POINTER(_c.c_int), _c.POINTER(_c.c_int)]
_lib.restore_input_rect.argtypes = [_c.c_void_p, _c.POINTER(_Params), _c.c_int, _c.c_int,
                                    _c.POINTER(_Rect), _c.POINTER(_Rect)]
_lib.restore_rgba_f32.argtypes = [_c.c_void_p, _c.POINTER(_Params), _c.c_void_p, _c.c_int, _c.c_int,
                                  _c.c_size_t, _c.c_void_p, _c.c_size_t]
_lib.restore_rgba_u8.argtypes = _lib.restore_rgba_f32.argtypes
_lib.restore_region_rgba_f32.argtypes = [_c.c_void_p, _c.POINTER(_Params), _c.c_int, _c.c_int,
                                         _c.c_void_p, _c.POINTER(_Rect), _c.c_size_t, _c.POINTER(_Rect),
                                         _c.c_void_p, _c.c_size_t]
_lib.restore_analyze_rgba_f32.argtypes = [_c.c_void_p, _c.POINTER(_Params), _c.c_void_p, _c.c_int, _c.c_int,
                                          _c.c_size_t, _c.POINTER(_c.c_void_p), _c.POINTER(_c.c_void_p)]
for _name in ("restore_prompt_canonical", "restore_output_size", "restore_input_rect",
              "restore_rgba_f32", "restore_rgba_u8", "restore_region_rgba_f32", "restore_analyze_rgba_f32"):
    getattr(_lib, _name).restype = _c.c_int


def version():
    """The library's version, "major.minor.patch"."""
    return _lib.restore_version().decode()


def options():
    """The library's parameters, as declared once in its core: a list of dicts with
    "name" ("tile-size"), "type" ("text", "integer", "number", "flag"), "default",
    "minimum"/"maximum" or "max_bytes", "scope" and "summary"."""
    return json.loads(_lib.restore_options_json().decode())


def _text(value):
    return None if value is None else value.encode("utf-8")


def _check(status, context=None):
    if status != OK:
        raise RestoreError(status, _lib.restore_last_error(context).decode("utf-8", "replace"))


def prompt_canonical(restoration):
    """The canonical form of a restoration prompt; raises PromptError with the offset."""
    result = _c.c_void_p()
    offset = _c.c_int(-1)
    status = _lib.restore_prompt_canonical(_text(restoration), _c.byref(result), _c.byref(offset))
    if status == INVALID_PROMPT:
        raise PromptError(_lib.restore_last_error(None).decode(), offset.value)
    _check(status)
    try:
        return _c.string_at(result.value).decode()
    finally:
        _lib.restore_free(result)


class _Call:
    """A restore_params for one call, plus the Python progress callable. Parameters
    left None keep restore_params_init's defaults."""

    def __init__(self, restoration=None, semantic=None, quality=None, negative=None, model=None, strength=None,
                 steps=None, guidance=None, seed=None, fidelity=None, tile_size=None, threads=None, linear=None,
                 progress=None):
        self.params = _Params()
        _lib.restore_params_init(_c.byref(self.params))
        # Keep the encoded strings alive for the call.
        self.strings = [_text(s) for s in (semantic, restoration, quality, negative, model)]
        p = self.params
        p.semantic_prompt, p.restoration_prompt, p.quality_prompt, p.negative_prompt, p.model = self.strings
        for field, value in (("strength", strength), ("steps", steps), ("guidance", guidance), ("seed", seed),
                             ("fidelity", fidelity), ("tile_size", tile_size), ("threads", threads)):
            if value is not None:
                setattr(p, field, value if field in ("strength", "guidance", "fidelity") else _integer(field, value))
        if linear is not None:
            p.flags = FLAG_LINEAR if linear else 0
        self.raised = None
        if progress is not None:
            def bridge(fraction, stage, _user):
                try:
                    return 1 if progress(fraction, stage.decode()) is False else 0
                except BaseException as error:  # noqa: BLE001 - re-raised after the call
                    self.raised = error
                    return 1
            self.callback = PROGRESS(bridge)
            p.progress = self.callback

    def finish(self, status, context, restored=False):
        """Raises what the call or the progress callable raised; after a
        restore, warns of the library's notes."""
        if self.raised is not None:
            raise self.raised
        _check(status, context)
        notes = _lib.restore_last_notes(context).decode() if restored else ""
        for note in filter(None, notes.split("\n")):
            warnings.warn("librestore: " + note, RestoreNotice, stacklevel=3)


def _integer(field, value):
    """`value` for an integer field of restore_params. The library checks the
    declared range; a value the C type cannot hold (which ctypes would wrap) or
    a fraction is refused here with the library's message."""
    low, high = (0, 2 ** 64 - 1) if field == "seed" else (-2 ** 31, 2 ** 31 - 1)
    if value == int(value) and low <= int(value) <= high:
        return int(value)
    declared = next(o for o in options() if o["name"] == field.replace("_", "-"))
    raise RestoreError(INVALID_ARGUMENT, "%s must be %s–%s, not %s" % (declared["name"], declared["minimum"],
                                                                       declared["maximum"], value))


def output_size(width, height, **params):
    """The (width, height) of restoring a width x height image with these parameters."""
    call = _Call(**params)
    ow, oh = _c.c_int(), _c.c_int()
    _check(_lib.restore_output_size(_c.byref(call.params), width, height, _c.byref(ow), _c.byref(oh)))
    return ow.value, oh.value


def _check_length(data, width, height, pixel_bytes):
    if len(data) != width * height * pixel_bytes:
        raise RestoreError(INVALID_ARGUMENT, "data holds %d bytes, not %d x %d pixels of %d bytes"
                           % (len(data), width, height, pixel_bytes))


class Context:
    """A restore_context: loaded models, last error and report. One thread at a time."""

    def __init__(self, models_dir=None):
        self._handle = _lib.restore_context_new(_text(models_dir))
        if not self._handle:
            raise RestoreError(OUT_OF_MEMORY, "cannot create a context")

    def close(self):
        """Frees the context (also done by `with` and at garbage collection)."""
        if self._handle:
            _lib.restore_context_free(self._handle)
            self._handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()

    @property
    def last_prompt(self):
        """The canonical restoration prompt the last successful restore carried out."""
        return _lib.restore_last_prompt(self._handle).decode()

    @property
    def last_restorers(self):
        """Which restorers ran in the last successful restore."""
        return _lib.restore_last_restorers(self._handle).decode()

    @property
    def last_notes(self):
        """Notices about the last successful restore (parameters that had no effect), one per line."""
        return _lib.restore_last_notes(self._handle).decode()

    @property
    def unused_options(self):
        """The parameters no installed model reads (as named in restore_params), e.g. ["steps", "seed"]."""
        return [name for name in _lib.restore_unused_options(self._handle).decode().split(", ") if name]

    @property
    def models(self):
        """The models `model=` can name: dicts with "name", "kind" ("automatic", "learned", "classic",
        "generative"), "reads" (option names) and, for generative models, "recipe" and "base"."""
        return json.loads(_lib.restore_models_json(self._handle).decode())

    def input_rect(self, width, height, region, **params):
        """The (x, y, w, h) input region needed to render output `region` (x, y, w, h)."""
        call = _Call(**params)
        need = _Rect()
        status = _lib.restore_input_rect(self._handle, _c.byref(call.params), width, height,
                                         _c.byref(_Rect(*region)), _c.byref(need))
        call.finish(status, self._handle)
        return need.x, need.y, need.width, need.height

    def restore_rgba8(self, data, width, height, **params):
        """Restores RGBA bytes (width * height * 4); returns (bytes, width, height)."""
        return self._restore_bytes(_lib.restore_rgba_u8, _c.c_uint8, data, width, height, params)

    def restore_rgba_f32(self, data, width, height, **params):
        """Restores RGBA float32 bytes (width * height * 16); returns (bytes, width, height)."""
        return self._restore_bytes(_lib.restore_rgba_f32, _c.c_float, data, width, height, params)

    def restore_region_f32(self, data, source, width, height, region, **params):
        """Renders output `region` (x, y, w, h) of restoring a width x height image from
        RGBA float32 bytes covering `source` (x, y, w, h), which must contain
        input_rect(region). Returns the region's RGBA float32 bytes."""
        sx, sy, sw, sh = source
        _check_length(data, sw, sh, 16)
        call = _Call(**params)
        src = (_c.c_float * (sw * sh * 4)).from_buffer_copy(bytes(data))
        out = (_c.c_float * (region[2] * region[3] * 4))()
        status = _lib.restore_region_rgba_f32(self._handle, _c.byref(call.params), width, height,
                                              src, _c.byref(_Rect(*source)), sw * 16, _c.byref(_Rect(*region)),
                                              out, region[2] * 16)
        call.finish(status, self._handle, restored=True)
        return bytes(out)

    def _restore_bytes(self, entry, sample, data, width, height, params):
        size = _c.sizeof(sample)
        _check_length(data, width, height, 4 * size)
        call = _Call(**params)
        ow, oh = output_size(width, height, **params)
        source = (sample * (width * height * 4)).from_buffer_copy(bytes(data))
        target = (sample * (ow * oh * 4))()
        status = entry(self._handle, _c.byref(call.params), source, width, height, width * 4 * size,
                       target, ow * 4 * size)
        call.finish(status, self._handle, restored=True)
        return bytes(target), ow, oh

    def analyze_rgba_f32(self, data, width, height, **params):
        """Analyses RGBA float32 bytes (width * height * 16). Returns (prompt, report):
        the restoration prompt a restore with these parameters carries out (an
        empty `restoration` filled in from the image) and the analysis as a dict
        (noise, blur, jpeg, upsampling estimates with confidences, levels, quality)."""
        _check_length(data, width, height, 16)
        call = _Call(**params)
        src = (_c.c_float * (width * height * 4)).from_buffer_copy(bytes(data))
        prompt, report = _c.c_void_p(), _c.c_void_p()
        status = _lib.restore_analyze_rgba_f32(self._handle, _c.byref(call.params), src, width, height,
                                               width * 16, _c.byref(prompt), _c.byref(report))
        try:
            call.finish(status, self._handle)
            return (_c.string_at(prompt.value).decode(), json.loads(_c.string_at(report.value).decode()))
        finally:
            _lib.restore_free(prompt)
            _lib.restore_free(report)

    def analyze(self, pixels, **params):
        """As analyze_rgba_f32, on a numpy image like restore() takes."""
        rgba, _ = _numpy_rgba(pixels)
        if rgba.dtype == numpy.uint8:
            rgba = rgba.astype(numpy.float32) / 255
        height, width = rgba.shape[:2]
        return self.analyze_rgba_f32(rgba.tobytes(), width, height, **params)

    def restore(self, pixels, **params):
        """Restores a numpy image (H, W[, C]) with C 1, 3 or 4; float32 in [0, 1] or uint8."""
        rgba, channels = _numpy_rgba(pixels)
        eight_bit = rgba.dtype == numpy.uint8
        height, width = rgba.shape[:2]
        call = _Call(**params)
        ow, oh = output_size(width, height, **params)
        out = numpy.empty((oh, ow, 4), rgba.dtype)
        entry = _lib.restore_rgba_u8 if eight_bit else _lib.restore_rgba_f32
        status = entry(self._handle, _c.byref(call.params), rgba.ctypes.data, width, height, rgba.strides[0],
                       out.ctypes.data, out.strides[0])
        call.finish(status, self._handle, restored=True)
        if channels == 4:
            return out
        if channels == 3:
            return out[:, :, :3].copy()
        return out[:, :, 0].copy() if numpy.ndim(pixels) == 2 else out[:, :, :1].copy()


def _numpy_rgba(pixels):
    """A numpy image (H, W[, C]), C 1, 3 or 4, float32 or uint8, as contiguous RGBA
    of the same sample type, and C."""
    if numpy is None:
        raise RestoreError(INVALID_ARGUMENT, "numpy images need numpy; use the *_rgba8 / *_rgba_f32 calls without it")
    array = numpy.asarray(pixels)
    if array.ndim == 2:
        array = array[:, :, None]
    if array.ndim != 3 or array.shape[2] not in (1, 3, 4):
        raise RestoreError(INVALID_ARGUMENT, "pixels must have shape (H, W), (H, W, 3) or (H, W, 4), not %s"
                           % (numpy.shape(pixels),))
    eight_bit = array.dtype == numpy.uint8
    dtype = numpy.uint8 if eight_bit else numpy.float32
    height, width, channels = array.shape
    rgba = numpy.empty((height, width, 4), dtype)
    rgba[:, :, :3] = array[:, :, :3] if channels >= 3 else array[:, :, :1]
    rgba[:, :, 3] = array[:, :, 3] if channels == 4 else (255 if eight_bit else 1.0)
    return rgba, channels
