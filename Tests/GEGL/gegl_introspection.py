"""restorekit:restore through GObject introspection, rendered as GIMP does:
chunk by chunk. Chunked equals whole, each grid tile is restored once, and
the result matches the CLI's."""
import array
import os
import subprocess
import sys

import gi
gi.require_version("Gegl", "0.4")
from gi.repository import Gegl  # noqa: E402

FORMAT = "R'G'B'A float"
PROMPT = "Denoise with sigma 0.06"


def graph(path, **properties):
    root = Gegl.Node()
    load = root.create_child("gegl:load")
    load.set_property("path", path)
    op = root.create_child("restorekit:restore")
    for name, value in properties.items():
        op.set_property(name.replace("_", "-"), value)
    load.connect_to("output", op, "input")
    return root, op


def render(op, chunk=None):
    """Renders the op into a buffer, in chunk x chunk pieces when `chunk` is given."""
    box = op.get_bounding_box()
    buffer = Gegl.Buffer.new(FORMAT, box.x, box.y, box.width, box.height)
    pieces = [box] if chunk is None else [
        Gegl.Rectangle.new(x, y, min(chunk, box.width - x), min(chunk, box.height - y))
        for y in range(0, box.height, chunk) for x in range(0, box.width, chunk)]
    for piece in pieces:
        op.blit_buffer(buffer, piece, 0, Gegl.AbyssPolicy.NONE)
    data = buffer.get(box, 1.0, FORMAT, Gegl.AbyssPolicy.NONE)
    return array.array("f", data), box


def tiles_restored(path, chunk):
    """How many tiles the op restores for one chunked render (from its trace)."""
    script = ("import sys; sys.path.insert(0, %r); import gegl_introspection as g; "
              "from gi.repository import Gegl; Gegl.init(None); "
              "root, op = g.graph(%r, restoration_prompt=%r); g.render(op, %d)"
              % (os.path.dirname(os.path.abspath(__file__)), path, PROMPT, chunk))
    env = dict(os.environ, RESTOREKIT_GEGL_TRACE="1")
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    return sum(1 for line in result.stderr.splitlines() if line.startswith("restorekit:restore tile"))


def main():
    degraded, cli_output = sys.argv[1], sys.argv[2]
    Gegl.init(None)
    _, whole_op = graph(degraded, restoration_prompt=PROMPT)
    whole, box = render(whole_op)
    _, chunked_op = graph(degraded, restoration_prompt=PROMPT)
    chunked, _ = render(chunked_op, 128)
    worst = max(abs(a - b) for a, b in zip(whole, chunked))
    assert worst <= 1e-4, "chunked render differs from the whole by %g" % worst
    print("gegl-gi: 128x128 chunks equal the whole render (max difference %g)" % worst)

    tiles = ((box.width + 255) // 256) * ((box.height + 255) // 256)
    count = tiles_restored(degraded, 128)
    assert count == tiles, "restored %d tiles for a %d-tile grid" % (count, tiles)
    print("gegl-gi: %d chunks of 128 restored each of the %d grid tiles once"
          % (((box.width + 127) // 128) * ((box.height + 127) // 128), tiles))

    # Properties set through introspection reach the library: same pixels as the CLI (8-bit file).
    root = Gegl.Node()
    load = root.create_child("gegl:load")
    load.set_property("path", cli_output)
    reference, _ = render(load)
    worst = max(abs(a - b) for i, (a, b) in enumerate(zip(whole, reference)) if i % 4 != 3)
    assert worst <= 1 / 255 + 1e-6, "differs from the CLI's output by %g" % worst
    print("gegl-gi: matches the CLI's output within 1/255 (max %g)" % worst)


if __name__ == "__main__":
    main()
