/*
 * The C ABI's argument checking on random calls: every entry point that takes
 * a context, parameters, sizes, strides or rectangles, with values drawn from the
 * fuzz input (in range and far out of it). Buffers are allocated exactly as the
 * header requires for the fuzzed dimensions and stride, so AddressSanitizer sees
 * any read or write past them, and a parameter struct whose `size` says it is
 * older is allocated only that large.
 *
 * What must hold: every status is a documented one; every failure leaves a
 * message in restore_last_error and the destination untouched; a success on
 * float pixels writes finite pixels; an analysed prompt is canonical.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "restore.h"

/* The fuzz input read from the front, as libFuzzer's FuzzedDataProvider does;
   once it runs out every value is 0. */
typedef struct {
    const uint8_t *data;
    size_t left;
} input;

static uint32_t take(input *in, int bytes) {
    uint32_t value = 0;
    for (int i = 0; i < bytes && in->left > 0; i++, in->data++, in->left--) value = value << 8 | *in->data;
    return value;
}

/* A size: mostly small, sometimes 0, negative or beyond the limits. */
static int take_side(input *in) {
    static const int extreme[] = {0, -1, -65536, 65535, 65536, 70000, 1 << 20, 2147483647};
    uint32_t choice = take(in, 1);
    if (choice < 224) return 1 + (int)(choice % 24);
    return extreme[choice % 8];
}

/* A stride for rows of `row` bytes: exact, padded, too small, or not a multiple of
   the sample size (a stride beyond the buffer cannot be told from a large buffer,
   so none is drawn). */
static size_t take_stride(input *in, size_t row) {
    switch (take(in, 1) % 8) {
    case 0: return row + 4 * (take(in, 1) % 5);
    case 1: return row > 0 ? row - 1 : 0;
    case 2: return 0;
    case 3: return row + 4096;
    case 4: return row + 3;  /* not a multiple of the sample size */
    default: return row;
    }
}

static float take_float(input *in) {
    static const float special[] = {0.0f, 1.0f, -1.0f, 0.5f, 1e30f, -0.0f, NAN, INFINITY};
    uint32_t choice = take(in, 1);
    if (choice < 200) return (float)(choice % 101) / 100.0f * 1.2f - 0.1f;
    if (choice < 230) return special[choice % 8];
    uint32_t bits = take(in, 4);
    float value;
    memcpy(&value, &bits, sizeof value);
    return value;
}

/* A string field: NULL, one of `known`, bytes from the input, or over the 4096-byte limit. */
static const char *take_string(input *in, const char *const *known, int count, char *buffer, size_t capacity) {
    uint32_t choice = take(in, 1);
    if (choice < 40) return NULL;
    if (choice < 160 && count > 0) return known[choice % count];
    if (choice < 250) {
        size_t length = take(in, 1) % 64;
        if (length > in->left) length = in->left;
        if (length >= capacity) length = capacity - 1;
        memcpy(buffer, in->data, length);
        buffer[length] = 0;
        in->data += length;
        in->left -= length;
        return buffer;
    }
    memset(buffer, 'a', capacity - 1);
    buffer[capacity - 1] = 0;
    return buffer;
}

static const char *const prompts[] = {
    "", "Denoise with sigma 0.05", "Deblur with sigma 1.5", "Dejpeg with quality 40", "Upsample to 2",
    "Deblur with sigma 2.0, Denoise with sigma 0.05, Dejpeg with quality 40, Upsample to 2",
    "Remove all degradation", "Denoise", "Deblur, Denoise", "Upsample to 3", "Upsample to 0.5",
    "Denoise with sigma -1", "Deblur with sigma 2, Deblur with sigma 3",
};
static const char *const models[] = {"auto", "classic", "", "no-such-model", "ffdnet", "srmd", "realesrgan-x4plus"};
static const char *const texts[] = {"", "a cat on a sofa", "blurry, noise", "\xff\xfe not UTF-8"};

static int cancel_after;
static int calls;
static int progress(float fraction, const char *stage, void *user_data) {
    (void)user_data;
    if (!(fraction >= 0 && fraction <= 1) || stage == NULL) abort();
    return ++calls > cancel_after;
}

static restore_context *context;

/* `owner` is the context the call took, NULL for the functions that take none. */
static void check_failure(restore_context *owner, restore_status status, const char *what) {
    if (status > RESTORE_ERROR_NEEDS_ANALYSIS) {
        fprintf(stderr, "%s: undocumented status %d\n", what, (int)status);
        abort();
    }
    const char *message = restore_last_error(owner);
    if (status != RESTORE_OK && (message == NULL || message[0] == 0)) {
        fprintf(stderr, "%s: status %d without a message\n", what, (int)status);
        abort();
    }
}

static void *copy_of(const void *bytes, size_t size) {
    void *copy = malloc(size ? size : 1);
    memcpy(copy, bytes, size);
    return copy;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    input in = {data, size};
    if (context == NULL) context = restore_context_new(NULL);
    if (context == NULL) abort();

    char prompt_text[4100], model_text[4100], semantic_text[4100];
    restore_params params;
    restore_params_init(&params);
    params.restoration_prompt = take_string(&in, prompts, 13, prompt_text, sizeof prompt_text);
    params.model = take_string(&in, models, 7, model_text, sizeof model_text);
    params.semantic_prompt = take_string(&in, texts, 4, semantic_text, sizeof semantic_text);
    params.quality_prompt = take(&in, 1) < 128 ? NULL : texts[take(&in, 1) % 4];
    params.negative_prompt = take(&in, 1) < 128 ? NULL : texts[take(&in, 1) % 4];
    params.strength = take(&in, 1) < 128 ? 1.0f : take_float(&in);
    params.guidance = take(&in, 1) < 128 ? 5.5f : take_float(&in);
    params.steps = take(&in, 1) < 200 ? 20 : (int)take(&in, 4);
    params.seed = take(&in, 1) < 200 ? 0 : (uint64_t)take(&in, 4) << 32 | take(&in, 4);
    params.tile_size = take(&in, 1) < 160 ? 0 : (int)(take(&in, 2) % 9000) - 100;
    /* Valid thread counts above 2 only slow the run down; invalid ones are kept. */
    int threads = take(&in, 1) < 200 ? 1 : (int)take(&in, 4);
    params.threads = threads >= 3 && threads <= 256 ? 2 : threads;
    params.flags = take(&in, 1) < 200 ? 0 : take(&in, 4);
    if (take(&in, 1) < 64) {
        params.progress = progress;
        cancel_after = (int)take(&in, 1) % 16;
        calls = 0;
    }
    /* An older caller's smaller struct, allocated only as large as it says. */
    restore_params *p = &params;
    uint32_t version = take(&in, 1);
    if (version >= 224) params.size = version % 2 ? offsetof(restore_params, guidance) : sizeof params + 64;
    if (version >= 224 && params.size < sizeof params) p = copy_of(&params, params.size);

    int width = take_side(&in), height = take_side(&in);
    if (getenv("FUZZ_SHOW_ERRORS"))
        fprintf(stderr, "call: prompt '%s' model '%s' strength %g guidance %g steps %d tile %d threads %d flags %u "
                "progress %d size %zu, %d x %d\n", p->restoration_prompt ? p->restoration_prompt : "(null)",
                params.model ? params.model : "(null)", params.strength, params.guidance, params.steps,
                params.tile_size, params.threads, params.flags, params.progress != NULL, params.size, width, height);
    int small = width > 0 && height > 0 && width <= 24 && height <= 24;
    uint32_t operation = take(&in, 1) % 6;
    restore_status status;
    int out_w = -1, out_h = -1;

    if (operation == 5) {
        char *canonical = NULL;
        int offset = -1;
        status = restore_prompt_canonical(p->restoration_prompt, &canonical, &offset);
        check_failure(NULL, status, "restore_prompt_canonical");
        if (status == RESTORE_ERROR_INVALID_PROMPT && offset < 0) {
            fprintf(stderr, "restore_prompt_canonical refused a prompt without an error offset\n");
            abort();
        }
        if (status == RESTORE_OK) {
            char *again = NULL;
            if (restore_prompt_canonical(canonical, &again, NULL) != RESTORE_OK || strcmp(again, canonical) != 0) abort();
            restore_free(again);
        }
        restore_free(canonical);
        goto done;
    }
    status = restore_output_size(p, width, height, &out_w, &out_h);
    check_failure(NULL, status, "restore_output_size");
    if (!small) {
        /* Sizes beyond the limits must be refused before any pixel is read: a
           one-pixel buffer stands in for them. (Large valid sizes are not drawn further.) */
        if (width <= 0 || height <= 0 || width > 65535 || height > 65535) {
            float pixel[4] = {0, 0, 0, 1};
            float out[4] = {0};
            status = restore_rgba_f32(context, p, pixel, width, height, 16, out, 16);
            check_failure(context, status, "restore_rgba_f32 (bad size)");
            if (status == RESTORE_OK) abort();
        }
        goto done;
    }
    /* Parameters the size check refused must fail the restore too. */
    int refused = status != RESTORE_OK;
    if (refused) {
        out_w = width;
        out_h = height;
    }
    if (out_w <= 0 || out_h <= 0 || out_w > 24 * 8 || out_h > 24 * 8) abort();

    int eight_bit = operation == 1;
    size_t sample = eight_bit ? 1 : sizeof(float);
    size_t src_stride = take_stride(&in, (size_t)width * 4 * sample);
    size_t dst_stride = take_stride(&in, (size_t)out_w * 4 * sample);
    size_t src_bytes = src_stride * (size_t)height, dst_bytes = dst_stride * (size_t)out_h;
    uint8_t *src = malloc(src_bytes ? src_bytes : 1);
    uint8_t *dst = malloc(dst_bytes ? dst_bytes : 1);
    for (size_t i = 0; i < src_bytes; i++) src[i] = (uint8_t)(i * 2654435761u >> 13);
    if (!eight_bit) {
        /* Sample values: mostly in range, some out of it or not finite, at the input's choice. */
        for (size_t i = 0; i + 4 <= src_bytes; i += 4) {
            float value = (float)src[i] / 255.0f;
            if (in.left > 0 && src[i] < 8) value = take_float(&in);
            memcpy(src + i, &value, 4);
        }
    }
    memset(dst, 0xA5, dst_bytes);
    uint8_t *before = copy_of(dst, dst_bytes);

    if (operation == 0) {
        status = restore_rgba_f32(context, p, (const float *)src, width, height, src_stride, (float *)dst, dst_stride);
    } else if (operation == 1) {
        status = restore_rgba_u8(context, p, src, width, height, src_stride, dst, dst_stride);
    } else if (operation == 2 || operation == 4) {
        restore_rect output = {(int)(take(&in, 1) % 32) - 4, (int)(take(&in, 1) % 32) - 4,
                               (int)(take(&in, 1) % 32) - 2, (int)(take(&in, 1) % 32) - 2};
        restore_rect needed = {0, 0, 0, 0};
        status = restore_input_rect(context, p, width, height, &output, &needed);
        check_failure(context, status, "restore_input_rect");
        if (status == RESTORE_OK && operation == 2 && output.width > 0 && output.height > 0) {
            if (needed.x < 0 || needed.y < 0 || needed.x + needed.width > width || needed.y + needed.height > height) abort();
            /* The region call reads `needed` from the source and writes `output`'s size. */
            size_t region_stride = (size_t)needed.width * 16, out_stride = (size_t)output.width * 16;
            float *region = malloc(region_stride * (size_t)needed.height + 1);
            float *tile = malloc(out_stride * (size_t)output.height);
            for (size_t i = 0; i < (size_t)needed.width * (size_t)needed.height * 4; i++) region[i] = 0.5f;
            status = restore_region_rgba_f32(context, p, width, height, region, &needed, region_stride, &output,
                                             tile, out_stride);
            check_failure(context, status, "restore_region_rgba_f32");
            free(region);
            free(tile);
        }
        goto pixels_done;
    } else {
        char *analysed = NULL, *report = NULL;
        status = restore_analyze_rgba_f32(context, p, (const float *)src, width, height, src_stride, &analysed, &report);
        check_failure(context, status, "restore_analyze_rgba_f32");
        if (status == RESTORE_OK) {
            char *canonical = NULL;
            if (analysed == NULL || report == NULL || report[0] != '{') abort();
            if (restore_prompt_canonical(analysed, &canonical, NULL) != RESTORE_OK || strcmp(canonical, analysed) != 0) {
                fprintf(stderr, "the analysed prompt '%s' is not canonical\n", analysed);
                abort();
            }
            restore_free(canonical);
        }
        restore_free(analysed);
        restore_free(report);
        goto pixels_done;
    }
    check_failure(context, status, "restore");
    if (refused && status == RESTORE_OK) abort();
    if (status != RESTORE_OK) {
        if (memcmp(before, dst, dst_bytes) != 0) {
            fprintf(stderr, "a failed restore (status %d) wrote to its destination\n", (int)status);
            abort();
        }
    } else if (!eight_bit) {
        /* Non-finite input samples are read as 0, so every output sample is finite. */
        for (int y = 0; y < out_h; y++)
            for (int x = 0; x < out_w * 4; x++) {
                float value;
                memcpy(&value, dst + (size_t)y * dst_stride + (size_t)x * 4, 4);
                if (!isfinite(value)) {
                    fprintf(stderr, "a restore of finite pixels wrote %g\n", value);
                    abort();
                }
            }
    }
pixels_done:
    free(src);
    free(dst);
    free(before);
done:
    if (p != &params) free(p);
    return 0;
}
