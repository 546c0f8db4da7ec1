/*
 * Tests librestore through its installed C header (compiled with -std=c99
 * -pedantic -Werror): a real restoration with a PSNR gain, every misuse the
 * header promises to survive, cancel, region rendering, analysis and concurrent
 * contexts.
 * Run under valgrind by `make test`.
 */
#include <restore.h>

#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int failures = 0;

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                        \
        }                                                                      \
    } while (0)

#define CHECK_STATUS(call, expected)                                           \
    do {                                                                       \
        restore_status got_ = (call);                                          \
        if (got_ != (expected)) {                                              \
            fprintf(stderr, "%s:%d: %s returned %s (%s), expected %s\n", __FILE__, __LINE__, \
                    #call, restore_status_string(got_), restore_last_error(NULL), \
                    restore_status_string(expected));                          \
            failures++;                                                        \
        }                                                                      \
    } while (0)

enum { W = 96, H = 80 };

static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* A clean test picture: gradients, a disc and stripes, opaque. */
static void make_clean(float *rgba) {
    for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
            float *p = rgba + ((size_t)y * W + x) * 4;
            float disc = (x - 40) * (x - 40) + (y - 36) * (y - 36) < 400 ? 0.35f : 0.0f;
            float stripes = ((x / 6) % 2) && y > 56 ? 0.25f : 0.0f;
            p[0] = 0.15f + 0.5f * x / W + disc;
            p[1] = 0.25f + 0.4f * y / H + stripes;
            p[2] = 0.6f - 0.3f * x / W + disc * 0.5f;
            p[3] = 1.0f;
        }
    }
}

/* Adds Gaussian noise of `sigma` to the colour channels (fixed seed). */
static void add_noise(float *rgba, float sigma) {
    uint64_t state = 12345;
    for (size_t i = 0; i < (size_t)W * H * 4; i++) {
        if (i % 4 == 3) continue;
        double u[2];
        for (int k = 0; k < 2; k++) {
            state = state * 6364136223846793005ULL + 1442695040888963407ULL;
            u[k] = ((state >> 11) + 0.5) / 9007199254740992.0;
        }
        rgba[i] += sigma * (float)(sqrt(-2 * log(u[0])) * cos(6.283185307179586 * u[1]));
    }
}

static double psnr(const float *a, const float *b) {
    double mse = 0;
    for (size_t i = 0; i < (size_t)W * H * 4; i++) {
        if (i % 4 == 3) continue;
        double d = a[i] - b[i];
        mse += d * d;
    }
    mse /= (double)W * H * 3;
    return 10 * log10(1 / mse);
}

static void test_basics(void) {
    char expected[32];
    snprintf(expected, sizeof expected, "%d.%d.%d", RESTORE_VERSION_MAJOR, RESTORE_VERSION_MINOR,
             RESTORE_VERSION_PATCH);
    CHECK(strcmp(restore_version(), expected) == 0);
    CHECK(strcmp(restore_status_string(RESTORE_ERROR_CANCELLED), "cancelled") == 0);
    CHECK(strcmp(restore_status_string((restore_status)99), "unknown status") == 0);

    restore_params p;
    restore_params_init(&p);
    CHECK(p.size == sizeof p);
    CHECK(p.strength == 1.0f && p.steps == 20 && p.tile_size == 0 && p.threads == 0);
    CHECK(p.restoration_prompt == NULL && p.progress == NULL);
    restore_params_init(NULL); /* harmless */
    restore_free(NULL);
    restore_context_free(NULL);
}

static void test_prompts(void) {
    char *canonical = NULL;
    int offset = -1;
    CHECK_STATUS(restore_prompt_canonical("denoise WITH sigma 0.05; dejpeg 40", &canonical, &offset), RESTORE_OK);
    CHECK(canonical && strcmp(canonical, "Denoise with sigma 0.05, Dejpeg with quality 40") == 0);
    restore_free(canonical);

    CHECK_STATUS(restore_prompt_canonical("Deblur with sigma x", &canonical, &offset),
                 RESTORE_ERROR_INVALID_PROMPT);
    CHECK(offset == 18);
    CHECK(strstr(restore_last_error(NULL), "number") != NULL);
    CHECK_STATUS(restore_prompt_canonical("deblurr 2", NULL, &offset), RESTORE_ERROR_INVALID_PROMPT);
    CHECK(strstr(restore_last_error(NULL), "deblur") != NULL);
    CHECK_STATUS(restore_prompt_canonical(NULL, NULL, NULL), RESTORE_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(restore_prompt_canonical("Denoise with sigma \xff", NULL, NULL), RESTORE_ERROR_INVALID_PROMPT);
    CHECK(strstr(restore_last_error(NULL), "UTF-8") != NULL);
    offset = -1;
    CHECK_STATUS(restore_prompt_canonical("Denoise with sigma \xff", NULL, &offset), RESTORE_ERROR_INVALID_PROMPT);
    CHECK(offset == 19);

    restore_params p;
    restore_params_init(&p);
    int ow = 0, oh = 0;
    p.restoration_prompt = "Upsample to 2.5";
    CHECK_STATUS(restore_output_size(&p, 101, 40, &ow, &oh), RESTORE_OK);
    CHECK(ow == 253 && oh == 100);
    p.restoration_prompt = "Denoise with sigma 0.1";
    CHECK_STATUS(restore_output_size(&p, 101, 40, &ow, &oh), RESTORE_OK);
    CHECK(ow == 101 && oh == 40);
    CHECK_STATUS(restore_output_size(&p, 0, 40, &ow, &oh), RESTORE_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(restore_output_size(&p, 70000, 40, &ow, &oh), RESTORE_ERROR_IMAGE_TOO_LARGE);
    CHECK_STATUS(restore_output_size(&p, 10, 10, NULL, &oh), RESTORE_ERROR_INVALID_ARGUMENT);
    p.restoration_prompt = "Upsample to 8";
    CHECK_STATUS(restore_output_size(&p, 30000, 30000, &ow, &oh), RESTORE_ERROR_IMAGE_TOO_LARGE);
}

typedef struct cancel_state {
    float cancel_at;
    double cancelled_at;
    int calls;
} cancel_state;

static int cancel_progress(float fraction, const char *stage, void *user) {
    cancel_state *s = user;
    s->calls++;
    if (stage == NULL) return 1;
    if (fraction >= s->cancel_at) {
        if (s->cancelled_at == 0) s->cancelled_at = seconds();
        return 1;
    }
    return 0;
}

static void test_restore(restore_context *ctx, const float *clean, const float *noisy) {
    restore_params p;
    restore_params_init(&p);
    p.restoration_prompt = "Denoise with sigma 0.08";
    float *out = calloc((size_t)W * H * 4, sizeof(float));
    CHECK_STATUS(restore_rgba_f32(ctx, &p, noisy, W, H, W * 4 * sizeof(float), out, W * 4 * sizeof(float)),
                 RESTORE_OK);
    double before = psnr(noisy, clean), after = psnr(out, clean);
    printf("abi: denoise PSNR %.2f dB -> %.2f dB (gain %.2f dB)\n", before, after, after - before);
    CHECK(after - before > 4.0);
    CHECK(strcmp(restore_last_prompt(ctx), "Denoise with sigma 0.08") == 0);
    CHECK(strstr(restore_last_restorers(ctx), "denoise") != NULL);
    for (size_t i = 3; i < (size_t)W * H * 4; i += 4) CHECK(out[i] == 1.0f);

    /* 8-bit entry point on the same picture, with a padded stride. */
    size_t stride8 = W * 4 + 12;
    uint8_t *in8 = calloc(stride8 * H, 1), *out8 = calloc(stride8 * H, 1);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W * 4; x++) {
            float v = noisy[(size_t)y * W * 4 + x];
            in8[y * stride8 + x] = (uint8_t)(v <= 0 ? 0 : v >= 1 ? 255 : v * 255 + 0.5f);
        }
    CHECK_STATUS(restore_rgba_u8(ctx, &p, in8, W, H, stride8, out8, stride8), RESTORE_OK);
    double mse = 0;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W * 4; x++)
            if (x % 4 != 3) {
                double d = out8[y * stride8 + x] / 255.0 - clean[(size_t)y * W * 4 + x];
                mse += d * d;
            }
    double after8 = 10 * log10(1 / (mse / ((double)W * H * 3)));
    printf("abi: 8-bit denoise PSNR -> %.2f dB\n", after8);
    CHECK(after8 - before > 4.0);

    /* Regions rendered tile by tile equal the whole restore. */
    float *tiled = calloc((size_t)W * H * 4, sizeof(float));
    for (int ty = 0; ty < H; ty += 32) {
        for (int tx = 0; tx < W; tx += 32) {
            restore_rect region = {tx, ty, tx + 32 > W ? W - tx : 32, ty + 32 > H ? H - ty : 32};
            restore_rect need;
            CHECK_STATUS(restore_input_rect(ctx, &p, W, H, &region, &need), RESTORE_OK);
            CHECK(need.x <= region.x && need.y <= region.y);
            CHECK(need.x + need.width >= region.x + region.width);
            const float *src = noisy + ((size_t)need.y * W + need.x) * 4;
            float *dst = tiled + ((size_t)region.y * W + region.x) * 4;
            CHECK_STATUS(restore_region_rgba_f32(ctx, &p, W, H, src, &need, W * 4 * sizeof(float), &region,
                                                 dst, W * 4 * sizeof(float)),
                         RESTORE_OK);
        }
    }
    float worst = 0;
    for (size_t i = 0; i < (size_t)W * H * 4; i++) {
        float d = fabsf(tiled[i] - out[i]);
        if (d > worst) worst = d;
    }
    printf("abi: tiled regions vs whole: max difference %.5f\n", worst);
    CHECK(worst <= 2.0f / 255);

    /* Cancel at 30 %: prompt, and the destination untouched. */
    float *sentinel = malloc((size_t)W * H * 4 * sizeof(float));
    for (size_t i = 0; i < (size_t)W * H * 4; i++) sentinel[i] = -7.0f;
    cancel_state state = {0.3f, 0, 0};
    p.progress = cancel_progress;
    p.progress_user_data = &state;
    p.tile_size = 64;
    CHECK_STATUS(restore_rgba_f32(ctx, &p, noisy, W, H, W * 4 * sizeof(float), sentinel, W * 4 * sizeof(float)),
                 RESTORE_ERROR_CANCELLED);
    double latency = seconds() - state.cancelled_at;
    printf("abi: cancelled %.3f s after the callback asked (%d calls)\n", latency, state.calls);
    CHECK(state.cancelled_at > 0 && latency < 1.0);
    for (size_t i = 0; i < (size_t)W * H * 4; i++) CHECK(sentinel[i] == -7.0f);
    CHECK(strstr(restore_last_error(ctx), "cancel") != NULL);

    free(sentinel);
    free(tiled);
    free(in8);
    free(out8);
    free(out);
}

static void test_misuse(restore_context *ctx, const float *noisy) {
    restore_params p;
    restore_params_init(&p);
    p.restoration_prompt = "Denoise with sigma 0.05";
    float *out = calloc((size_t)W * H * 4, sizeof(float));
    size_t stride = W * 4 * sizeof(float);

    CHECK_STATUS(restore_rgba_f32(NULL, &p, noisy, W, H, stride, out, stride), RESTORE_ERROR_INVALID_ARGUMENT);
    CHECK(strstr(restore_last_error(NULL), "context") != NULL);
    CHECK_STATUS(restore_rgba_f32(ctx, NULL, noisy, W, H, stride, out, stride), RESTORE_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(restore_rgba_f32(ctx, &p, NULL, W, H, stride, out, stride), RESTORE_ERROR_INVALID_ARGUMENT);
    CHECK(strstr(restore_last_error(ctx), "src is NULL") != NULL);
    CHECK_STATUS(restore_rgba_f32(ctx, &p, noisy, W, H, stride, NULL, stride), RESTORE_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(restore_rgba_f32(ctx, &p, noisy, 0, H, stride, out, stride), RESTORE_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(restore_rgba_f32(ctx, &p, noisy, -5, H, stride, out, stride), RESTORE_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(restore_rgba_f32(ctx, &p, noisy, W, H, stride - 4, out, stride), RESTORE_ERROR_INVALID_ARGUMENT);
    CHECK(strstr(restore_last_error(ctx), "stride") != NULL);
    CHECK_STATUS(restore_rgba_f32(ctx, &p, noisy, W, H, stride, out, 7), RESTORE_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(restore_rgba_f32(ctx, &p, noisy, W, H, (size_t)-1 / 2, out, stride), RESTORE_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(restore_rgba_f32(ctx, &p, noisy, 65535, 65535, stride, out, stride), RESTORE_ERROR_IMAGE_TOO_LARGE);
    CHECK_STATUS(restore_rgba_f32(ctx, &p, (const float *)((const char *)noisy + 2), W, H, stride, out, stride),
                 RESTORE_ERROR_INVALID_ARGUMENT);

    restore_params bad = p;
    bad.size = 3;
    CHECK_STATUS(restore_rgba_f32(ctx, &bad, noisy, W, H, stride, out, stride), RESTORE_ERROR_INVALID_ARGUMENT);
    CHECK(strstr(restore_last_error(ctx), "restore_params_init") != NULL);
    /* A caller built against 0.1 passes the struct without the fields appended since
       (fidelity): accepted, with their defaults; a size in between is not. */
    bad = p;
    bad.size = offsetof(restore_params, fidelity);
    bad.fidelity = -5;
    CHECK_STATUS(restore_rgba_f32(ctx, &bad, noisy, W, H, stride, out, stride), RESTORE_OK);
    bad.size = offsetof(restore_params, fidelity) + 1;
    CHECK_STATUS(restore_rgba_f32(ctx, &bad, noisy, W, H, stride, out, stride), RESTORE_ERROR_INVALID_ARGUMENT);
    bad = p;
    bad.restoration_prompt = "Denoise with sigma 2";
    CHECK_STATUS(restore_rgba_f32(ctx, &bad, noisy, W, H, stride, out, stride), RESTORE_ERROR_INVALID_PROMPT);
    CHECK(strstr(restore_last_error(ctx), "0") != NULL);
    bad.restoration_prompt = "Upsample";
    CHECK_STATUS(restore_rgba_f32(ctx, &bad, noisy, W, H, stride, out, stride), RESTORE_ERROR_INVALID_PROMPT);
    bad.restoration_prompt = "Denoise with sigma 0.05 \xc3\x28";
    CHECK_STATUS(restore_rgba_f32(ctx, &bad, noisy, W, H, stride, out, stride), RESTORE_ERROR_INVALID_PROMPT);
    CHECK(strstr(restore_last_error(ctx), "UTF-8") != NULL);
    char *huge = malloc(5000);
    memset(huge, 'a', 4999);
    huge[4999] = 0;
    bad = p;
    bad.semantic_prompt = huge;
    CHECK_STATUS(restore_rgba_f32(ctx, &bad, noisy, W, H, stride, out, stride), RESTORE_ERROR_INVALID_ARGUMENT);
    free(huge);
    bad = p;
    bad.model = "no-such-model";
    CHECK_STATUS(restore_rgba_f32(ctx, &bad, noisy, W, H, stride, out, stride), RESTORE_ERROR_MODEL);
    CHECK(strstr(restore_last_error(ctx), "no-such-model") != NULL);
    bad = p;
    bad.strength = 1.5f;
    CHECK_STATUS(restore_rgba_f32(ctx, &bad, noisy, W, H, stride, out, stride), RESTORE_ERROR_INVALID_ARGUMENT);
    bad = p;
    bad.strength = NAN;
    CHECK_STATUS(restore_rgba_f32(ctx, &bad, noisy, W, H, stride, out, stride), RESTORE_ERROR_INVALID_ARGUMENT);
    bad = p;
    bad.tile_size = 8193;
    CHECK_STATUS(restore_rgba_f32(ctx, &bad, noisy, W, H, stride, out, stride), RESTORE_ERROR_INVALID_ARGUMENT);
    bad = p;
    bad.threads = -1;
    CHECK_STATUS(restore_rgba_f32(ctx, &bad, noisy, W, H, stride, out, stride), RESTORE_ERROR_INVALID_ARGUMENT);
    bad = p;
    bad.steps = 0;
    CHECK_STATUS(restore_rgba_f32(ctx, &bad, noisy, W, H, stride, out, stride), RESTORE_ERROR_INVALID_ARGUMENT);
    bad = p;
    bad.flags = 0x80;
    CHECK_STATUS(restore_rgba_f32(ctx, &bad, noisy, W, H, stride, out, stride), RESTORE_ERROR_INVALID_ARGUMENT);

    restore_rect region = {0, 0, 32, 32}, need;
    CHECK_STATUS(restore_input_rect(ctx, &p, W, H, NULL, &need), RESTORE_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(restore_input_rect(ctx, &p, W, H, &region, NULL), RESTORE_ERROR_INVALID_ARGUMENT);
    restore_rect outside = {90, 0, 32, 32}, empty = {0, 0, 0, 5};
    CHECK_STATUS(restore_input_rect(ctx, &p, W, H, &outside, &need), RESTORE_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(restore_input_rect(ctx, &p, W, H, &empty, &need), RESTORE_ERROR_INVALID_ARGUMENT);
    restore_rect small = {0, 0, 8, 8};
    CHECK_STATUS(restore_region_rgba_f32(ctx, &p, W, H, noisy, &small, stride, &region, out, stride),
                 RESTORE_ERROR_INVALID_ARGUMENT);
    CHECK(strstr(restore_last_error(ctx), "restore_input_rect") != NULL);
    free(out);
}

/* The declaration, range checks of the sampler settings, and the notices naming
   settings that had no effect (no generative model is installed here). */
static void test_options(restore_context *ctx, const float *noisy) {
    const char *json = restore_options_json();
    CHECK(json != NULL && json[0] == '[' && strstr(json, "\"name\": \"steps\"") != NULL);
    CHECK(json == restore_options_json()); /* static storage */
    CHECK(strstr(restore_unused_options(ctx), "steps") != NULL);
    CHECK(strcmp(restore_unused_options(NULL), "") == 0);
    const char *models = restore_models_json(ctx);
    CHECK(strncmp(models, "[{\"name\": \"auto\"", 16) == 0 && strstr(models, "\"name\": \"classic\", \"kind\": \"classic\"") != NULL);
    CHECK(models == restore_models_json(ctx) && strcmp(restore_models_json(NULL), "") == 0);

    restore_params p;
    restore_params_init(&p);
    p.restoration_prompt = "Denoise with sigma 0.08";
    size_t stride = W * 4 * sizeof(float);
    float *out = calloc((size_t)W * H * 4, sizeof(float));
    restore_params bad = p;
    bad.seed = 4294967296u;
    CHECK_STATUS(restore_rgba_f32(ctx, &bad, noisy, W, H, stride, out, stride), RESTORE_ERROR_INVALID_ARGUMENT);
    CHECK(strstr(restore_last_error(ctx), "seed") != NULL);
    bad = p;
    bad.guidance = 30.5f;
    CHECK_STATUS(restore_rgba_f32(ctx, &bad, noisy, W, H, stride, out, stride), RESTORE_ERROR_INVALID_ARGUMENT);

    p.model = "classic";
    p.steps = 8;
    p.seed = 4294967295u;
    CHECK_STATUS(restore_rgba_f32(ctx, &p, noisy, W, H, stride, out, stride), RESTORE_OK);
    printf("abi: notes: %s\n", restore_last_notes(ctx));
    CHECK(strstr(restore_last_notes(ctx), "steps and seed have no effect") != NULL);
    p.steps = 20;
    p.seed = 0;
    CHECK_STATUS(restore_rgba_f32(ctx, &p, noisy, W, H, stride, out, stride), RESTORE_OK);
    CHECK(strcmp(restore_last_notes(ctx), "") == 0);
    free(out);
}

/* The analyser fills in what the prompt leaves open, for whole images only. */
static void test_analyze(restore_context *ctx, const float *noisy) {
    restore_params p;
    restore_params_init(&p);
    size_t stride = W * 4 * sizeof(float);
    char *prompt = NULL, *report = NULL;
    CHECK_STATUS(restore_analyze_rgba_f32(ctx, &p, noisy, W, H, stride, &prompt, &report), RESTORE_OK);
    double sigma = 0;
    CHECK(prompt != NULL && sscanf(strstr(prompt, "Denoise with sigma ") ? strstr(prompt, "Denoise with sigma ")
                                                                           : "", "Denoise with sigma %lf", &sigma) == 1);
    printf("abi: analysed '%s' (noise added: sigma 0.08)\n", prompt ? prompt : "(null)");
    CHECK(fabs(sigma - 0.08) < 0.015);
    CHECK(report != NULL && report[0] == '{' && strstr(report, "\"noise\": {\"sigma\": ") != NULL);

    /* restore_rgba_f32 fills the empty prompt in the same way and reports it. */
    float *out = calloc((size_t)W * H * 4, sizeof(float));
    CHECK_STATUS(restore_rgba_f32(ctx, &p, noisy, W, H, stride, out, stride), RESTORE_OK);
    CHECK(prompt != NULL && strcmp(restore_last_prompt(ctx), prompt) == 0);
    p.restoration_prompt = "Denoise";
    CHECK_STATUS(restore_rgba_f32(ctx, &p, noisy, W, H, stride, out, stride), RESTORE_OK);
    CHECK(strncmp(restore_last_prompt(ctx), "Denoise with sigma 0.0", 22) == 0);

    /* Stated strengths come back as stated; NULL outputs are allowed. */
    char *stated = NULL;
    p.restoration_prompt = "denoise 0.05 and deblur 1";
    CHECK_STATUS(restore_analyze_rgba_f32(ctx, &p, noisy, W, H, stride, &stated, NULL), RESTORE_OK);
    CHECK(stated != NULL && strcmp(stated, "Deblur with sigma 1.0, Denoise with sigma 0.05") == 0);
    CHECK_STATUS(restore_analyze_rgba_f32(ctx, &p, noisy, W, H, stride, NULL, NULL), RESTORE_OK);

    /* Part of an image cannot be analysed: regions need the whole image's prompt. */
    p.restoration_prompt = "";
    restore_rect region = {0, 0, 32, 32}, need, all = {0, 0, W, H};
    CHECK_STATUS(restore_input_rect(ctx, &p, W, H, &region, &need), RESTORE_ERROR_NEEDS_ANALYSIS);
    CHECK(strstr(restore_last_error(ctx), "analysed") != NULL);
    CHECK_STATUS(restore_region_rgba_f32(ctx, &p, W, H, noisy, &all, stride, &region, out, stride),
                 RESTORE_ERROR_NEEDS_ANALYSIS);
    p.restoration_prompt = prompt;
    CHECK_STATUS(restore_input_rect(ctx, &p, W, H, &region, &need), RESTORE_OK);

    /* Misuse. */
    CHECK_STATUS(restore_analyze_rgba_f32(NULL, &p, noisy, W, H, stride, NULL, NULL), RESTORE_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(restore_analyze_rgba_f32(ctx, NULL, noisy, W, H, stride, NULL, NULL), RESTORE_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(restore_analyze_rgba_f32(ctx, &p, NULL, W, H, stride, NULL, NULL), RESTORE_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(restore_analyze_rgba_f32(ctx, &p, noisy, W, H, 8, NULL, NULL), RESTORE_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(restore_analyze_rgba_f32(ctx, &p, noisy, 70000, 2, stride, NULL, NULL),
                 RESTORE_ERROR_IMAGE_TOO_LARGE);
    p.restoration_prompt = "Denoise with sigma x";
    CHECK_STATUS(restore_analyze_rgba_f32(ctx, &p, noisy, W, H, stride, NULL, NULL), RESTORE_ERROR_INVALID_PROMPT);
    restore_free(prompt);
    restore_free(report);
    restore_free(stated);
    free(out);
}

typedef struct worker {
    const float *noisy;
    float *out;
    restore_status status;
} worker;

static void *run_worker(void *arg) {
    worker *w = arg;
    restore_context *ctx = restore_context_new(NULL);
    restore_params p;
    restore_params_init(&p);
    p.restoration_prompt = "Denoise with sigma 0.08";
    p.threads = 1;
    w->status = restore_rgba_f32(ctx, &p, w->noisy, W, H, W * 4 * sizeof(float), w->out, W * 4 * sizeof(float));
    restore_context_free(ctx);
    return NULL;
}

static void test_threads(const float *noisy) {
    worker serial = {noisy, calloc((size_t)W * H * 4, sizeof(float)), RESTORE_OK};
    run_worker(&serial);
    worker a = {noisy, calloc((size_t)W * H * 4, sizeof(float)), RESTORE_OK};
    worker b = {noisy, calloc((size_t)W * H * 4, sizeof(float)), RESTORE_OK};
    pthread_t ta, tb;
    pthread_create(&ta, NULL, run_worker, &a);
    pthread_create(&tb, NULL, run_worker, &b);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    CHECK(serial.status == RESTORE_OK && a.status == RESTORE_OK && b.status == RESTORE_OK);
    size_t bytes = (size_t)W * H * 4 * sizeof(float);
    CHECK(memcmp(serial.out, a.out, bytes) == 0);
    CHECK(memcmp(serial.out, b.out, bytes) == 0);
    printf("abi: two contexts on two threads: identical to the serial run\n");
    free(serial.out);
    free(a.out);
    free(b.out);
}

int main(void) {
    float *clean = malloc((size_t)W * H * 4 * sizeof(float));
    float *noisy = malloc((size_t)W * H * 4 * sizeof(float));
    make_clean(clean);
    memcpy(noisy, clean, (size_t)W * H * 4 * sizeof(float));
    add_noise(noisy, 0.08f);

    test_basics();
    test_prompts();
    restore_context *ctx = restore_context_new(NULL);
    CHECK(ctx != NULL);
    CHECK(strcmp(restore_last_error(ctx), "") == 0);
    test_restore(ctx, clean, noisy);
    test_misuse(ctx, noisy);
    test_options(ctx, noisy);
    test_analyze(ctx, noisy);
    restore_context_free(ctx);
    test_threads(noisy);

    free(clean);
    free(noisy);
    if (failures) {
        fprintf(stderr, "abi: %d check(s) failed\n", failures);
        return 1;
    }
    printf("abi: all checks passed\n");
    return 0;
}
