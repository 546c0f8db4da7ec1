/*
 * CImageCodecs: the only code that touches libpng and libjpeg directly.
 *
 * Both libraries report fatal errors by longjmp. Every setjmp lives in this
 * target, inside the function that calls the library, so a longjmp never
 * crosses a Swift frame. Every function returns 0 on success and non-zero on
 * failure, with a NUL-terminated message in `err` (at least RK_ERR_LEN bytes).
 *
 * Decoding is two-phase: *_open reads the header (cheap), the caller checks the
 * size against its limits and allocates, then *_read decodes into that buffer.
 */
#ifndef CIMAGECODECS_H
#define CIMAGECODECS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RK_ERR_LEN 256

/* A growable output buffer for encoders; release with rk_buffer_free. */
typedef struct rk_buffer {
    uint8_t *data;
    size_t size;
} rk_buffer;

void rk_buffer_free(rk_buffer *buffer);

/* ---------------------------------------------------------------- PNG -- */

typedef struct rk_png_info {
    uint32_t width;
    uint32_t height;
    int channels;          /* decoded: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA */
    int bit_depth;         /* decoded: 8 or 16 (16-bit samples in host order) */
    int source_bit_depth;  /* as stored: 1, 2, 4, 8 or 16 */
    int color_type;        /* PNG_COLOR_TYPE_* as stored */
    int interlaced;
    int has_trns;
} rk_png_info;

typedef struct rk_png_reader rk_png_reader;

/* Parses the signature and header of the PNG in data[0..size). `data` must stay
   valid until rk_png_close. Returns NULL on failure (message in err). */
rk_png_reader *rk_png_open(const uint8_t *data, size_t size, rk_png_info *info,
                           char *err);
/* Decodes all rows into `pixels`: height rows of width*channels samples, each
   1 or 2 bytes, tightly packed. */
int rk_png_read(rk_png_reader *reader, void *pixels, char *err);
/* The embedded ICC profile, if any (valid until rk_png_close); NULL otherwise. */
const uint8_t *rk_png_icc_profile(rk_png_reader *reader, size_t *size);
void rk_png_close(rk_png_reader *reader);

/* Encodes tightly packed samples (1 or 2 bytes, host order) to PNG. */
int rk_png_write(const void *pixels, uint32_t width, uint32_t height, int channels,
                 int bit_depth, const uint8_t *icc, size_t icc_size,
                 rk_buffer *out, char *err);

/* --------------------------------------------------------------- JPEG -- */

#define RK_JPEG_MAX_COMPONENTS 4

typedef struct rk_jpeg_info {
    uint32_t width;
    uint32_t height;
    int channels;             /* decoded: 1 gray or 3 RGB */
    int components;           /* as stored */
    int color_space;          /* J_COLOR_SPACE as stored */
    int progressive;
    int table_present[4];     /* which of the 4 quantisation table slots are set */
    uint16_t tables[4][64];   /* quantisation tables, natural (row-major) order */
    int component_table[RK_JPEG_MAX_COMPONENTS];
    int h_samp[RK_JPEG_MAX_COMPONENTS];
    int v_samp[RK_JPEG_MAX_COMPONENTS];
} rk_jpeg_info;

typedef struct rk_jpeg_reader rk_jpeg_reader;

/* Parses the JPEG header; CMYK and YCCK files are refused with a message. */
rk_jpeg_reader *rk_jpeg_open(const uint8_t *data, size_t size, rk_jpeg_info *info,
                             char *err);
/* Decodes into height rows of width*channels bytes, exactly as libjpeg-turbo's
   defaults (and djpeg) do: islow IDCT, fancy upsampling. */
int rk_jpeg_read(rk_jpeg_reader *reader, uint8_t *pixels, char *err);
/* Number of corrupt-data warnings libjpeg raised while decoding, and the first. */
int rk_jpeg_warnings(rk_jpeg_reader *reader, const char **first);
const uint8_t *rk_jpeg_icc_profile(rk_jpeg_reader *reader, size_t *size);
void rk_jpeg_close(rk_jpeg_reader *reader);

/* Chroma subsampling of an RGB encode. */
typedef enum rk_chroma {
    RK_CHROMA_444 = 0,
    RK_CHROMA_422 = 1,
    RK_CHROMA_420 = 2
} rk_chroma;

/* Encodes 8-bit gray (channels 1) or RGB (channels 3) rows at IJG quality 1-100. */
int rk_jpeg_write(const uint8_t *pixels, uint32_t width, uint32_t height,
                  int channels, int quality, rk_chroma chroma,
                  const uint8_t *icc, size_t icc_size, rk_buffer *out, char *err);

#ifdef __cplusplus
}
#endif

#endif
