/* restorekit:restore — RestoreKit's prompt-driven restoration as a GEGL
 * operation, for GIMP (Filters ▸ Enhance, Tools ▸ GEGL Operation) and GEGL
 * graphs. Every prompt field and knob is a property.
 *
 * Rendering follows a fixed output tile grid: the cached region is snapped to
 * it, so GIMP's chunked rendering computes every tile exactly once (with
 * progress and cancel between tiles), and each tile asks librestore which
 * input (scaled back, plus the restorers' halo) it needs.
 *
 * A restoration prompt that leaves strengths open (empty, "Denoise", "Remove
 * all degradation" without a learned model) is filled in by analysing the
 * whole input once: such a render needs all of the input, and the analysed
 * prompt is kept until the input or the properties change.
 *
 * The properties, their defaults and ranges follow librestore's declaration
 * (restore_options_json); Tests/Options/check_options.py holds them to it.
 * Properties that no installed model reads (restore_unused_options) are
 * named in a warning when set, once per distinct notice.
 */
#include "config.h"
#include <glib/gi18n-lib.h>

#ifdef GEGL_PROPERTIES

property_string (semantic_prompt, _("Semantic prompt"), "")
    description (_("What the picture shows, e.g. \"a red fox in snow\"; read by generative "
                   "models, and words such as anime, illustration, cartoon, drawing or line art "
                   "enlarge with Real-ESRGAN's anime networks (UTF-8, at most 4096 bytes)"))
    ui_meta ("multiline", "true")

property_string (restoration_prompt, _("Restoration prompt"), "")
    description (_("What is wrong, with numbers, e.g. \"Deblur with sigma 1.5, Denoise with sigma "
                   "0.04, Dejpeg with quality 40\" or \"Upsample to 2\" (UTF-8, at most 4096 bytes)"))
    ui_meta ("multiline", "true")

property_string (quality_prompt, _("Quality prompt"), "")
    description (_("The image's flaws in words, e.g. \"the background is blurry, strong noise\"; "
                   "read by generative models (UTF-8, at most 4096 bytes)"))
    ui_meta ("multiline", "true")

property_string (negative_prompt, _("Negative prompt"), "blurry, dotted, noise, unclear, lowres, over-smoothed")
    description (_("What the result should not look like; read by generative models (UTF-8, at "
                   "most 4096 bytes)"))
    ui_meta ("multiline", "true")

property_string (model, _("Model"), "auto")
    description (_("\"auto\" (the best installed), \"classic\" (weight-free), a backend's name or an imported generative model's"))

property_double (strength, _("Strength"), 1.0)
    description (_("How much of each same-size stage's correction to apply, 0 to 1"))
    value_range (0.0, 1.0)
    ui_range    (0.0, 1.0)
    ui_steps    (0.01, 0.1)

property_int (steps, _("Steps"), 20)
    description (_("Sampler steps of generative models, 1 to 1000"))
    value_range (1, 1000)
    ui_range    (1, 100)
    ui_steps    (1, 10)

property_double (guidance, _("Guidance"), 5.5)
    description (_("Classifier-free guidance scale of generative models, 0 to 30"))
    value_range (0.0, 30.0)
    ui_range    (0.0, 15.0)
    ui_steps    (0.1, 1.0)

property_seed (seed, _("Random seed"), rand)
    description (_("Random seed of generative models, 0 to 4294967295"))

property_double (fidelity, _("Fidelity"), 1.0)
    description (_("How far a generative model's result is pulled back onto the input through the "
                   "restoration prompt's blur and downsampling (1: reproduces it), 0 to 1"))
    value_range (0.0, 1.0)

property_int (tile_size, _("Tile size"), 0)
    description (_("Side of the output tiles rendered at a time, 0 to 8192 pixels; 0 chooses "
                   "(256 here), sides below 64 use 64"))
    value_range (0, 8192)
    ui_range    (0, 2048)
    ui_steps    (64, 256)

property_int (threads, _("Threads"), 0)
    description (_("Threads librestore may use, 0 to 256; 0 uses every core"))
    value_range (0, 256)
    ui_range    (0, 64)

#else

#define GEGL_OP_FILTER
#define GEGL_OP_NAME     restorekit_restore
#define GEGL_OP_C_SOURCE restorekit-restore.c

#include "gegl-op.h"
#include <restore.h>
#include <string.h>

#define DEFAULT_TILE 256

/* Per-operation state: a librestore context (one caller at a time, hence the
   lock), the last message warned about, so a bad prompt warns once, and the
   analysed prompt with the hash of what it was analysed from. */
typedef struct {
  restore_context *ctx;
  GMutex           lock;
  gchar           *warned;
  gchar           *analysed;
  guint64          analysed_from;
} State;

static State *
state_of (GeglOperation *operation)
{
  GeglProperties *o = GEGL_PROPERTIES (operation);
  if (o->user_data == NULL)
    {
      State *state = g_new0 (State, 1);
      state->ctx = restore_context_new (NULL);
      g_mutex_init (&state->lock);
      o->user_data = state;
    }
  return o->user_data;
}

/* The operation's properties as librestore parameters (the restoration
   prompt as the user wrote it; see effective_params). */
static void
params_of (GeglProperties *o, restore_params *params)
{
  restore_params_init (params);
  params->semantic_prompt    = o->semantic_prompt;
  params->restoration_prompt = o->restoration_prompt;
  params->quality_prompt     = o->quality_prompt;
  params->negative_prompt    = o->negative_prompt;
  params->model              = o->model;
  params->strength           = o->strength;
  params->steps              = o->steps;
  params->guidance           = o->guidance;
  params->seed               = o->seed;
  params->fidelity           = o->fidelity;
  params->threads            = o->threads;
}

/* Warns with librestore's message, once per distinct message. */
static void
warn_once (State *state, const gchar *message)
{
  if (g_strcmp0 (state->warned, message) == 0)
    return;
  g_free (state->warned);
  state->warned = g_strdup (message);
  g_warning ("restorekit:restore: %s", message);
}

/* FNV-1a over `bytes`, continuing from `hash`. */
static guint64
fnv1a (guint64 hash, const void *bytes, gsize count)
{
  const guchar *p = bytes;
  for (gsize i = 0; i < count; i++)
    hash = (hash ^ p[i]) * G_GUINT64_CONSTANT (1099511628211);
  return hash;
}

static guint64
hash_string (guint64 hash, const gchar *text)
{
  return text ? fnv1a (hash, text, strlen (text) + 1) : fnv1a (hash, "", 1);
}

static const GeglRectangle *
source_box (GeglOperation *operation)
{
  static const GeglRectangle empty = {0, 0, 0, 0};
  const GeglRectangle *box = gegl_operation_source_get_bounding_box (operation, "input");
  return box ? box : &empty;
}

/* The output size for the input box; the input's own size when the prompt is
   unusable (then the output is a copy of the input). */
static void
output_size (GeglOperation *operation, const GeglRectangle *in, gint *width, gint *height)
{
  GeglProperties *o = GEGL_PROPERTIES (operation);
  restore_params  params;
  params_of (o, &params);
  *width  = in->width;
  *height = in->height;
  if (in->width > 0 && in->height > 0 &&
      restore_output_size (&params, in->width, in->height, width, height) != RESTORE_OK)
    {
      *width  = in->width;
      *height = in->height;
    }
}

/* The output grid's tile side; librestore renders each tile in one piece. */
static gint
tile_side (GeglProperties *o)
{
  return o->tile_size > 0 ? MAX (o->tile_size, 64) : DEFAULT_TILE;
}

/* `roi` grown to whole tiles of the output grid (anchored at the output
   origin) and clipped to the output. */
static GeglRectangle
snap_to_grid (GeglOperation *operation, const GeglRectangle *roi)
{
  const GeglRectangle *in = source_box (operation);
  gint side = tile_side (GEGL_PROPERTIES (operation));
  gint width, height;
  output_size (operation, in, &width, &height);
  GeglRectangle whole = {in->x, in->y, width, height};
  gint x0 = in->x + ((roi->x - in->x) / side) * side;
  gint y0 = in->y + ((roi->y - in->y) / side) * side;
  if (roi->x < in->x) x0 = in->x;
  if (roi->y < in->y) y0 = in->y;
  gint x1 = in->x + ((roi->x + roi->width - in->x + side - 1) / side) * side;
  gint y1 = in->y + ((roi->y + roi->height - in->y + side - 1) / side) * side;
  GeglRectangle snapped = {x0, y0, x1 - x0, y1 - y0}, clipped;
  gegl_rectangle_intersect (&clipped, &snapped, &whole);
  return clipped;
}

/* The input region (absolute coordinates) that renders output region `out`
   with `params`. Fails when the prompt is unusable or still to be analysed:
   then all of the input is needed. */
static gboolean
input_for (GeglOperation *operation, const restore_params *params, const GeglRectangle *out, GeglRectangle *needed)
{
  const GeglRectangle *in = source_box (operation);
  State *state = state_of (operation);
  restore_rect output = {out->x - in->x, out->y - in->y, out->width, out->height}, input;
  restore_status status;

  g_mutex_lock (&state->lock);
  status = restore_input_rect (state->ctx, params, in->width, in->height, &output, &input);
  g_mutex_unlock (&state->lock);
  if (status != RESTORE_OK)
    return FALSE;
  *needed = (GeglRectangle) {input.x + in->x, input.y + in->y, input.width, input.height};
  return TRUE;
}

static void
prepare (GeglOperation *operation)
{
  const Babl *space  = gegl_operation_get_source_space (operation, "input");
  const Babl *format = babl_format_with_space ("R'G'B'A float", space);
  gegl_operation_set_format (operation, "input", format);
  gegl_operation_set_format (operation, "output", format);
}

static GeglRectangle
get_bounding_box (GeglOperation *operation)
{
  const GeglRectangle *in = source_box (operation);
  gint width, height;
  output_size (operation, in, &width, &height);
  return (GeglRectangle) {in->x, in->y, width, height};
}

static GeglRectangle
get_cached_region (GeglOperation *operation, const GeglRectangle *roi)
{
  return snap_to_grid (operation, roi);
}

static GeglRectangle
get_required_for_output (GeglOperation *operation, const gchar *input_pad, const GeglRectangle *roi)
{
  GeglRectangle snapped = snap_to_grid (operation, roi), needed;
  restore_params params;
  if (snapped.width <= 0 || snapped.height <= 0)
    return *roi;
  params_of (GEGL_PROPERTIES (operation), &params);
  if (!input_for (operation, &params, &snapped, &needed))
    return *source_box (operation);
  return needed;
}

/* Output pixels depend on input within the restorers' halo, scaled: measured
   by asking librestore what a one-pixel output at the centre needs. */
static GeglRectangle
get_invalidated_by_change (GeglOperation *operation, const gchar *input_pad, const GeglRectangle *input_roi)
{
  const GeglRectangle *in = source_box (operation);
  GeglRectangle whole = get_bounding_box (operation), centre, needed, changed;
  restore_params params;
  gdouble sx, sy;
  gint halo;
  if (in->width <= 0 || in->height <= 0)
    return *input_roi;
  params_of (GEGL_PROPERTIES (operation), &params);
  sx = (gdouble) whole.width / in->width;
  sy = (gdouble) whole.height / in->height;
  centre = (GeglRectangle) {whole.x + whole.width / 2, whole.y + whole.height / 2, 1, 1};
  if (!input_for (operation, &params, &centre, &needed))
    return whole;
  halo = MAX (MAX (centre.x - (gint) (needed.x * sx), 0), MAX (centre.y - (gint) (needed.y * sy), 0));
  halo = (gint) (MAX (needed.width * sx, needed.height * sy)) + halo;
  changed = (GeglRectangle) {in->x + (gint) ((input_roi->x - in->x) * sx) - halo,
                             in->y + (gint) ((input_roi->y - in->y) * sy) - halo,
                             (gint) (input_roi->width * sx + 1) + 2 * halo,
                             (gint) (input_roi->height * sy + 1) + 2 * halo};
  gegl_rectangle_intersect (&changed, &changed, &whole);
  return snap_to_grid (operation, &changed);
}

/* Whether the prompt needs the whole input analysed before any tile renders. */
static gboolean
needs_analysis (GeglOperation *operation, State *state)
{
  const GeglRectangle *in = source_box (operation);
  restore_params params;
  restore_rect one = {0, 0, 1, 1}, input;
  restore_status status;
  if (in->width <= 0 || in->height <= 0)
    return FALSE;
  params_of (GEGL_PROPERTIES (operation), &params);
  g_mutex_lock (&state->lock);
  status = restore_input_rect (state->ctx, &params, in->width, in->height, &one, &input);
  g_mutex_unlock (&state->lock);
  return status == RESTORE_ERROR_NEEDS_ANALYSIS;
}

/* Analyses the whole input unless the kept analysis is of the same pixels and
   properties; on failure warns and forgets it. */
static void
analyse_input (GeglOperation *operation, GeglBuffer *input, const Babl *format)
{
  GeglProperties *o = GEGL_PROPERTIES (operation);
  const GeglRectangle *in = source_box (operation);
  State *state = state_of (operation);
  restore_params params;
  gsize bytes = (gsize) in->width * in->height * 4 * sizeof (gfloat);
  gfloat *pixels = g_try_malloc (bytes);
  guint64 key = G_GUINT64_CONSTANT (14695981039346656037);
  gchar *prompt = NULL;
  restore_status status;

  params_of (o, &params);
  if (pixels == NULL)
    {
      g_mutex_lock (&state->lock);
      warn_once (state, "not enough memory to analyse the whole input");
      g_clear_pointer (&state->analysed, g_free);
      g_mutex_unlock (&state->lock);
      return;
    }
  gegl_buffer_get (input, in, 1.0, format, pixels, GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_CLAMP);
  key = fnv1a (key, pixels, bytes);
  key = fnv1a (key, in, sizeof *in);
  key = hash_string (hash_string (key, o->restoration_prompt), o->model);

  g_mutex_lock (&state->lock);
  if (state->analysed == NULL || state->analysed_from != key)
    {
      g_clear_pointer (&state->analysed, g_free);
      status = restore_analyze_rgba_f32 (state->ctx, &params, pixels, in->width, in->height,
                                         (gsize) in->width * 4 * sizeof (gfloat), &prompt, NULL);
      if (status == RESTORE_OK)
        {
          state->analysed = g_strdup (prompt);
          state->analysed_from = key;
          if (g_getenv ("RESTOREKIT_GEGL_TRACE"))
            g_printerr ("restorekit:restore analysed: %s\n", prompt);
        }
      else
        warn_once (state, restore_last_error (state->ctx));
      restore_free (prompt);
    }
  g_mutex_unlock (&state->lock);
  g_free (pixels);
}

/* A copy of the analysed prompt (NULL when there is none); another render
   may replace the kept one meanwhile. */
static gchar *
analysed_prompt (State *state)
{
  gchar *prompt;
  g_mutex_lock (&state->lock);
  prompt = g_strdup (state->analysed);
  g_mutex_unlock (&state->lock);
  return prompt;
}

/* Renders one grid tile; on failure copies (or rescales) the input instead,
   so the output is never garbage. */
static void
render_tile (GeglOperation *operation, const restore_params *params, GeglBuffer *input, GeglBuffer *output,
             const GeglRectangle *tile, const Babl *format)
{
  const GeglRectangle *in = source_box (operation);
  State *state = state_of (operation);
  GeglRectangle needed;
  restore_status status = RESTORE_ERROR_INTERNAL;
  gfloat *src = NULL, *dst = g_new (gfloat, (gsize) tile->width * tile->height * 4);

  if (input_for (operation, params, tile, &needed))
    {
      restore_rect src_rect = {needed.x - in->x, needed.y - in->y, needed.width, needed.height};
      restore_rect out_rect = {tile->x - in->x, tile->y - in->y, tile->width, tile->height};
      src = g_new (gfloat, (gsize) needed.width * needed.height * 4);
      gegl_buffer_get (input, &needed, 1.0, format, src, GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_CLAMP);
      if (g_getenv ("RESTOREKIT_GEGL_TRACE"))
        g_printerr ("restorekit:restore tile %d %d %d %d\n", out_rect.x, out_rect.y, out_rect.width, out_rect.height);
      g_mutex_lock (&state->lock);
      status = restore_region_rgba_f32 (state->ctx, params, in->width, in->height,
                                        src, &src_rect, (gsize) needed.width * 4 * sizeof (gfloat),
                                        &out_rect, dst, (gsize) tile->width * 4 * sizeof (gfloat));
      if (status != RESTORE_OK)
        warn_once (state, restore_last_error (state->ctx));
      else if (restore_last_notes (state->ctx)[0] != '\0')
        warn_once (state, restore_last_notes (state->ctx));
      g_mutex_unlock (&state->lock);
    }
  else
    {
      g_mutex_lock (&state->lock);
      warn_once (state, restore_last_error (state->ctx));
      g_mutex_unlock (&state->lock);
    }

  if (status != RESTORE_OK)
    {
      GeglRectangle whole = get_bounding_box (operation);
      gdouble scale = (gdouble) whole.width / MAX (in->width, 1);
      GeglRectangle scaled = {(gint) (in->x * scale) + (tile->x - in->x), (gint) (in->y * scale) + (tile->y - in->y),
                              tile->width, tile->height};
      gegl_buffer_get (input, &scaled, scale, format, dst, GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_CLAMP);
    }
  gegl_buffer_set (output, tile, 0, format, dst, GEGL_AUTO_ROWSTRIDE);
  g_free (src);
  g_free (dst);
}

static gboolean
process (GeglOperation *operation, GeglBuffer *input, GeglBuffer *output,
         const GeglRectangle *result, gint level)
{
  const Babl *format = gegl_operation_get_format (operation, "output");
  gint side = tile_side (GEGL_PROPERTIES (operation));
  GeglRectangle area = snap_to_grid (operation, result);
  gint tiles = ((area.width + side - 1) / side) * ((area.height + side - 1) / side), done = 0;
  State *state = state_of (operation);
  gchar *analysed = NULL;
  restore_params params;

  params_of (GEGL_PROPERTIES (operation), &params);
  if (needs_analysis (operation, state))
    {
      analyse_input (operation, input, format);
      analysed = analysed_prompt (state);
      if (analysed && analysed[0] == '\0')
        {
          /* Nothing found to remove: the input is its own restoration. */
          gegl_buffer_copy (input, &area, GEGL_ABYSS_NONE, output, &area);
          g_free (analysed);
          return TRUE;
        }
      if (analysed)
        params.restoration_prompt = analysed;
    }

  for (gint y = area.y; y < area.y + area.height; y += side)
    for (gint x = area.x; x < area.x + area.width; x += side)
      {
        GeglRectangle tile = {x, y, MIN (side, area.x + area.width - x), MIN (side, area.y + area.height - y)};
        render_tile (operation, &params, input, output, &tile, format);
        gegl_operation_progress (operation, (gdouble) ++done / tiles, "");
      }
  g_free (analysed);
  return TRUE;
}

static void
finalize (GObject *object)
{
  GeglProperties *o = GEGL_PROPERTIES (object);
  State *state = o->user_data;
  if (state)
    {
      restore_context_free (state->ctx);
      g_mutex_clear (&state->lock);
      g_free (state->warned);
      g_free (state->analysed);
      g_free (state);
      o->user_data = NULL;
    }
  G_OBJECT_CLASS (gegl_op_parent_class)->finalize (object);
}

static void
gegl_op_class_init (GeglOpClass *klass)
{
  GObjectClass             *object_class    = G_OBJECT_CLASS (klass);
  GeglOperationClass       *operation_class = GEGL_OPERATION_CLASS (klass);
  GeglOperationFilterClass *filter_class    = GEGL_OPERATION_FILTER_CLASS (klass);

  object_class->finalize                     = finalize;
  operation_class->prepare                   = prepare;
  operation_class->get_bounding_box          = get_bounding_box;
  operation_class->get_cached_region         = get_cached_region;
  operation_class->get_required_for_output   = get_required_for_output;
  operation_class->get_invalidated_by_change = get_invalidated_by_change;
  /* librestore runs its own threads; GEGL must not split tiles further. */
  operation_class->threaded                  = FALSE;
  filter_class->process                      = process;

  gegl_operation_class_set_keys (operation_class,
    "name",            "restorekit:restore",
    "title",           _("RestoreKit Restore"),
    "categories",      "enhance",
    "description",     _("Restores damaged photos as prompts describe: the restoration prompt states the "
                         "damage with numbers (\"Deblur with sigma 1.5, Denoise with sigma 0.04, Dejpeg "
                         "with quality 40\", \"Upsample to 2\") and exactly that is removed."),
    "gimp:menu-path",  "<Image>/Filters/Enhance",
    "gimp:menu-label", _("RestoreKit (GEGL)..."),
    NULL);
}

#endif
