/*
 * restore.h — the C interface of RestoreKit (librestore.so).
 *
 * RestoreKit restores damaged photos as prompts describe: a restoration prompt
 * states the damage with numbers ("Deblur with sigma 1.5, Denoise with sigma
 * 0.04, Dejpeg with quality 40", see docs/prompt-language.md) and RestoreKit
 * removes exactly that.
 *
 * Usage:
 *
 *     restore_context *ctx = restore_context_new(NULL);
 *     restore_params params;
 *     restore_params_init(&params);
 *     params.restoration_prompt = "Denoise with sigma 0.05";
 *     int out_w, out_h;
 *     if (restore_output_size(&params, w, h, &out_w, &out_h) != RESTORE_OK) ...
 *     float *out = malloc((size_t)out_w * out_h * 4 * sizeof(float));
 *     restore_status s = restore_rgba_f32(ctx, &params, pixels, w, h, w * 4 * sizeof(float),
 *                                         out, out_w * 4 * sizeof(float));
 *     if (s != RESTORE_OK) fprintf(stderr, "restore: %s\n", restore_last_error(ctx));
 *     restore_context_free(ctx);
 *
 * Thread safety: a context may be used by one thread at a time; separate
 * contexts may run concurrently on different threads. Functions that take no
 * context are safe to call from any thread at any time.
 *
 * Ownership: strings the library returns as `const char *` are owned by the
 * library (lifetime stated per function); strings returned through `char **`
 * belong to the caller and are released with restore_free(). The library
 * never keeps pointers passed in after a call returns.
 *
 * Pixels: interleaved RGBA, 4 floats (restore_rgba_f32) or 4 bytes
 * (restore_rgba_u8) per pixel, straight (not premultiplied) alpha,
 * sRGB-encoded unless RESTORE_FLAG_LINEAR is set. Rows are `stride` bytes
 * apart. Gray or RGB hosts convert to RGBA first. Float samples are read as
 * given, except that NaN and infinities read as 0 and magnitudes beyond 65504
 * are clamped to it; float results are always finite.
 */
#ifndef RESTORE_H
#define RESTORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RESTORE_VERSION_MAJOR 0
#define RESTORE_VERSION_MINOR 2
#define RESTORE_VERSION_PATCH 0

#if defined(__GNUC__)
#define RESTORE_API __attribute__((visibility("default")))
#else
#define RESTORE_API
#endif

/* ------------------------------------------------------------- status -- */

typedef enum restore_status {
    RESTORE_OK = 0,
    /* A NULL pointer, a size or stride out of range, a parameter out of range. */
    RESTORE_ERROR_INVALID_ARGUMENT = 1,
    /* The restoration prompt (or another prompt field) cannot be used. */
    RESTORE_ERROR_INVALID_PROMPT = 2,
    /* The input or the output would exceed the pixel budget (256 MP, 65535 a side). */
    RESTORE_ERROR_IMAGE_TOO_LARGE = 3,
    RESTORE_ERROR_OUT_OF_MEMORY = 4,
    /* The progress callback asked to stop. */
    RESTORE_ERROR_CANCELLED = 5,
    /* An unknown model name, or model files missing or damaged. */
    RESTORE_ERROR_MODEL = 6,
    /* No installed restorer covers what the prompt asks. */
    RESTORE_ERROR_UNSUPPORTED = 7,
    /* Anything else; the message says what. */
    RESTORE_ERROR_INTERNAL = 8,
    /* The restoration prompt asks for estimates from the pixels (it is empty,
       has a bare "Deblur", "Denoise" or "Dejpeg", or says "Remove all
       degradation" at the same size under the "auto" model, or where no
       learned model restores blindly) and the call sees
       only part of the image: analyse the whole image with
       restore_analyze_rgba_f32 and pass the prompt it returns. */
    RESTORE_ERROR_NEEDS_ANALYSIS = 9
} restore_status;

/* A short English description of `status` ("invalid prompt"). Static storage. */
RESTORE_API const char *restore_status_string(restore_status status);

/* The library's version, "major.minor.patch". Static storage. */
RESTORE_API const char *restore_version(void);

/* Releases memory the library handed to the caller through a `char **`. NULL is fine. */
RESTORE_API void restore_free(void *pointer);

/* ------------------------------------------------------------ context -- */

/* Holds loaded models and the last error and report. Opaque. */
typedef struct restore_context restore_context;

/* A new context reading models from `models_dir` (UTF-8 path; NULL means
   $RESTOREKIT_MODELS, else ~/.local/share/restorekit/models). A missing folder
   is not an error: only the weight-free restorers are then available.
   Returns NULL only when out of memory. Free with restore_context_free. */
RESTORE_API restore_context *restore_context_new(const char *models_dir);

/* Frees a context (NULL is fine). No call may be running on it. */
RESTORE_API void restore_context_free(restore_context *ctx);

/* The message of the last failed call on `ctx`, in words a user can act on;
   with ctx NULL, the last failure of a context-free call on this thread.
   "" when there was none. Valid until the next call on the same context
   (or, for NULL, the next context-free call on this thread). */
RESTORE_API const char *restore_last_error(const restore_context *ctx);

/* The canonical restoration prompt the last successful restore on `ctx`
   carried out (after filling in estimates), or "". Valid until the next
   restore on `ctx`. */
RESTORE_API const char *restore_last_prompt(const restore_context *ctx);

/* Which restorers ran in the last successful restore on `ctx`, e.g.
   "dejpeg (JPEG deblocker, classic), denoise (BM3D, classic)", or "".
   Valid until the next restore on `ctx`. */
RESTORE_API const char *restore_last_restorers(const restore_context *ctx);

/* Notices about the last successful restore on `ctx` (restore_rgba_f32,
   restore_rgba_u8 or restore_region_rgba_f32), one per line, or "": which
   parameters set away from their defaults had no effect and why, e.g.
   "steps and seed have no effect: no installed model reads them". Valid until
   the next restore on `ctx`. */
RESTORE_API const char *restore_last_notes(const restore_context *ctx);

/* The parameters that none of the models installed for `ctx` reads,
   comma-separated as named in restore_params ("quality_prompt,
   negative_prompt, steps, guidance, seed" while no generative model is
   installed; "semantic_prompt" too without the Real-ESRGAN models), or "":
   setting them cannot change any pixel. Valid for the life of `ctx`. */
RESTORE_API const char *restore_unused_options(const restore_context *ctx);

/* The models a request can name for `ctx` (restore_params.model), as a JSON
   array of objects: {"name": "auto", "kind": "automatic", "reads": []} first,
   then each installed one with "kind" "learned", "classic" or "generative"
   and "reads", the parameters it reads besides the restoration prompt (names
   as restore_options_json gives them); generative models (imported with
   `restorekit models import`) also carry "recipe" ("one-step" or "refine")
   and "base" ("SD 1.x", "SD 2.x"). "" for a NULL context. Valid for the life
   of `ctx`. */
RESTORE_API const char *restore_models_json(const restore_context *ctx);

/* ---------------------------------------------------------- parameters -- */

/* Called with the fraction done (0..1) and the current stage's name, on the
   thread that called restore_*, at least once per tile and about every
   0.1 s. Return non-zero to cancel: the call then returns
   RESTORE_ERROR_CANCELLED promptly (within a second) and the destination is
   left untouched. `stage` is valid during the call only. */
typedef int (*restore_progress_fn)(float fraction, const char *stage, void *user_data);

/* Pixels are linear light instead of sRGB-encoded. */
#define RESTORE_FLAG_LINEAR 1u

/* What to restore and how. Fill with restore_params_init, then set fields.
   Later versions only append fields; `size` tells the library which version
   the caller was compiled against. Strings are UTF-8, at most 4096 bytes,
   read during the call only; NULL means the default. A value outside its
   range fails the call with RESTORE_ERROR_INVALID_ARGUMENT naming the field.
   restore_unused_options says which fields the installed models ignore,
   restore_last_notes names those that had no effect, restore_options_json
   lists every field with its default and range, restore_models_json the
   models `model` can name.

   With a generative model (`model` naming an imported Stable Diffusion
   model) the fields mean, per recipe:
     semantic_prompt, quality_prompt  both recipes: the model is conditioned
                     on the semantic prompt followed by the quality prompt (the
                     analysis' quality sentence when that is empty);
     restoration_prompt  both: what the result is projected back onto (blurred
                     and downscaled as stated, it reproduces the input within
                     the stated noise); refine: also what its restorers remove
                     first to make the structure image;
     strength        refine: the share of the sampler's schedule that runs from
                     the structure image (img2img's denoising strength: 0.2-0.4
                     refines, 1 starts from noise); one-step: unused;
     steps           refine: steps of the whole schedule (strength x steps run);
     guidance        refine: classifier-free guidance against negative_prompt;
                     1 or less runs no unconditional pass, so negative_prompt
                     then changes nothing;
     negative_prompt refine only;
     seed            refine: every random number of the sampler (the VAE's
                     latent sample, the starting noise, ancestral steps); the
                     same seed gives the same bytes on any thread count;
     tile_size       the latents are denoised in tiles of tile_size / 8
                     (at least 16; 0: 64, i.e. 512 pixels) blended at every step;
     fidelity        both: the share of the way from the generated image to its
                     projection onto the restoration prompt (1: blurred and
                     downscaled as stated it reproduces the input; 0: no
                     projection).
   Otherwise the quality and negative prompts, steps, guidance and seed are
   read by no model; the semantic prompt routes enlarging to Real-ESRGAN's
   anime networks when it calls the picture drawn (anime, manga,
   illustration, cartoon, comic, drawing, line art: the README lists the
   words), and strength is the share of each same-size correction applied. */
typedef struct restore_params {
    size_t size;                     /* sizeof(restore_params); set by restore_params_init */
    const char *semantic_prompt;     /* what the picture shows; default "" (see above) */
    const char *restoration_prompt;  /* what is wrong, with numbers; default "" */
    const char *quality_prompt;      /* low-level quality description; default "" */
    const char *negative_prompt;     /* default "blurry, dotted, noise, unclear, lowres, over-smoothed" */
    const char *model;               /* "auto" (default), "classic", a backend's or an imported model's name */
    float strength;                  /* 0..1, share of each same-size correction applied (refine: of the schedule); default 1 */
    int steps;                       /* sampler steps of generative models, 1..1000; default 20 */
    float guidance;                  /* classifier-free guidance scale of generative models, 0..30; default 5.5 */
    uint64_t seed;                   /* random seed of generative models, 0..4294967295; default 0 */
    int tile_size;                   /* output tile side, 0..8192: 0 = auto, below 64 uses 64; default 0 */
    int threads;                     /* 0 = one per core (default), else 1..256 */
    unsigned flags;                  /* RESTORE_FLAG_*; default 0 */
    restore_progress_fn progress;    /* may be NULL */
    void *progress_user_data;        /* passed to `progress` */
    /* Appended in 0.2: callers built against 0.1 pass the smaller size and get the default. */
    float fidelity;                  /* generative models: 0..1, how far the result is pulled back onto the
                                        input through the restoration prompt's blur and downsampling
                                        (1: reproduces it); default 1 */
} restore_params;

/* Sets every field of `params` to its default. */
RESTORE_API void restore_params_init(restore_params *params);

/* Every parameter as a JSON array, the declaration restore_params_init and
   every RestoreKit surface follow: name ("tile-size" for tile_size), type
   ("text", "integer", "number", "flag"), default, "minimum"/"maximum"
   (inclusive) or "max_bytes", "scope" ("stage": read by some models only)
   and a one-line summary. Static storage. */
RESTORE_API const char *restore_options_json(void);

/* ------------------------------------------------------------- prompts -- */

/* Checks a restoration prompt. On success returns RESTORE_OK and, if
   `canonical` is not NULL, its canonical form in *canonical (free with
   restore_free). On RESTORE_ERROR_INVALID_PROMPT, *error_offset (if not NULL)
   is the 0-based character (Unicode scalar) offset of the problem and
   restore_last_error(NULL) says what was expected. */
RESTORE_API restore_status restore_prompt_canonical(const char *restoration_prompt, char **canonical,
                                                    int *error_offset);

/* ----------------------------------------------------------- geometry -- */

/* A rectangle of pixels: top-left corner and size. */
typedef struct restore_rect {
    int x, y, width, height;
} restore_rect;

/* The output size of restoring a width x height image with `params`
   (upsampling prompts enlarge it). */
RESTORE_API restore_status restore_output_size(const restore_params *params, int width, int height,
                                               int *out_width, int *out_height);

/* The input region (within the width x height input) needed to render the
   output region `output`: the region mapped back through any scaling, plus
   the context the restorers need around it. For hosts that render in tiles. */
RESTORE_API restore_status restore_input_rect(restore_context *ctx, const restore_params *params,
                                              int width, int height, const restore_rect *output,
                                              restore_rect *input);

/* ------------------------------------------------------------ analysis -- */

/* Analyses a width x height image (pixels as for restore_rgba_f32): estimates
   its noise, Gaussian blur, JPEG compression and an earlier enlargement, in
   about 0.2 s per megapixel. On success, where the pointers are not NULL:
   - *prompt is the restoration prompt restore_rgba_f32 would carry out for
     `params` on this image, in canonical form: an empty prompt (or "Remove
     all degradation" without a learned model) becomes the prompt that
     removes what was found ("" for a clean image: nothing to restore, the
     input is its own restoration), a bare "Denoise" gets its
     sigma, stated values stay as stated;
   - *report is the analysis as one JSON object (the format of
     `restorekit analyze --json`: prompt, quality sentence, DaLPSR levels,
     and each estimate with its confidence).
   Free both with restore_free. `progress` is not called. Hosts that render
   in tiles call this once on the whole image and pass *prompt on to
   restore_input_rect and restore_region_rgba_f32. */
RESTORE_API restore_status restore_analyze_rgba_f32(restore_context *ctx, const restore_params *params,
                                                    const float *src, int width, int height, size_t src_stride,
                                                    char **prompt, char **report);

/* ---------------------------------------------------------- restoring -- */

/* Restores a width x height image. `dst` must hold the output size
   (restore_output_size) at `dst_stride` bytes per row; src and dst must not
   overlap. On any failure `dst` is left untouched. */
RESTORE_API restore_status restore_rgba_f32(restore_context *ctx, const restore_params *params,
                                            const float *src, int width, int height, size_t src_stride,
                                            float *dst, size_t dst_stride);

/* As restore_rgba_f32, on 8-bit samples. */
RESTORE_API restore_status restore_rgba_u8(restore_context *ctx, const restore_params *params,
                                           const uint8_t *src, int width, int height, size_t src_stride,
                                           uint8_t *dst, size_t dst_stride);

/* Renders only the output region `output` of restoring a width x height
   image. `src` holds the input pixels of `src_rect`, which must contain
   restore_input_rect(output); `dst` receives output->width x output->height
   pixels. Rendering every tile of a grid this way gives the pixels of
   restore_rgba_f32 on the whole image: to float rounding (about 1e-5), and
   within 0.02 where the prompt deblurs, since deconvolution sees only a finite
   margin around each region. */
RESTORE_API restore_status restore_region_rgba_f32(restore_context *ctx, const restore_params *params,
                                                   int width, int height,
                                                   const float *src, const restore_rect *src_rect,
                                                   size_t src_stride, const restore_rect *output,
                                                   float *dst, size_t dst_stride);

#ifdef __cplusplus
}
#endif

#endif /* RESTORE_H */
