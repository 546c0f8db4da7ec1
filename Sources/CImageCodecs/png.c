#include "CImageCodecs.h"

#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads from memory; libpng errors land in `message` and longjmp back into the
   function that called the library. */
struct rk_png_reader {
    png_structp png;
    png_infop info;
    const uint8_t *data;
    size_t size;
    size_t offset;
    uint32_t height;
    size_t row_bytes;
    char message[RK_ERR_LEN];
};

static void copy_message(char *dst, const char *src) {
    snprintf(dst, RK_ERR_LEN, "%s", src ? src : "unknown error");
}

static void on_error(png_structp png, png_const_charp message) {
    char *dst = png_get_error_ptr(png);
    if (dst) copy_message(dst, message);
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp message) {
    (void)png;
    (void)message; /* benign (e.g. an unknown chunk's CRC); decoding goes on */
}

static void read_memory(png_structp png, png_bytep out, size_t count) {
    rk_png_reader *r = png_get_io_ptr(png);
    if (count > r->size - r->offset) {
        png_error(png, "file is truncated");
    }
    memcpy(out, r->data + r->offset, count);
    r->offset += count;
}

rk_png_reader *rk_png_open(const uint8_t *data, size_t size, rk_png_info *out,
                           char *err) {
    if (size < 8 || png_sig_cmp(data, 0, 8) != 0) {
        copy_message(err, "not a PNG file (bad signature)");
        return NULL;
    }
    rk_png_reader *r = calloc(1, sizeof *r);
    if (!r) {
        copy_message(err, "out of memory");
        return NULL;
    }
    r->data = data;
    r->size = size;
    r->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, r->message, on_error,
                                    on_warning);
    if (r->png) r->info = png_create_info_struct(r->png);
    if (!r->png || !r->info) {
        rk_png_close(r);
        copy_message(err, "out of memory");
        return NULL;
    }
    if (setjmp(png_jmpbuf(r->png))) {
        copy_message(err, r->message);
        rk_png_close(r);
        return NULL;
    }
    /* The caller enforces its own pixel budget; this is only libpng's ceiling. */
    png_set_user_limits(r->png, 0x7fffffff, 0x7fffffff);
    png_set_read_fn(r->png, r, read_memory);
    png_read_info(r->png, r->info);

    int color_type = png_get_color_type(r->png, r->info);
    int depth = png_get_bit_depth(r->png, r->info);
    out->color_type = color_type;
    out->source_bit_depth = depth;
    out->interlaced = png_get_interlace_type(r->png, r->info) != PNG_INTERLACE_NONE;
    out->has_trns = png_get_valid(r->png, r->info, PNG_INFO_tRNS) != 0;

    if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(r->png);
    if (color_type == PNG_COLOR_TYPE_GRAY && depth < 8)
        png_set_expand_gray_1_2_4_to_8(r->png);
    if (out->has_trns) png_set_tRNS_to_alpha(r->png);
    if (depth == 16) png_set_swap(r->png); /* PNG is big-endian; hand out host order */
    png_set_interlace_handling(r->png);
    png_read_update_info(r->png, r->info);

    out->width = png_get_image_width(r->png, r->info);
    out->height = png_get_image_height(r->png, r->info);
    out->channels = png_get_channels(r->png, r->info);
    out->bit_depth = png_get_bit_depth(r->png, r->info);
    r->height = out->height;
    r->row_bytes = png_get_rowbytes(r->png, r->info);
    if (out->bit_depth != 8 && out->bit_depth != 16) {
        copy_message(err, "unsupported PNG bit depth after expansion");
        rk_png_close(r);
        return NULL;
    }
    return r;
}

int rk_png_read(rk_png_reader *r, void *pixels, char *err) {
    png_bytep *rows = malloc(sizeof(png_bytep) * (r->height ? r->height : 1));
    if (!rows) {
        copy_message(err, "out of memory");
        return 1;
    }
    for (uint32_t y = 0; y < r->height; y++) rows[y] = (png_bytep)pixels + (size_t)y * r->row_bytes;
    if (setjmp(png_jmpbuf(r->png))) {
        free(rows);
        copy_message(err, r->message);
        return 1;
    }
    png_read_image(r->png, rows);
    png_read_end(r->png, NULL);
    free(rows);
    return 0;
}

const uint8_t *rk_png_icc_profile(rk_png_reader *r, size_t *size) {
    png_charp name;
    int compression;
    png_bytep profile;
    png_uint_32 length;
    if (png_get_iCCP(r->png, r->info, &name, &compression, &profile, &length) != PNG_INFO_iCCP)
        return NULL;
    *size = length;
    return profile;
}

void rk_png_close(rk_png_reader *r) {
    if (!r) return;
    if (r->png) png_destroy_read_struct(&r->png, r->info ? &r->info : NULL, NULL);
    free(r);
}

/* ------------------------------------------------------------ writing -- */

typedef struct writer_state {
    rk_buffer *out;
    size_t capacity;
    char message[RK_ERR_LEN];
} writer_state;

static void write_memory(png_structp png, png_bytep data, size_t count) {
    writer_state *w = png_get_io_ptr(png);
    if (w->out->size + count > w->capacity) {
        size_t capacity = w->capacity ? w->capacity : 65536;
        while (capacity < w->out->size + count) capacity *= 2;
        uint8_t *grown = realloc(w->out->data, capacity);
        if (!grown) png_error(png, "out of memory");
        w->out->data = grown;
        w->capacity = capacity;
    }
    memcpy(w->out->data + w->out->size, data, count);
    w->out->size += count;
}

static void flush_memory(png_structp png) { (void)png; }

int rk_png_write(const void *pixels, uint32_t width, uint32_t height, int channels,
                 int bit_depth, const uint8_t *icc, size_t icc_size,
                 rk_buffer *out, char *err) {
    static const int color_types[5] = {0, PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA,
                                       PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGB_ALPHA};
    if (channels < 1 || channels > 4 || (bit_depth != 8 && bit_depth != 16)) {
        copy_message(err, "PNG encoder: unsupported channel count or bit depth");
        return 1;
    }
    writer_state w = {.out = out, .capacity = 0};
    out->data = NULL;
    out->size = 0;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, w.message,
                                              on_error, on_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    png_bytep *rows = malloc(sizeof(png_bytep) * (height ? height : 1));
    if (!png || !info || !rows) {
        if (png) png_destroy_write_struct(&png, info ? &info : NULL);
        free(rows);
        copy_message(err, "out of memory");
        return 1;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        free(rows);
        rk_buffer_free(out);
        copy_message(err, w.message);
        return 1;
    }
    size_t row_bytes = (size_t)width * channels * (bit_depth / 8);
    for (uint32_t y = 0; y < height; y++) rows[y] = (png_bytep)pixels + (size_t)y * row_bytes;
    png_set_benign_errors(png, 1); /* an odd ICC profile is dropped, not fatal */
    png_set_write_fn(png, &w, write_memory, flush_memory);
    png_set_IHDR(png, info, width, height, bit_depth, color_types[channels],
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (icc && icc_size > 0)
        png_set_iCCP(png, info, "ICC profile", PNG_COMPRESSION_TYPE_BASE, icc, (png_uint_32)icc_size);
    png_write_info(png, info);
    if (bit_depth == 16) png_set_swap(png);
    png_write_image(png, rows);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    free(rows);
    return 0;
}
