/*
 * A long run of random calls through the C ABI (issue "Hostile input at scale").
 *
 * Two contexts, reused for the whole run, take random restores
 * (restore_rgba_f32, restore_rgba_u8, restore_region_rgba_f32,
 * restore_analyze_rgba_f32) and the context-free calls around them
 * (restore_prompt_canonical, restore_output_size, restore_input_rect), with:
 *   - prompts: valid ones from a list, random combinations of clauses with
 *     random (also out-of-range) numbers, random text and bytes (invalid
 *     UTF-8 too), NULL, and texts over the 4096-byte limit;
 *   - sizes: 1..96 pixels a side, and invalid ones (0, negative, over 65535,
 *     over the 256-megapixel budget), for which only a small buffer is passed
 *     that ends at an inaccessible page: the library must refuse before it
 *     reads (or writes) a byte;
 *   - strides: exact, padded, too small, misaligned, overflowing;
 *   - models: "classic", "auto", each installed learned model, unknown names;
 *   - threads, tile size, strength, flags, params->size: valid and invalid;
 *   - pixels: in range, and hostile (NaN, infinities, huge, negative);
 *   - a progress callback that cancels at a random call.
 * Every buffer ends at an inaccessible page (reads or writes past its end
 * crash the run). Checks, on every call:
 *   - the status is one of the documented ones, and each failure leaves a
 *     non-empty restore_last_error (of the context, or of the thread);
 *   - a call with an argument the header rules out fails, with the status
 *     the header gives for it (too large: RESTORE_ERROR_IMAGE_TOO_LARGE or
 *     RESTORE_ERROR_INVALID_ARGUMENT; an unknown model: RESTORE_ERROR_MODEL);
 *   - a cancelled call returns RESTORE_ERROR_CANCELLED and a call the
 *     callback did not cancel never does; any failure leaves dst untouched;
 *   - a success writes only the rows' pixels (row padding untouched), leaves
 *     src as it was, and gives finite samples, in 0..1 for in-range input.
 * Memory: what a context keeps between calls depends on its last calls (each
 * network keeps the buffers of its last pass), so the resident set
 * (/proc/self/statm) is read after a probe: the same fixed restores with
 * every model on both contexts, which leave every network holding the same
 * buffers. The probe after the run against the one after the warm-up (the
 * first fifth): more than SOAK_MAX_GROWTH per cent (default 5) fails. A leak,
 * or a cache that grows with what the random calls asked, shows there.
 *
 * Usage: soak [SECONDS]; env SOAK_SECONDS (default 60), SOAK_SEED (default
 * from the clock; printed, so a failing run can be repeated),
 * SOAK_MAX_GROWTH, SOAK_CANCEL_LIMIT (seconds a cancel may take to return;
 * default 2), SOAK_CALL_LIMIT (seconds one call may take before the run is
 * stopped as hung, default 120), SOAK_HUGE_SAMPLES=0 (leave out finite
 * samples far outside 0..1, such as 1e30, from the hostile pixels),
 * SOAK_TRACE=1 (each restore call on stderr before it is made). A crash or
 * a hung call is reported with the call that caused it. Exit status 0 when every check passed, 1 otherwise.
 */
#define _GNU_SOURCE
#include <restore.h>

#include <limits.h>
#include <malloc.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define SENTINEL 0x5Au
#define STATUS_COUNT 10
#define MAX_MODELS 8

static long failures;
static uint64_t rng;

static double now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static uint64_t next(void) {
    uint64_t z = (rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static int below(int n) { return (int)(next() % (uint64_t)n); }
static double uniform(void) { return (double)(next() >> 11) * 0x1.0p-53; }
static int chance(double p) { return uniform() < p; }

/* What the call was, for messages. */
static char call_text[1024];

/* Failures by kind (their format string): the first three of each kind are
   printed, the counts at the end. */
static struct {
    const char *kind;
    long count;
} failure_kinds[64];

static int first_of_kind(const char *kind) {
    for (int i = 0; i < 64; i++) {
        if (failure_kinds[i].kind == NULL) failure_kinds[i].kind = kind;
        if (failure_kinds[i].kind == kind) return ++failure_kinds[i].count <= 3;
    }
    return 0;
}

static void FAIL(const char *format, ...) __attribute__((format(printf, 1, 2)));
static void FAIL(const char *format, ...) {
    failures++;
    if (!first_of_kind(format)) return;
    va_list args;
    va_start(args, format);
    fprintf(stderr, "soak: FAIL: ");
    vfprintf(stderr, format, args);
    va_end(args);
    fprintf(stderr, "\n  in %s\n", call_text);
}

/* ---------------------------------------------------- guarded memory -- */

/* `size` bytes ending at an inaccessible page (the start is 16-byte
   aligned when size is a multiple of 16, else as size allows). */
typedef struct guarded {
    unsigned char *data;
    size_t size;
    void *map;
    size_t map_size;
} guarded;

static size_t page;

static guarded guarded_alloc(size_t size) {
    guarded g;
    size_t pages = (size + page - 1) / page;
    g.map_size = (pages + 1) * page;
    g.map = mmap(NULL, g.map_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (g.map == MAP_FAILED) {
        perror("soak: mmap");
        exit(2);
    }
    unsigned char *end = (unsigned char *)g.map + pages * page;
    mprotect(end, page, PROT_NONE);
    g.data = end - size;
    g.size = size;
    return g;
}

static void guarded_free(guarded *g) {
    if (g->map) munmap(g->map, g->map_size);
    memset(g, 0, sizeof *g);
}

static int all_sentinel(const unsigned char *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (p[i] != SENTINEL) return 0;
    }
    return 1;
}

/* ----------------------------------------------------------- memory -- */

/* The resident set, after handing the allocator's free memory back to the
   system (malloc_trim): what stays is what the process keeps, not the
   free lists of glibc's per-thread arenas, which grow in steps as the
   library's worker threads take turns and would swamp a 5 % limit on a
   20 MiB process. */
static double rss_mib(void) {
#ifdef __GLIBC__
    malloc_trim(0);
#endif
    FILE *f = fopen("/proc/self/statm", "r");
    long size = 0, resident = 0;
    if (f) {
        if (fscanf(f, "%ld %ld", &size, &resident) != 2) resident = 0;
        fclose(f);
    }
    return (double)resident * (double)page / (1024.0 * 1024.0);
}

/* Bytes malloc has handed out and not had back (glibc): tells a leak from
   a fragmented heap, which the resident set alone cannot. */
static double heap_mib(void) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
    struct mallinfo2 m = mallinfo2();
    return (double)(m.uordblks + m.hblkhd) / (1024.0 * 1024.0);
#else
    return 0;
#endif
}

/* ---------------------------------------------------------- prompts -- */

static const char *const valid_prompts[] = {
    "Denoise with sigma 0.05",
    "Deblur with sigma 1.5",
    "Dejpeg with quality 40",
    "Upsample to 2",
    "Deblur with sigma 1.5, Denoise with sigma 0.04, Dejpeg with quality 40",
    "Denoise with sigma 0.03, Upsample to 2",
    "Dejpeg with quality 70, Upsample to 3",
    "Deblur with sigma 0.8, Upsample to 2",
    "denoise 0.1",
    "Denoise with sigma 0.02 and dejpeg with quality 85",
};
#define VALID_PROMPTS ((int)(sizeof valid_prompts / sizeof valid_prompts[0]))

/* Prompts that ask for estimates: fine for whole images and analysis,
   RESTORE_ERROR_NEEDS_ANALYSIS for regions. */
static const char *const estimated_prompts[] = {"", "Denoise", "Deblur", "Dejpeg", "Remove all degradation",
                                                "Deblur, Denoise with sigma 0.02"};
#define ESTIMATED_PROMPTS ((int)(sizeof estimated_prompts / sizeof estimated_prompts[0]))

static const char *const clause_words[] = {"Denoise with sigma", "Deblur with sigma", "Dejpeg with quality",
                                           "Upsample to", "Denoise", "Deblur", "Dejpeg", "Remove all degradation",
                                           "denoise", "upscale", "sharpen", "with sigma", ",", "and", "Upsample"};
static const char *const numbers[] = {"0",   "0.05", "1.5",  "-1",   "1e308", "nan", "inf", "40",  "101",
                                      "2",   "3",    "4",    "8",    "0.5",   "1.0", "007", "1e-9", "99999999999",
                                      "2x",  "×2",   "0,5",  ".",    "--1",   "",    "1.5.5"};

/* Writes a hostile prompt into buf (size >= 6000); returns it. */
static const char *hostile_prompt(char *buf) {
    size_t n = 0;
    switch (below(5)) {
    case 0: /* clauses and numbers in random order */
        for (int k = 1 + below(5); k > 0; k--) {
            n += (size_t)snprintf(buf + n, 6000 - n, "%s%s %s", n ? (chance(0.5) ? ", " : " ") : "",
                                  clause_words[below((int)(sizeof clause_words / sizeof clause_words[0]))],
                                  numbers[below((int)(sizeof numbers / sizeof numbers[0]))]);
        }
        return buf;
    case 1: /* printable ASCII */
        for (int k = below(80); k > 0; k--) buf[n++] = (char)(32 + below(95));
        break;
    case 2: /* any bytes but NUL: invalid UTF-8 too */
        for (int k = below(80); k > 0; k--) buf[n++] = (char)(1 + below(255));
        break;
    case 3: /* over the limit, or just at it */
        n = chance(0.5) ? 4097 + (size_t)below(1000) : 4096;
        memset(buf, 'a', n);
        memcpy(buf, "Denoise with sigma 0.05 ", 24);
        break;
    default: /* a valid prompt with a byte changed */
        n = (size_t)snprintf(buf, 6000, "%s", valid_prompts[below(VALID_PROMPTS)]);
        if (n) buf[below((int)n)] = (char)(1 + below(255));
        break;
    }
    buf[n] = '\0';
    return buf;
}

/* -------------------------------------------------------------- run -- */

static const char *const status_names[STATUS_COUNT] = {
    "ok", "invalid argument", "invalid prompt", "too large", "out of memory",
    "cancelled", "model", "unsupported", "internal", "needs analysis"};

static long status_counts[STATUS_COUNT + 1];
static long calls, restores, cancelled_calls, checked_successes;
static double max_cancel_latency, cancel_limit = 2.0, max_call_seconds;

static char model_names[MAX_MODELS][32];
static int model_count;
static int trace, huge_samples = 1;
static unsigned call_limit = 120;
static uint64_t seed;

/* A crash or a hung call: say which call, then die. Only write(2) and
   async-signal-safe calls here; call_text is complete between calls. */
static void say(const char *text) {
    ssize_t ignored = write(2, text, strlen(text));
    (void)ignored;
}

static void on_fatal_signal(int sig) {
    char number[32];
    snprintf(number, sizeof number, "%d", sig);
    say(sig == SIGALRM ? "soak: FAIL: a call did not return within SOAK_CALL_LIMIT seconds\n"
                       : "soak: FAIL: the process received signal ");
    if (sig != SIGALRM) {
        say(number);
        say(" (a crash in the library)\n");
    }
    say("  in ");
    say(call_text);
    say("\nsoak: FAILED (repeat with SOAK_SEED set as printed at the start, SOAK_TRACE=1 lists every call)\n");
    _exit(1);
}

typedef struct progress_state {
    int calls, cancel_at, asked;
    double asked_at;
} progress_state;

static int on_progress(float fraction, const char *stage, void *user_data) {
    progress_state *state = user_data;
    if (!(fraction >= 0.0f && fraction <= 1.0f) || stage == NULL) {
        FAIL("progress fraction %g or stage %p out of range", (double)fraction, (const void *)stage);
    }
    state->calls++;
    if (state->cancel_at > 0 && state->calls >= state->cancel_at) {
        if (!state->asked) state->asked_at = now_seconds();
        state->asked = 1;
        return 1;
    }
    return 0;
}

/* Records a status; checks it is documented and that a failure has a message. */
static void record(restore_status s, const restore_context *ctx) {
    calls++;
    if ((int)s < 0 || (int)s >= STATUS_COUNT) {
        status_counts[STATUS_COUNT]++;
        FAIL("undocumented status %d", (int)s);
        return;
    }
    status_counts[s]++;
    if (s != RESTORE_OK) {
        const char *message = restore_last_error(ctx);
        if (message == NULL || message[0] == '\0') FAIL("status %d (%s) with no message", s, status_names[s]);
    }
}

static int find_models(restore_context *ctx) {
    restore_params p;
    restore_params_init(&p);
    p.restoration_prompt = "Denoise with sigma 0.05";
    p.model = "no-such-model";
    float pixel[16] = {0}, out[16];
    restore_status s = restore_rgba_f32(ctx, &p, pixel, 2, 2, 32, out, 32);
    const char *list = strstr(restore_last_error(ctx), "available: ");
    if (s != RESTORE_ERROR_MODEL || !list) return 0;
    list += strlen("available: ");
    while (*list && model_count < MAX_MODELS) {
        size_t n = strcspn(list, ", ");
        if (n > 0 && n < sizeof model_names[0]) {
            char name[32];
            memcpy(name, list, n);
            name[n] = '\0';
            if (strcmp(name, "auto") && strcmp(name, "classic")) strcpy(model_names[model_count++], name);
        }
        list += n;
        list += strspn(list, ", ");
    }
    return 1;
}

typedef enum op { OP_F32, OP_U8, OP_REGION, OP_ANALYZE, OP_CANONICAL, OP_OUTPUT_SIZE, OP_INPUT_RECT } op;
static const char *const op_names[] = {"restore_rgba_f32", "restore_rgba_u8", "restore_region_rgba_f32",
                                       "restore_analyze_rgba_f32", "restore_prompt_canonical",
                                       "restore_output_size", "restore_input_rect"};

/* One random call. */
static void one_call(restore_context *ctx) {
    static char prompt_buf[6000], other_buf[6000];
    int roll = below(100);
    op o = roll < 35 ? OP_F32 : roll < 55 ? OP_U8 : roll < 70 ? OP_REGION : roll < 80 ? OP_ANALYZE
         : roll < 90 ? OP_CANONICAL : roll < 95 ? OP_OUTPUT_SIZE : OP_INPUT_RECT;

    /* What makes the call invalid, as the header states it. */
    int bad_size = 0, bad_stride = 0, bad_params = 0, bad_model = 0, null_arg = 0;

    /* The prompt. */
    const char *prompt;
    int prompt_kind = below(100); /* < 55 valid, < 70 estimated, < 95 hostile, else NULL */
    if (prompt_kind < 55) {
        prompt = valid_prompts[below(VALID_PROMPTS)];
    } else if (prompt_kind < 70) {
        prompt = estimated_prompts[below(ESTIMATED_PROMPTS)];
    } else if (prompt_kind < 95) {
        prompt = hostile_prompt(prompt_buf);
    } else {
        prompt = NULL;
    }
    int prompt_stated = prompt_kind < 55;
    /* Readable, and plannable for a region: no INVALID_PROMPT or NEEDS_ANALYSIS before other checks. */
    int prompt_ok = o == OP_REGION || o == OP_INPUT_RECT ? prompt_stated : prompt_kind < 70 || prompt == NULL;

    if (o == OP_CANONICAL) {
        char *canonical = NULL;
        int offset = -1;
        snprintf(call_text, sizeof call_text, "restore_prompt_canonical(\"%.200s\")", prompt ? prompt : "(NULL)");
        restore_status s = restore_prompt_canonical(prompt, chance(0.8) ? &canonical : NULL, &offset);
        record(s, NULL);
        if (prompt == NULL && s != RESTORE_ERROR_INVALID_ARGUMENT) FAIL("a NULL prompt gave %d", s);
        if (prompt_stated && s != RESTORE_OK) FAIL("a valid prompt gave %d: %s", s, restore_last_error(NULL));
        if (s == RESTORE_ERROR_INVALID_PROMPT && (offset < 0 || offset > (int)strlen(prompt))) {
            FAIL("error offset %d outside the prompt", offset);
        }
        restore_free(canonical);
        return;
    }

    restore_params p;
    restore_params_init(&p);
    p.restoration_prompt = prompt;
    /* The model. */
    int m = below(100);
    if (m < 40) {
        p.model = "classic";
    } else if (m < 65) {
        p.model = chance(0.5) ? "auto" : NULL;
    } else if (m < 90 && model_count > 0) {
        p.model = model_names[below(model_count)];
    } else if (m < 95) {
        p.model = chance(0.5) ? "CLASSIC" : "Auto";
    } else {
        static const char *const unknown[] = {"no-such-model", "classic ", "ffdnet2", "../classic", "\xff\xfe"};
        p.model = unknown[below(5)];
        bad_model = 1;
    }
    p.threads = chance(0.5) ? 1 : 2;
    if (chance(0.05)) p.threads = 0;
    if (chance(0.1)) p.tile_size = chance(0.5) ? 64 : 100;
    if (chance(0.2)) p.strength = (float)uniform();
    if (chance(0.1)) p.flags = RESTORE_FLAG_LINEAR;
    int uncertain = 0; /* random text in a prompt field besides the restoration prompt */
    if (chance(0.05)) {
        p.semantic_prompt = hostile_prompt(other_buf);
        if (strlen(p.semantic_prompt) > 4096) bad_params = 1;
        uncertain = 1;
    }
    if (chance(0.04)) {
        switch (below(7)) {
        case 0: p.threads = chance(0.5) ? -1 : 257; break;
        case 1: p.tile_size = chance(0.5) ? -5 : 9000; break;
        case 2: p.strength = chance(0.5) ? 1.5f : NAN; break;
        case 3: p.flags = 0x10; break;
        case 4: p.size = chance(0.5) ? 8 : 0; break;
        case 5: p.steps = 0; break;
        default: p.guidance = -1; break;
        }
        bad_params = 1;
    } else if (chance(0.02)) {
        p.size += 64; /* a later version's larger struct: accepted */
    }
    if (prompt && strlen(prompt) > 4096) bad_params = 1;

    /* Sizes. */
    int width = 1 + below(96), height = 1 + below(96);
    if (chance(0.08)) {
        switch (below(6)) {
        case 0: width = 0; break;
        case 1: height = chance(0.5) ? -1 : INT_MIN; break;
        case 2: width = 65536 + below(100000); height = 1 + below(4); break;
        case 3: width = 1 + below(4); height = INT_MAX; break;
        case 4: width = 20000, height = 20000; break; /* 400 MP: over the pixel budget */
        default: width = 65535, height = 65535; break;
        }
        bad_size = 1;
    }
    int sample = o == OP_U8 ? 1 : (int)sizeof(float);
    size_t row = bad_size ? 64 : (size_t)width * 4 * (size_t)sample;
    size_t stride = row;
    if (!bad_size) {
        int s = below(100);
        if (s < 25) {
            stride = row + (size_t)(sample * (1 + below(8)));
        } else if (s < 30) {
            stride = row - (size_t)sample; /* one sample short */
            bad_stride = 1;
        } else if (s < 32 && sample > 1) {
            stride = row + 2; /* misaligned */
            bad_stride = 1;
        } else if (s < 34 && height >= 2) {
            /* Negative as a signed size, or (height - 1) * stride + row overflows. */
            static const size_t huge[] = {SIZE_MAX, SIZE_MAX / 2 + 1, SIZE_MAX / 2};
            stride = huge[below(3)];
            bad_stride = 1;
        }
    }
    if (o == OP_INPUT_RECT || o == OP_OUTPUT_SIZE) bad_stride = 0, stride = row; /* no stride */
    int invalid = bad_size || bad_stride || bad_params || bad_model;
    int reject = bad_size || bad_stride || bad_params; /* must fail before touching memory */

    /* The source: real pixels, or 256 bytes for a call that must be refused. */
    guarded src = {0}, copy = {0};
    int hostile_pixels = 0, src_dummy = reject;
    double largest = 1; /* the largest finite |sample| */
    if (reject) {
        src = guarded_alloc(256);
        memset(src.data, SENTINEL, src.size);
    } else {
        src = guarded_alloc(stride * (size_t)(height - 1) + row);
        hostile_pixels = chance(0.1);
        double fx = 1 + below(10), fy = 1 + below(10), noise = uniform() * 0.1;
        for (int y = 0; y < height; y++) {
            unsigned char *r = src.data + (size_t)y * stride;
            for (int x = 0; x < width; x++) {
                for (int c = 0; c < 4; c++) {
                    double v = 0.5 + 0.4 * sin(fx * x / width + fy * y / height + c) + noise * (uniform() - 0.5);
                    v = c == 3 ? 0.2 + 0.8 * uniform() : v < 0 ? 0 : v > 1 ? 1 : v;
                    if (hostile_pixels && chance(0.02)) {
                        /* Non-finite samples become 0 (the header); finite ones far out of range too
                           unless SOAK_HUGE_SAMPLES=0. */
                        static const float odd[] = {NAN, INFINITY, -INFINITY, -7.0f, 3.5f, 1e-42f, 1e3f,
                                                    -250.0f, 1e30f, -3e38f, 1e12f};
                        v = odd[below(huge_samples ? 11 : 8)];
                        if (isfinite(v) && fabs(v) > largest) largest = fabs(v);
                    }
                    if (sample == 1) {
                        r[x * 4 + c] = (unsigned char)lrint((v != v || v < 0) ? 0 : v > 1 ? 255 : v * 255);
                    } else {
                        ((float *)r)[x * 4 + c] = (float)v;
                    }
                }
            }
            if (y + 1 < height) memset(r + row, 0xFF, stride - row); /* padding: NaN as floats */
        }
        if (sample == 1) hostile_pixels = 0;
        copy = guarded_alloc(src.size);
        memcpy(copy.data, src.data, src.size);
    }

    int out_w = width, out_h = height;
    restore_status size_status = restore_output_size(&p, bad_size ? 10 : width, bad_size ? 10 : height, &out_w,
                                                     &out_h);
    if (bad_size || size_status != RESTORE_OK) out_w = width, out_h = height;

    snprintf(call_text, sizeof call_text,
             "%s: %d x %d, stride %zu (row %zu), prompt \"%.120s\", model %s, threads %d, tile %d, strength %g, "
             "flags %u, size %zu%s",
             op_names[o], width, height, stride, row, prompt ? prompt : "(NULL)", p.model ? p.model : "(NULL)",
             p.threads, p.tile_size, (double)p.strength, p.flags, p.size, hostile_pixels ? ", hostile pixels" : "");
    if (hostile_pixels) {
        size_t n = strlen(call_text);
        snprintf(call_text + n, sizeof call_text - n, " (NaN, infinities, largest finite |sample| %g)", largest);
    }

    if (o == OP_OUTPUT_SIZE) {
        int ow = -7, oh = -7;
        restore_status s = restore_output_size(&p, width, height, &ow, &oh);
        record(s, NULL);
        if (s == RESTORE_OK && (bad_size || bad_params)) FAIL("restore_output_size accepted it: %d x %d", ow, oh);
        if (s == RESTORE_OK && (ow < 1 || oh < 1 || ow > 65535 || oh > 65535)) FAIL("output size %d x %d", ow, oh);
        if (bad_size && !bad_params && s != RESTORE_ERROR_IMAGE_TOO_LARGE && s != RESTORE_ERROR_INVALID_ARGUMENT &&
            s != RESTORE_ERROR_INVALID_PROMPT) {
            FAIL("restore_output_size gave %d for an invalid size", s);
        }
        guarded_free(&src);
        guarded_free(&copy);
        return;
    }

    /* The destination: the output size at a padded stride, or 256 bytes. */
    int dst_ok = !reject && size_status == RESTORE_OK;
    size_t dst_row = (size_t)(o == OP_REGION ? 0 : out_w) * 4 * (size_t)sample, dst_stride = 0;
    restore_rect region = {0, 0, 0, 0}, src_rect = {0, 0, width, height}, needed;
    if (o == OP_REGION || o == OP_INPUT_RECT) {
        int rw = dst_ok ? out_w : 10, rh = dst_ok ? out_h : 10;
        region.x = below(rw);
        region.y = below(rh);
        region.width = 1 + below(rw - region.x);
        region.height = 1 + below(rh - region.y);
        if (chance(0.05)) {
            region.width = chance(0.5) ? 0 : -3; /* empty */
            bad_params = reject = invalid = 1;
            dst_ok = 0;
        }
        dst_row = region.width > 0 ? (size_t)region.width * 4 * sizeof(float) : 0;
    }
    if (o == OP_ANALYZE) dst_ok = 0;
    restore_progress_fn progress = NULL;
    progress_state state = {0, 0, 0, 0};
    if (o != OP_ANALYZE && chance(0.5)) {
        progress = on_progress;
        p.progress = progress;
        p.progress_user_data = &state;
        if (chance(0.5)) state.cancel_at = 1 + below(8);
    }

    if (o == OP_INPUT_RECT) {
        needed = (restore_rect){-1, -1, -1, -1};
        restore_status s = restore_input_rect(ctx, &p, width, height, &region, &needed);
        record(s, ctx);
        if (s == RESTORE_OK && (reject || bad_model)) FAIL("restore_input_rect accepted it");
        if (s == RESTORE_OK && (needed.x < 0 || needed.y < 0 || needed.width < 1 || needed.height < 1 ||
                                needed.x + needed.width > width || needed.y + needed.height > height)) {
            FAIL("restore_input_rect gave %d,%d %d x %d", needed.x, needed.y, needed.width, needed.height);
        }
        guarded_free(&src);
        guarded_free(&copy);
        return;
    }

    guarded dst;
    if (dst_ok && dst_row > 0) {
        int rows = o == OP_REGION ? region.height : out_h;
        dst_stride = dst_row + (chance(0.3) ? (size_t)(sample * (1 + below(4))) : 0);
        dst = guarded_alloc(dst_stride * (size_t)(rows - 1) + dst_row);
    } else {
        dst_stride = dst_row ? dst_row : 64;
        dst = guarded_alloc(256);
    }
    memset(dst.data, SENTINEL, dst.size);

    if (o == OP_REGION && !reject) {
        /* The input the region needs, or sometimes too little (INVALID_ARGUMENT). */
        if (restore_input_rect(ctx, &p, width, height, &region, &needed) == RESTORE_OK) {
            src_rect = needed;
            if (chance(0.05) && needed.width > 1) {
                src_rect.width--;
                bad_params = invalid = 1;
            }
        }
    }

    /* Sometimes a NULL where a pointer is required. */
    const void *src_ptr = src.data;
    void *dst_ptr = dst.data;
    restore_params *pp = &p;
    if (chance(0.01)) {
        switch (below(o == OP_ANALYZE ? 2 : 3)) { /* analysis has no dst */
        case 0: src_ptr = NULL; break;
        case 1: pp = NULL; break;
        default: dst_ptr = NULL; break;
        }
        null_arg = invalid = 1;
    }

    if (trace) fprintf(stderr, "soak: call %ld: %s\n", calls, call_text);
    alarm(call_limit);
    double t0 = now_seconds();
    restore_status s = RESTORE_OK;
    char *analysed = NULL, *report = NULL;
    switch (o) {
    case OP_F32:
        s = restore_rgba_f32(ctx, pp, src_ptr, width, height, stride, dst_ptr, dst_stride);
        break;
    case OP_U8:
        s = restore_rgba_u8(ctx, pp, src_ptr, width, height, stride, dst_ptr, dst_stride);
        break;
    case OP_REGION: {
        const float *origin = src_ptr && !reject ? (const float *)((const unsigned char *)src_ptr +
                                                                   (size_t)src_rect.y * stride) +
                                                       (size_t)src_rect.x * 4
                                                 : src_ptr;
        s = restore_region_rgba_f32(ctx, pp, width, height, origin, &src_rect, stride, &region, dst_ptr, dst_stride);
        break;
    }
    default:
        s = restore_analyze_rgba_f32(ctx, pp, src_ptr, width, height, stride, &analysed, chance(0.5) ? &report : NULL);
        break;
    }
    double seconds = now_seconds() - t0;
    alarm(0);
    if (seconds > max_call_seconds) max_call_seconds = seconds;
    restores++;
    record(s, ctx);

    /* What the header promises. */
    if (state.asked) {
        double latency = now_seconds() - state.asked_at;
        if (latency > max_cancel_latency) max_cancel_latency = latency;
        if (latency > cancel_limit) FAIL("the cancel took %.2f s to return", latency);
        if (s != RESTORE_ERROR_CANCELLED) FAIL("the callback cancelled, the call returned %d", s);
        cancelled_calls++;
    } else if (s == RESTORE_ERROR_CANCELLED) {
        FAIL("RESTORE_ERROR_CANCELLED although the callback never asked");
    }
    if (invalid && s == RESTORE_OK) FAIL("an invalid call succeeded");
    if (bad_size && prompt_ok && !uncertain && !bad_params && !null_arg && s != RESTORE_ERROR_IMAGE_TOO_LARGE &&
        s != RESTORE_ERROR_INVALID_ARGUMENT) {
        FAIL("an invalid size gave %d (%s), not RESTORE_ERROR_IMAGE_TOO_LARGE or INVALID_ARGUMENT: %s", s,
             status_names[s < STATUS_COUNT ? s : 0], restore_last_error(ctx));
    }
    if ((bad_stride || null_arg) && prompt_ok && !uncertain && !bad_size && !bad_params && !bad_model &&
        s != RESTORE_ERROR_INVALID_ARGUMENT) {
        FAIL("a bad stride or NULL gave %d, not RESTORE_ERROR_INVALID_ARGUMENT: %s", s, restore_last_error(ctx));
    }
    if (bad_model && !reject && !null_arg && !uncertain && prompt_stated && s != RESTORE_ERROR_MODEL &&
        !state.asked) {
        FAIL("an unknown model gave %d, not RESTORE_ERROR_MODEL: %s", s, restore_last_error(ctx));
    }
    if (!invalid && !uncertain && prompt_stated && s != RESTORE_OK &&
        s != RESTORE_ERROR_CANCELLED && s != RESTORE_ERROR_UNSUPPORTED) {
        FAIL("a valid call failed with %d: %s", s, restore_last_error(ctx));
    }
    if (s != RESTORE_OK && !all_sentinel(dst.data, dst.size)) FAIL("failed with %d but wrote dst", s);
    if (src.size && copy.size && memcmp(src.data, copy.data, src.size) != 0) FAIL("the call changed src");
    if (src_dummy && !all_sentinel(src.data, src.size)) FAIL("a refused call changed its dummy src");

    if (s == RESTORE_OK && o == OP_ANALYZE) {
        if (!analysed) FAIL("analysis gave no prompt");
        else if (restore_prompt_canonical(analysed, NULL, NULL) != RESTORE_OK) {
            FAIL("the analysed prompt \"%s\" does not parse", analysed);
        }
        checked_successes++;
    } else if (s == RESTORE_OK && dst_ok) {
        int rows = o == OP_REGION ? region.height : out_h;
        size_t samples = dst_row / (size_t)sample;
        for (int y = 0; y < rows; y++) {
            const unsigned char *r = dst.data + (size_t)y * dst_stride;
            if (y + 1 < rows && !all_sentinel(r + dst_row, dst_stride - dst_row)) {
                FAIL("row %d's padding was written", y);
                break;
            }
            if (sample == 1) continue;
            int bad = 0;
            for (size_t i = 0; i < samples && !bad; i++) {
                float v = ((const float *)r)[i];
                if (!isfinite(v) || (!hostile_pixels && !(p.flags & RESTORE_FLAG_LINEAR) && (v < 0 || v > 1))) {
                    FAIL("sample %zu of row %d is %g", i, y, (double)v);
                    bad = 1;
                }
            }
            if (bad) break;
        }
        checked_successes++;
    }
    restore_free(analysed);
    restore_free(report);
    guarded_free(&src);
    guarded_free(&copy);
    guarded_free(&dst);
}

/* The probe: on both contexts, with "classic" and each learned model, the same
   restores of one 64 x 48 image, one per network variant the random calls can
   reach (scales 2 to 4, JPEG, blind; a model refuses what it does not cover).
   Returns the resident set after it. */
static double probe(restore_context *const *contexts) {
    enum { W = 64, H = 48 };
    static float src[W * H * 4], dst[4 * W * 4 * H * 4];
    for (int i = 0; i < W * H * 4; i++) src[i] = (i % 4 == 3) ? 1.0f : (float)((i * 37) % 101) / 100.0f;
    static const char *const prompts[] = {
        "Denoise with sigma 0.05", "Dejpeg with quality 40", "Upsample to 2", "Upsample to 3", "Upsample to 4",
        "Deblur with sigma 1.5, Denoise with sigma 0.05, Upsample to 2", "Remove all degradation",
    };
    for (int c = 0; c < 2; c++) {
        for (int m = -1; m < model_count; m++) {
            for (size_t k = 0; k < sizeof prompts / sizeof prompts[0]; k++) {
                restore_params p;
                restore_params_init(&p);
                p.model = m < 0 ? "classic" : model_names[m];
                p.restoration_prompt = prompts[k];
                p.threads = 1;
                restore_rgba_f32(contexts[c], &p, src, W, H, W * 4 * sizeof(float), dst, 4 * W * 4 * sizeof(float));
            }
        }
    }
    return rss_mib();
}

int main(int argc, char **argv) {
    double duration = argc > 1 ? atof(argv[1]) : getenv("SOAK_SECONDS") ? atof(getenv("SOAK_SECONDS")) : 60;
    seed = getenv("SOAK_SEED") ? strtoull(getenv("SOAK_SEED"), NULL, 0) : (uint64_t)time(NULL);
    double max_growth = getenv("SOAK_MAX_GROWTH") ? atof(getenv("SOAK_MAX_GROWTH")) : 5.0;
    trace = getenv("SOAK_TRACE") && atoi(getenv("SOAK_TRACE"));
    if (getenv("SOAK_HUGE_SAMPLES")) huge_samples = atoi(getenv("SOAK_HUGE_SAMPLES"));
    if (getenv("SOAK_CALL_LIMIT")) call_limit = (unsigned)atoi(getenv("SOAK_CALL_LIMIT"));
    signal(SIGSEGV, on_fatal_signal);
    signal(SIGBUS, on_fatal_signal);
    signal(SIGILL, on_fatal_signal);
    signal(SIGFPE, on_fatal_signal);
    signal(SIGABRT, on_fatal_signal);
    signal(SIGTRAP, on_fatal_signal);
    signal(SIGALRM, on_fatal_signal);
    if (getenv("SOAK_CANCEL_LIMIT")) cancel_limit = atof(getenv("SOAK_CANCEL_LIMIT"));
    if (!(duration > 0)) {
        fprintf(stderr, "usage: soak [SECONDS > 0]\n");
        return 2;
    }
    page = (size_t)sysconf(_SC_PAGESIZE);
    rng = seed;
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("soak: %.0f s, seed %llu (SOAK_SEED=%llu repeats the sequence)\n", duration, (unsigned long long)seed,
           (unsigned long long)seed);

    restore_context *contexts[2] = {restore_context_new(NULL), restore_context_new(NULL)};
    if (!contexts[0] || !contexts[1]) {
        fprintf(stderr, "soak: restore_context_new failed\n");
        return 1;
    }
    if (!find_models(contexts[0])) {
        snprintf(call_text, sizeof call_text, "an unknown model");
        FAIL("an unknown model did not give RESTORE_ERROR_MODEL with the available models");
    }

    double start = now_seconds(), warm_end = start + duration * 0.2, end = start + duration;
    double rss_warm = -1, rss_max = 0, next_sample = start, heap_warm = 0, next_log = start;
    long warm_calls = 0;
    int rss_log = getenv("SOAK_RSS_LOG") && atoi(getenv("SOAK_RSS_LOG"));
    while (now_seconds() < end) {
        one_call(contexts[below(2)]);
        double t = now_seconds();
        if (rss_warm < 0 && t >= warm_end) {
            rss_warm = probe(contexts);
            heap_warm = heap_mib();
            warm_calls = restores;
        }
        if (t >= next_sample) {
            double rss = rss_mib();
            if (rss > rss_max) rss_max = rss;
            next_sample = t + 0.25;
        }
        if (rss_log && t >= next_log) {
            printf("soak: %5.0f s, %ld restores, RSS %.1f MiB, heap in use %.2f MiB\n", t - start, restores, rss_mib(),
                   heap_mib());
            next_log = t + duration / 20;
        }
    }
    if (rss_warm < 0) rss_warm = probe(contexts), heap_warm = heap_mib();
    double rss_now = probe(contexts);
    double heap_end = heap_mib();
    double elapsed = now_seconds() - start;
    restore_context_free(contexts[0]);
    restore_context_free(contexts[1]);
    double heap_freed = heap_mib(), rss_freed = rss_mib();

    double growth = (rss_now - rss_warm) / rss_warm * 100.0;
    printf("soak: statuses:");
    for (int i = 0; i < STATUS_COUNT; i++) {
        if (status_counts[i]) printf(" %s %ld,", status_names[i], status_counts[i]);
    }
    if (status_counts[STATUS_COUNT]) printf(" undocumented %ld,", status_counts[STATUS_COUNT]);
    printf(" of %ld calls\n", calls);
    printf("soak: %ld restores in %.0f s (%ld checked successes, %ld cancelled, max %.0f ms to return a cancel, "
           "slowest call %.2f s, learned models %d; heap in use %.2f MiB after the warm-up, %.2f MiB at the end, "
           "%.2f MiB and RSS %.1f MiB once the contexts were freed), "
           "RSS after the probe %.1f MiB at the warm-up (after %ld restores), %.1f MiB at the end (growth %.1f %%), "
           "highest sampled %.1f MiB\n",
           restores, elapsed, checked_successes, cancelled_calls, max_cancel_latency * 1000, max_call_seconds,
           model_count, heap_warm, heap_end, heap_freed, rss_freed, rss_warm, warm_calls, rss_now, growth, rss_max);
    if (growth > max_growth) {
        snprintf(call_text, sizeof call_text, "the whole run");
        FAIL("the resident set after the probe grew %.1f %% from the warm-up to the end (limit %.1f %%)", growth,
             max_growth);
    }
    if (failures) {
        for (int i = 0; i < 64 && failure_kinds[i].kind; i++) {
            fprintf(stderr, "soak: %ld x \"%s\"\n", failure_kinds[i].count, failure_kinds[i].kind);
        }
        fprintf(stderr, "soak: FAILED: %ld check(s) failed (seed %llu)\n", failures, (unsigned long long)seed);
        return 1;
    }
    printf("soak: passed\n");
    return 0;
}
