/*
 * Several contexts on several threads (issue "Hostile input at scale").
 *
 * A fixed list of jobs (restore_rgba_f32, restore_rgba_u8,
 * restore_region_rgba_f32 and restore_analyze_rgba_f32; classic prompts and
 * combinations, prompts that need analysis, models "classic" and "auto" and
 * each learned model installed; params.threads 1 or 2; some jobs with a
 * progress callback that cancels at a seeded call count) is first computed
 * serially on one thread, the reference. Then every round shuffles the jobs
 * and runs them on THREADS worker threads, each with its own restore_context
 * (the contexts move to other threads from round to round). Checks:
 *   - every call that was not cancelled: the same status as the reference,
 *     and byte for byte the same destination (padding between rows and guard
 *     bytes after the last row included), last prompt, restorers and error
 *     message; analysis: the same prompt and report;
 *   - a call whose callback asked to cancel returns RESTORE_ERROR_CANCELLED
 *     with the destination untouched (a sentinel pattern throughout), and no
 *     call returns RESTORE_ERROR_CANCELLED unless its callback asked;
 *   - any failed call leaves the destination untouched;
 *   - the callback runs on the calling thread with a fraction in 0..1;
 *   - in the serial phase: the result does not depend on params.threads
 *     (1 and 2 give the same bytes, as ParallelWork promises) and a region
 *     equals the same rectangle of the whole image's restoration (restore.h).
 * Models: restore_context_new(NULL), so $RESTOREKIT_MODELS or
 * ~/.local/share/restorekit/models; the learned backends installed there are
 * read from the "available: ..." list that an unknown model name's error
 * gives. The test passes with or without them.
 *
 * Usage: concurrency [ROUNDS [THREADS]]; env CONCURRENCY_ROUNDS,
 * CONCURRENCY_THREADS, CONCURRENCY_SEED, CONCURRENCY_CANCEL_LIMIT (seconds a
 * cancel may take to return, default 2: the header promises one second, the
 * slack is for 4 workers sharing 2 cores; raise it under sanitizers),
 * CONCURRENCY_SERIAL_CHECKS=0 (skip the serial thread-count and region
 * checks, which involve no concurrency: for slow sanitizer runs),
 * CONCURRENCY_LEARNED=few (two small jobs per learned model and no blind
 * restoration, which loads Real-ESRGAN: for slow sanitizer runs),
 * CONCURRENCY_VERBOSE=1 (each serial job's status, time and progress calls).
 * Exit status 0 when every check passed, 1 otherwise.
 */
#define _POSIX_C_SOURCE 200809L
#include <restore.h>

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SENTINEL 0xA5u
#define GUARD_BYTES 64
#define MAX_JOBS 512
#define MAX_MODELS 8
#define REGION_TOLERANCE 0.02

static int failures;

#define FAIL(...)                                                                                                    \
    do {                                                                                                             \
        failures++;                                                                                                  \
        if (failures <= 40) {                                                                                        \
            fprintf(stderr, "concurrency: FAIL: ");                                                                  \
            fprintf(stderr, __VA_ARGS__);                                                                            \
            fputc('\n', stderr);                                                                                     \
        }                                                                                                            \
    } while (0)

static double now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static uint64_t splitmix(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double uniform(uint64_t *state) { return (double)(splitmix(state) >> 11) * 0x1.0p-53; }

static char *copy_string(const char *s) {
    size_t n = strlen(s ? s : "") + 1;
    char *c = malloc(n);
    memcpy(c, s ? s : "", n);
    return c;
}

/* ------------------------------------------------------------ images -- */

typedef struct image {
    int width, height;
    size_t f32_stride, u8_stride; /* bytes; rows padded on some images */
    float *f32;
    uint8_t *u8;
} image;

/* Smooth gradients, a rectangle, a disc and a diagonal line (edges), some
   alpha, and seeded noise: something for every restorer to do. */
static void make_image(image *img, int width, int height, int pad_pixels, uint64_t seed) {
    img->width = width;
    img->height = height;
    img->f32_stride = (size_t)(width + pad_pixels) * 4 * sizeof(float);
    img->u8_stride = (size_t)(width + pad_pixels) * 4 + (size_t)pad_pixels;
    img->f32 = malloc(img->f32_stride * (size_t)height);
    img->u8 = malloc(img->u8_stride * (size_t)height);
    memset(img->f32, 0, img->f32_stride * (size_t)height);
    memset(img->u8, 0x3C, img->u8_stride * (size_t)height);
    uint64_t rng = seed;
    for (int y = 0; y < height; y++) {
        float *row = (float *)((char *)img->f32 + (size_t)y * img->f32_stride);
        uint8_t *row8 = img->u8 + (size_t)y * img->u8_stride;
        for (int x = 0; x < width; x++) {
            double u = (double)x / width, v = (double)y / height;
            double rgb[3] = {0.15 + 0.7 * u, 0.2 + 0.6 * v, 0.5 + 0.3 * sin(6.0 * u + 4.0 * v)};
            if (x > width / 4 && x < width / 2 && y > height / 3 && y < 2 * height / 3) {
                rgb[0] = 0.9, rgb[1] = 0.85, rgb[2] = 0.1;
            }
            double dx = x - 0.7 * width, dy = y - 0.35 * height, r = 0.18 * (width < height ? width : height);
            if (dx * dx + dy * dy < r * r) rgb[0] *= 0.3, rgb[1] *= 0.4, rgb[2] = 0.95;
            if (abs(x - y) <= 1) rgb[0] = rgb[1] = rgb[2] = 0.05;
            for (int c = 0; c < 3; c++) {
                /* Roughly Gaussian noise, sigma about 0.03. */
                double n = (uniform(&rng) + uniform(&rng) + uniform(&rng) - 1.5) * 0.06;
                double s = rgb[c] + n;
                rgb[c] = s < 0 ? 0 : s > 1 ? 1 : s;
            }
            double alpha = (seed & 1) ? 1.0 : 0.6 + 0.4 * u;
            for (int c = 0; c < 3; c++) row[x * 4 + c] = (float)rgb[c];
            row[x * 4 + 3] = (float)alpha;
            for (int c = 0; c < 4; c++) row8[x * 4 + c] = (uint8_t)lrint(row[x * 4 + c] * 255.0);
        }
    }
}

/* -------------------------------------------------------------- jobs -- */

typedef enum kind { KIND_F32, KIND_U8, KIND_REGION, KIND_ANALYZE } kind;
static const char *const kind_names[] = {"f32", "u8", "region", "analyze"};

typedef struct job {
    kind kind;
    int image;
    const char *prompt;
    const char *model;
    int threads;
    int use_progress;      /* a callback that counts calls */
    int cancel_at;         /* with use_progress: cancel at this call (1-based); 0 never */
    int reference;         /* the job whose reference result this one must match */
    restore_rect output;   /* KIND_REGION: the output region */
    restore_rect src_rect; /* KIND_REGION: the input region passed */
} job;

typedef struct progress_state {
    pthread_t caller;
    int calls;
    int cancel_at;
    int asked; /* the callback returned non-zero */
    int wrong_thread;
    int bad_fraction;
    double asked_at;
} progress_state;

static int on_progress(float fraction, const char *stage, void *user_data) {
    progress_state *state = user_data;
    if (!pthread_equal(pthread_self(), state->caller)) state->wrong_thread++;
    if (!(fraction >= 0.0f && fraction <= 1.0f) || stage == NULL) state->bad_fraction++;
    state->calls++;
    if (state->cancel_at > 0 && state->calls >= state->cancel_at) {
        if (!state->asked) state->asked_at = now_seconds();
        state->asked = 1;
        return 1;
    }
    return 0;
}

typedef struct result {
    restore_status status;
    unsigned char *dst; /* destination buffer, GUARD_BYTES included */
    size_t dst_bytes;
    char *message, *last_prompt, *restorers; /* copies */
    char *analysis_prompt, *analysis_report;
    progress_state progress;
    double cancel_latency; /* seconds from the callback's cancel to the return */
} result;

static void free_result(result *r) {
    free(r->dst);
    free(r->message);
    free(r->last_prompt);
    free(r->restorers);
    free(r->analysis_prompt);
    free(r->analysis_report);
    memset(r, 0, sizeof *r);
}

static image images[4];
static job jobs[MAX_JOBS];
static int job_count;

/* Output size and destination layout of a job. */
static void destination(const job *j, int *out_w, int *out_h, size_t *stride, size_t *bytes) {
    const image *img = &images[j->image];
    int w = img->width, h = img->height;
    if (j->kind == KIND_REGION) {
        w = j->output.width, h = j->output.height;
    } else if (j->kind != KIND_ANALYZE) {
        restore_params p;
        restore_params_init(&p);
        p.restoration_prompt = j->prompt;
        p.model = j->model;
        if (restore_output_size(&p, img->width, img->height, &w, &h) != RESTORE_OK) w = img->width, h = img->height;
    }
    /* Rows padded (16 bytes for floats, 7 for bytes) on every other image. */
    size_t row = (size_t)w * 4 * (j->kind == KIND_U8 ? 1 : sizeof(float));
    size_t pad = (j->image & 1) ? (j->kind == KIND_U8 ? 7 : 16) : 0;
    *out_w = w;
    *out_h = h;
    *stride = row + pad;
    *bytes = (row + pad) * (size_t)h + GUARD_BYTES;
}

static void run_job(restore_context *ctx, const job *j, int threads, result *r) {
    const image *img = &images[j->image];
    memset(r, 0, sizeof *r);
    restore_params p;
    restore_params_init(&p);
    p.restoration_prompt = j->prompt;
    p.model = j->model;
    p.threads = threads;
    r->progress.caller = pthread_self();
    r->progress.cancel_at = j->cancel_at;
    if (j->use_progress) {
        p.progress = on_progress;
        p.progress_user_data = &r->progress;
    }
    int out_w, out_h;
    size_t stride;
    destination(j, &out_w, &out_h, &stride, &r->dst_bytes);
    r->dst = malloc(r->dst_bytes);
    memset(r->dst, SENTINEL, r->dst_bytes);
    switch (j->kind) {
    case KIND_F32:
        r->status = restore_rgba_f32(ctx, &p, img->f32, img->width, img->height, img->f32_stride, (float *)r->dst,
                                     stride);
        break;
    case KIND_U8:
        r->status = restore_rgba_u8(ctx, &p, img->u8, img->width, img->height, img->u8_stride, r->dst, stride);
        break;
    case KIND_REGION: {
        const float *src = (const float *)((const char *)img->f32 + (size_t)j->src_rect.y * img->f32_stride) +
                           (size_t)j->src_rect.x * 4;
        r->status = restore_region_rgba_f32(ctx, &p, img->width, img->height, src, &j->src_rect, img->f32_stride,
                                            &j->output, (float *)r->dst, stride);
        break;
    }
    case KIND_ANALYZE: {
        char *prompt = NULL, *report = NULL;
        r->status = restore_analyze_rgba_f32(ctx, &p, img->f32, img->width, img->height, img->f32_stride, &prompt,
                                             &report);
        if (r->status == RESTORE_OK) {
            r->analysis_prompt = copy_string(prompt);
            r->analysis_report = copy_string(report);
        }
        restore_free(prompt);
        restore_free(report);
        break;
    }
    }
    if (r->progress.asked) r->cancel_latency = now_seconds() - r->progress.asked_at;
    r->message = copy_string(restore_last_error(ctx));
    if (r->status == RESTORE_OK && j->kind != KIND_ANALYZE) {
        r->last_prompt = copy_string(restore_last_prompt(ctx));
        r->restorers = copy_string(restore_last_restorers(ctx));
    }
}

static int untouched(const result *r) {
    for (size_t i = 0; i < r->dst_bytes; i++) {
        if (r->dst[i] != SENTINEL) return 0;
    }
    return 1;
}

static void describe(const job *j, int index, char *text, size_t size) {
    const image *img = &images[j->image];
    snprintf(text, size, "job %d (%s, %d x %d, \"%s\", model %s, threads %d%s%s)", index, kind_names[j->kind],
             img->width, img->height, j->prompt, j->model, j->threads, j->use_progress ? ", progress" : "",
             j->cancel_at ? ", cancels" : "");
}

static int same_text(const char *a, const char *b) { return strcmp(a ? a : "", b ? b : "") == 0; }

/* Counters for the summary. */
static int cancelled_calls, compared_calls, error_calls, finished_cancel_jobs;
static double max_cancel_latency, cancel_limit = 2.0;

/* Checks one result against the reference result of its job. */
static void check(const job *j, int index, const result *r, const result *ref, const char *when) {
    char what[512];
    describe(j, index, what, sizeof what);
    if (r->progress.wrong_thread) FAIL("%s %s: progress called on another thread %d time(s)", when, what,
                                       r->progress.wrong_thread);
    if (r->progress.bad_fraction) FAIL("%s %s: progress fraction outside 0..1 or NULL stage", when, what);
    if (r->progress.asked) {
        if (r->status != RESTORE_ERROR_CANCELLED) {
            FAIL("%s %s: the callback cancelled at call %d but the call returned %d (%s)", when, what,
                 r->progress.calls, r->status, restore_status_string(r->status));
        } else if (!untouched(r)) {
            FAIL("%s %s: cancelled, but the destination was written", when, what);
        } else if (r->message[0] == '\0') {
            FAIL("%s %s: cancelled with no message", when, what);
        }
        if (r->cancel_latency > max_cancel_latency) max_cancel_latency = r->cancel_latency;
        if (r->cancel_latency > cancel_limit) {
            FAIL("%s %s: the cancel took %.2f s to return (limit %.1f s)", when, what, r->cancel_latency,
                 cancel_limit);
        }
        cancelled_calls++;
        return;
    }
    if (j->cancel_at) finished_cancel_jobs++;
    if (r->status == RESTORE_ERROR_CANCELLED) {
        FAIL("%s %s: RESTORE_ERROR_CANCELLED although the callback never asked", when, what);
        return;
    }
    if (r->status != ref->status) {
        FAIL("%s %s: status %d (%s: %s), the serial run gave %d (%s: %s)", when, what, r->status,
             restore_status_string(r->status), r->message, ref->status, restore_status_string(ref->status),
             ref->message);
        return;
    }
    compared_calls++;
    if (r->status != RESTORE_OK) {
        error_calls++;
        if (!untouched(r)) FAIL("%s %s: failed with %d, but the destination was written", when, what, r->status);
        if (!same_text(r->message, ref->message)) {
            FAIL("%s %s: message \"%s\", the serial run's \"%s\"", when, what, r->message, ref->message);
        }
        return;
    }
    if (j->kind == KIND_ANALYZE) {
        if (!same_text(r->analysis_prompt, ref->analysis_prompt)) {
            FAIL("%s %s: analysed prompt \"%s\", the serial run's \"%s\"", when, what, r->analysis_prompt,
                 ref->analysis_prompt);
        }
        if (!same_text(r->analysis_report, ref->analysis_report)) {
            FAIL("%s %s: the analysis report differs from the serial run's:\n  %s\n  %s", when, what,
                 r->analysis_report, ref->analysis_report);
        }
        return;
    }
    if (r->dst_bytes != ref->dst_bytes || memcmp(r->dst, ref->dst, r->dst_bytes) != 0) {
        size_t first = 0;
        while (first < r->dst_bytes && first < ref->dst_bytes && r->dst[first] == ref->dst[first]) first++;
        FAIL("%s %s: the pixels differ from the serial run's (first differing byte %zu of %zu)", when, what, first,
             r->dst_bytes);
    }
    if (!same_text(r->last_prompt, ref->last_prompt) || !same_text(r->restorers, ref->restorers)) {
        FAIL("%s %s: last prompt/restorers \"%s\" / \"%s\", the serial run's \"%s\" / \"%s\"", when, what,
             r->last_prompt, r->restorers, ref->last_prompt, ref->restorers);
    }
}

/* ----------------------------------------------------------- the list -- */

static const char *const prompts[] = {
    "Denoise with sigma 0.05",
    "Deblur with sigma 1.5",
    "Dejpeg with quality 40",
    "Upsample to 2",
    "Deblur with sigma 1.5, Denoise with sigma 0.04, Dejpeg with quality 40",
    "Denoise with sigma 0.03, Upsample to 2",
    "Dejpeg with quality 60, Upsample to 3",
    "",        /* analysed inside a whole-image call; NEEDS_ANALYSIS for a region */
    "Denoise", /* a bare clause: the same */
};
#define PROMPT_COUNT ((int)(sizeof prompts / sizeof prompts[0]))

static const char *const analysis_prompts[] = {"", "Denoise", "Deblur, Denoise with sigma 0.02",
                                               "Remove all degradation", "Dejpeg with quality 40"};

static char model_names[MAX_MODELS][32];
static int model_count;
/* CONCURRENCY_LEARNED=few: fewer and smaller learned jobs, no blind restoration. */
static int few_learned;

static int add_job(kind k, int img, const char *prompt, const char *model, int threads, int use_progress) {
    if (job_count >= MAX_JOBS) return -1;
    job *j = &jobs[job_count];
    memset(j, 0, sizeof *j);
    j->kind = k;
    j->image = img;
    j->prompt = prompt;
    j->model = model;
    j->threads = threads;
    j->use_progress = use_progress;
    j->reference = job_count;
    return job_count++;
}

/* The learned backends installed for a context: the names after "available:"
   in the message an unknown model name gives, less "auto" and "classic". */
static void find_models(restore_context *ctx) {
    restore_params p;
    restore_params_init(&p);
    p.restoration_prompt = "Denoise with sigma 0.05";
    p.model = "no-such-model";
    float pixel[4 * 4] = {0};
    float out[4 * 4];
    restore_status s = restore_rgba_f32(ctx, &p, pixel, 2, 2, 2 * 4 * sizeof(float), out, 2 * 4 * sizeof(float));
    const char *list = strstr(restore_last_error(ctx), "available: ");
    if (s != RESTORE_ERROR_MODEL || list == NULL) {
        FAIL("an unknown model gave %d (%s), not RESTORE_ERROR_MODEL with the available models", s,
             restore_last_error(ctx));
        return;
    }
    list += strlen("available: ");
    while (*list && model_count < MAX_MODELS) {
        size_t n = strcspn(list, ", ");
        if (n > 0 && n < sizeof model_names[0]) {
            char name[32];
            memcpy(name, list, n);
            name[n] = '\0';
            if (strcmp(name, "auto") != 0 && strcmp(name, "classic") != 0) strcpy(model_names[model_count++], name);
        }
        list += n;
        list += strspn(list, ", ");
    }
}

static void make_jobs(void) {
    const char *models[] = {"classic", "auto"};
    /* Whole images in floats and bytes, and a region, for every prompt. */
    for (int p = 0; p < PROMPT_COUNT; p++) {
        for (int k = KIND_F32; k <= KIND_REGION; k++) {
            add_job((kind)k, (p + k) % 4, prompts[p], models[(p + k) % 2], 1 + (p * 3 + k) % 2, (p + k) % 3 != 0);
        }
    }
    /* "Remove all degradation" at the same size is analysed under "auto" too (no Real-ESRGAN). */
    for (int a = 0; a < (int)(sizeof analysis_prompts / sizeof analysis_prompts[0]); a++) {
        add_job(KIND_ANALYZE, a % 4, analysis_prompts[a], models[a % 2], 1 + a % 2, 0);
    }
    /* Each learned backend on what it can do (the classic floor covers the rest). */
    for (int m = 0; m < model_count; m++) {
        if (few_learned) {
            add_job(KIND_F32, 0, "Denoise with sigma 0.05", model_names[m], 1 + m % 2, 1);
            add_job(KIND_U8, 0, "Upsample to 2", model_names[m], 2 - m % 2, 1);
            continue;
        }
        add_job(KIND_F32, m % 4, "Denoise with sigma 0.05", model_names[m], 1 + m % 2, 1);
        add_job(KIND_U8, (m + 1) % 4, "Upsample to 2", model_names[m], 2 - m % 2, 1);
        add_job(KIND_REGION, (m + 2) % 4, "Denoise with sigma 0.03, Upsample to 2", model_names[m], 1, 1);
        /* Blind restoration runs the largest networks: the smallest image. */
        add_job(KIND_F32, 0, "Remove all degradation", model_names[m], 2, 0);
    }
    /* Expected failures: an unknown model, a malformed prompt. */
    add_job(KIND_F32, 1, "Denoise with sigma 0.05", "no-such-model", 1, 0);
    add_job(KIND_U8, 2, "Denoise with sigma lots", "classic", 2, 1);
}

/* Regions: the middle of the output, and the input it needs. */
static void plan_regions(restore_context *ctx) {
    for (int i = 0; i < job_count; i++) {
        job *j = &jobs[i];
        if (j->kind != KIND_REGION) continue;
        const image *img = &images[j->image];
        restore_params p;
        restore_params_init(&p);
        p.restoration_prompt = j->prompt;
        p.model = j->model;
        int w = img->width, h = img->height;
        restore_output_size(&p, img->width, img->height, &w, &h);
        j->output = (restore_rect){w / 5, h / 4, w / 2, h / 2};
        if (restore_input_rect(ctx, &p, img->width, img->height, &j->output, &j->src_rect) != RESTORE_OK) {
            j->src_rect = (restore_rect){0, 0, img->width, img->height};
        }
    }
}

/* ----------------------------------------------------------- threads -- */

typedef struct round_state {
    const int *order;
    result *results; /* indexed like order */
    int next;
    pthread_mutex_t lock;
} round_state;

typedef struct worker {
    round_state *round;
    restore_context *ctx;
} worker;

static void *work(void *arg) {
    worker *w = arg;
    round_state *round = w->round;
    for (;;) {
        pthread_mutex_lock(&round->lock);
        int k = round->next < job_count ? round->next++ : -1;
        pthread_mutex_unlock(&round->lock);
        if (k < 0) break;
        const job *j = &jobs[round->order[k]];
        run_job(w->ctx, j, j->threads, &round->results[k]);
    }
    return NULL;
}

static int env_int(const char *name, int fallback) {
    const char *v = getenv(name);
    return v && *v ? atoi(v) : fallback;
}

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : env_int("CONCURRENCY_ROUNDS", 3);
    int thread_count = argc > 2 ? atoi(argv[2]) : env_int("CONCURRENCY_THREADS", 4);
    uint64_t seed = (uint64_t)env_int("CONCURRENCY_SEED", 20240611);
    int serial_checks = env_int("CONCURRENCY_SERIAL_CHECKS", 1);
    few_learned = getenv("CONCURRENCY_LEARNED") && strcmp(getenv("CONCURRENCY_LEARNED"), "few") == 0;
    int verbose = env_int("CONCURRENCY_VERBOSE", 0);
    if (getenv("CONCURRENCY_CANCEL_LIMIT")) cancel_limit = atof(getenv("CONCURRENCY_CANCEL_LIMIT"));
    if (rounds < 1 || thread_count < 1 || thread_count > 64) {
        fprintf(stderr, "usage: concurrency [ROUNDS >= 1 [THREADS 1..64]]\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    double start = now_seconds();

    make_image(&images[0], 40, 64, 0, seed + 1);
    make_image(&images[1], 88, 52, 3, seed + 2);
    make_image(&images[2], 120, 96, 0, seed + 3);
    make_image(&images[3], 64, 110, 5, seed + 4);

    restore_context *serial_ctx = restore_context_new(NULL);
    if (!serial_ctx) {
        fprintf(stderr, "concurrency: restore_context_new failed\n");
        return 1;
    }
    find_models(serial_ctx);
    make_jobs();
    plan_regions(serial_ctx);

    /* The serial reference, one context on this thread. */
    result refs[MAX_JOBS];
    int plain = job_count;
    for (int i = 0; i < plain; i++) {
        char what[512];
        describe(&jobs[i], i, what, sizeof what);
        double t0 = now_seconds();
        run_job(serial_ctx, &jobs[i], jobs[i].threads, &refs[i]);
        result *r = &refs[i];
        if (verbose) {
            printf("concurrency: serial %s: %s in %.3f s, %d progress calls\n", what,
                   restore_status_string(r->status), now_seconds() - t0, r->progress.calls);
        }
        if (r->status == RESTORE_ERROR_CANCELLED || r->progress.wrong_thread || r->progress.bad_fraction) {
            FAIL("serial %s: status %d, progress on another thread %d, bad fractions %d", what, r->status,
                 r->progress.wrong_thread, r->progress.bad_fraction);
        }
        if (r->status != RESTORE_OK && r->message[0] == '\0') FAIL("serial %s: failed with no message", what);
        if (r->status != RESTORE_OK && !untouched(r)) FAIL("serial %s: failed but wrote the destination", what);
    }
    /* Serially still: other thread counts give the same bytes. */
    int thread_checks = 0;
    for (int i = 0; i < plain && serial_checks; i++) {
        if (refs[i].status != RESTORE_OK) continue;
        for (int t = 1; t <= 2; t++) {
            if (t == jobs[i].threads) continue;
            result other;
            run_job(serial_ctx, &jobs[i], t, &other);
            char what[512];
            describe(&jobs[i], i, what, sizeof what);
            thread_checks++;
            if (other.status != RESTORE_OK || memcmp(other.dst, refs[i].dst, other.dst_bytes) != 0 ||
                !same_text(other.analysis_prompt, refs[i].analysis_prompt) ||
                !same_text(other.analysis_report, refs[i].analysis_report)) {
                FAIL("serial %s: with threads %d the result differs from threads %d (status %d)", what, t,
                     jobs[i].threads, other.status);
            }
            free_result(&other);
        }
    }
    /* Serially still: a region equals that rectangle of the whole restoration
       (restore.h), exactly for most restorers; Gaussian deconvolution frames
       each region with a finite halo, which the core's tile tests hold to 0.02
       (GaussianDeconvolutionTests.tilesMatchWhole): the same bound here. */
    int region_checks = 0, regions_exact = 0;
    double max_region_difference = 0;
    for (int i = 0; i < plain && serial_checks; i++) {
        const job *j = &jobs[i];
        if (j->kind != KIND_REGION || refs[i].status != RESTORE_OK) continue;
        job whole = *j;
        whole.kind = KIND_F32;
        whole.use_progress = 0;
        result w;
        run_job(serial_ctx, &whole, j->threads, &w);
        char what[512];
        describe(j, i, what, sizeof what);
        region_checks++;
        if (w.status != RESTORE_OK) {
            FAIL("serial %s: the whole image failed with %d (%s)", what, w.status, w.message);
        } else {
            int ow, oh;
            size_t wstride, rstride, bytes;
            destination(&whole, &ow, &oh, &wstride, &bytes);
            destination(j, &ow, &oh, &rstride, &bytes);
            double worst = 0;
            for (int y = 0; y < j->output.height; y++) {
                const float *a = (const float *)(refs[i].dst + (size_t)y * rstride);
                const float *b = (const float *)(w.dst + (size_t)(j->output.y + y) * wstride) + (size_t)j->output.x * 4;
                for (int x = 0; x < j->output.width * 4; x++) {
                    double d = fabs((double)a[x] - (double)b[x]);
                    if (!(d <= worst)) worst = d; /* NaN too */
                }
            }
            if (worst == 0) {
                regions_exact++;
            } else if (worst > max_region_difference) {
                max_region_difference = worst;
            }
            if (!(worst <= REGION_TOLERANCE)) {
                FAIL("serial %s: the region differs from that part of the whole image's restoration by up to %g "
                     "(tolerance %g)", what, worst, REGION_TOLERANCE);
            }
        }
        free_result(&w);
    }

    /* Cancelling twins of about half the jobs that report progress: cancel at
       a seeded call among those the serial run made. */
    uint64_t rng = seed;
    for (int i = 0; i < plain && job_count < MAX_JOBS; i++) {
        if (refs[i].status != RESTORE_OK || jobs[i].kind == KIND_ANALYZE || refs[i].progress.calls == 0) continue;
        if (splitmix(&rng) % 2 == 0) continue;
        job *twin = &jobs[job_count];
        *twin = jobs[i];
        twin->use_progress = 1;
        twin->cancel_at = 1 + (int)(splitmix(&rng) % (uint64_t)refs[i].progress.calls);
        twin->reference = i;
        job_count++;
    }
    double serial_seconds = now_seconds() - start;
    int progress_jobs = 0, cancel_jobs = job_count - plain;
    for (int i = 0; i < plain; i++) progress_jobs += jobs[i].use_progress;
    char learned[MAX_MODELS * 34] = "none";
    for (int m = 0; m < model_count; m++) {
        if (m == 0) learned[0] = '\0';
        strcat(learned, m ? ", " : "");
        strcat(learned, model_names[m]);
    }
    printf("concurrency: %d jobs (%d with progress, %d cancelling), learned models: %s; serial reference "
           "%.2f s (%d thread-count checks; %d regions against the whole image: %d exact, the others within %g)\n",
           job_count, progress_jobs, cancel_jobs, learned, serial_seconds, thread_checks, region_checks, regions_exact,
           max_region_difference);

    /* The rounds. */
    restore_context **contexts = calloc((size_t)thread_count, sizeof *contexts);
    for (int t = 0; t < thread_count; t++) contexts[t] = restore_context_new(NULL);
    int *order = malloc((size_t)job_count * sizeof *order);
    result *results = calloc((size_t)job_count, sizeof *results);
    pthread_t *threads = malloc((size_t)thread_count * sizeof *threads);
    worker *workers = malloc((size_t)thread_count * sizeof *workers);
    double concurrent_seconds = 0;
    for (int round = 0; round < rounds; round++) {
        for (int i = 0; i < job_count; i++) order[i] = i;
        for (int i = job_count - 1; i > 0; i--) {
            int k = (int)(splitmix(&rng) % (uint64_t)(i + 1));
            int t = order[i];
            order[i] = order[k];
            order[k] = t;
        }
        round_state state = {order, results, 0, PTHREAD_MUTEX_INITIALIZER};
        double t0 = now_seconds();
        for (int t = 0; t < thread_count; t++) {
            /* Contexts change threads from round to round. */
            workers[t] = (worker){&state, contexts[(t + round) % thread_count]};
            if (pthread_create(&threads[t], NULL, work, &workers[t]) != 0) {
                fprintf(stderr, "concurrency: pthread_create failed\n");
                return 1;
            }
        }
        for (int t = 0; t < thread_count; t++) pthread_join(threads[t], NULL);
        double seconds = now_seconds() - t0;
        concurrent_seconds += seconds;
        char when[32];
        snprintf(when, sizeof when, "round %d:", round + 1);
        for (int k = 0; k < job_count; k++) {
            int i = order[k];
            check(&jobs[i], i, &results[k], &refs[jobs[i].reference], when);
            free_result(&results[k]);
        }
        printf("concurrency: round %d: %d jobs on %d threads in %.2f s\n", round + 1, job_count, thread_count,
               seconds);
    }

    for (int t = 0; t < thread_count; t++) restore_context_free(contexts[t]);
    restore_context_free(serial_ctx);
    for (int i = 0; i < plain; i++) free_result(&refs[i]);
    for (int i = 0; i < 4; i++) free(images[i].f32), free(images[i].u8);
    free(order);
    free(results);
    free(threads);
    free(workers);

    printf("concurrency: %d jobs x %d rounds on %d threads: %d cancelled (max %.0f ms to return), %d cancelling "
           "jobs finished first, %d compared (%d expected errors), serial %.2f s, concurrent %.2f s, total %.2f s\n",
           job_count, rounds, thread_count, cancelled_calls, max_cancel_latency * 1000, finished_cancel_jobs,
           compared_calls, error_calls, serial_seconds, concurrent_seconds, now_seconds() - start);
    if (failures) {
        fprintf(stderr, "concurrency: FAILED: %d check(s) failed\n", failures);
        return 1;
    }
    printf("concurrency: passed\n");
    return 0;
}
