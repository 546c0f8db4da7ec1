#include "CImageCodecs.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

/* libjpeg's error manager extended with a jump target and the message. */
typedef struct error_state {
    struct jpeg_error_mgr mgr;
    jmp_buf jump;
    char message[RK_ERR_LEN];
    int warnings;
    char first_warning[RK_ERR_LEN];
} error_state;

static void copy_message(char *dst, const char *src) {
    snprintf(dst, RK_ERR_LEN, "%s", src ? src : "unknown error");
}

static void on_error_exit(j_common_ptr cinfo) {
    error_state *e = (error_state *)cinfo->err;
    (*cinfo->err->format_message)(cinfo, e->message);
    longjmp(e->jump, 1);
}

static void on_message(j_common_ptr cinfo, int level) {
    error_state *e = (error_state *)cinfo->err;
    if (level >= 0) return; /* trace messages */
    /* Level -1 is a corrupt-data warning: libjpeg goes on and fills in gray. */
    if (e->warnings++ == 0) (*cinfo->err->format_message)(cinfo, e->first_warning);
}

struct rk_jpeg_reader {
    struct jpeg_decompress_struct cinfo;
    error_state err;
    int created;
    JOCTET *icc;
    unsigned int icc_size;
};

rk_jpeg_reader *rk_jpeg_open(const uint8_t *data, size_t size, rk_jpeg_info *info,
                             char *err) {
    rk_jpeg_reader *r = calloc(1, sizeof *r);
    if (!r) {
        copy_message(err, "out of memory");
        return NULL;
    }
    if (size < 3 || data[0] != 0xFF || data[1] != 0xD8) {
        free(r);
        copy_message(err, "not a JPEG file (no SOI marker)");
        return NULL;
    }
    r->cinfo.err = jpeg_std_error(&r->err.mgr);
    r->err.mgr.error_exit = on_error_exit;
    r->err.mgr.emit_message = on_message;
    if (setjmp(r->err.jump)) {
        copy_message(err, r->err.message);
        rk_jpeg_close(r);
        return NULL;
    }
    jpeg_create_decompress(&r->cinfo);
    r->created = 1;
    jpeg_mem_src(&r->cinfo, data, (unsigned long)size);
    jpeg_save_markers(&r->cinfo, JPEG_APP0 + 2, 0xFFFF); /* ICC profile chunks */
    jpeg_read_header(&r->cinfo, TRUE);

    struct jpeg_decompress_struct *c = &r->cinfo;
    switch (c->jpeg_color_space) {
    case JCS_GRAYSCALE:
        c->out_color_space = JCS_GRAYSCALE;
        info->channels = 1;
        break;
    case JCS_YCbCr:
    case JCS_RGB:
        c->out_color_space = JCS_RGB;
        info->channels = 3;
        break;
    case JCS_CMYK:
    case JCS_YCCK:
        copy_message(err, "CMYK JPEG files are not supported; convert the file to RGB first");
        rk_jpeg_close(r);
        return NULL;
    default:
        copy_message(err, "JPEG file has an unknown colour space");
        rk_jpeg_close(r);
        return NULL;
    }
    info->width = c->image_width;
    info->height = c->image_height;
    info->components = c->num_components;
    info->color_space = c->jpeg_color_space;
    info->progressive = c->progressive_mode;
    for (int t = 0; t < 4; t++) {
        JQUANT_TBL *table = c->quant_tbl_ptrs[t];
        info->table_present[t] = table != NULL;
        for (int k = 0; k < 64; k++) info->tables[t][k] = table ? table->quantval[k] : 0;
    }
    for (int i = 0; i < RK_JPEG_MAX_COMPONENTS; i++) {
        int present = i < c->num_components;
        info->component_table[i] = present ? c->comp_info[i].quant_tbl_no : -1;
        info->h_samp[i] = present ? c->comp_info[i].h_samp_factor : 0;
        info->v_samp[i] = present ? c->comp_info[i].v_samp_factor : 0;
    }
    if (!jpeg_read_icc_profile(c, &r->icc, &r->icc_size)) {
        r->icc = NULL;
        r->icc_size = 0;
    }
    return r;
}

int rk_jpeg_read(rk_jpeg_reader *r, uint8_t *pixels, char *err) {
    if (setjmp(r->err.jump)) {
        copy_message(err, r->err.message);
        return 1;
    }
    struct jpeg_decompress_struct *c = &r->cinfo;
    jpeg_start_decompress(c);
    size_t row_bytes = (size_t)c->output_width * c->output_components;
    while (c->output_scanline < c->output_height) {
        JSAMPROW row = pixels + (size_t)c->output_scanline * row_bytes;
        jpeg_read_scanlines(c, &row, 1);
    }
    jpeg_finish_decompress(c);
    return 0;
}

int rk_jpeg_warnings(rk_jpeg_reader *r, const char **first) {
    *first = r->err.warnings ? r->err.first_warning : NULL;
    return r->err.warnings;
}

const uint8_t *rk_jpeg_icc_profile(rk_jpeg_reader *r, size_t *size) {
    *size = r->icc_size;
    return r->icc;
}

void rk_jpeg_close(rk_jpeg_reader *r) {
    if (!r) return;
    if (r->created) jpeg_destroy_decompress(&r->cinfo);
    free(r->icc);
    free(r);
}

int rk_jpeg_write(const uint8_t *pixels, uint32_t width, uint32_t height,
                  int channels, int quality, rk_chroma chroma,
                  const uint8_t *icc, size_t icc_size, rk_buffer *out, char *err) {
    if ((channels != 1 && channels != 3) || quality < 1 || quality > 100 ||
        width == 0 || height == 0 || width > JPEG_MAX_DIMENSION || height > JPEG_MAX_DIMENSION) {
        copy_message(err, "JPEG encoder: unsupported channels, quality or size");
        return 1;
    }
    struct jpeg_compress_struct c;
    error_state e;
    memset(&e, 0, sizeof e);
    unsigned char *volatile buffer = NULL;
    unsigned long buffer_size = 0;
    c.err = jpeg_std_error(&e.mgr);
    e.mgr.error_exit = on_error_exit;
    e.mgr.emit_message = on_message;
    if (setjmp(e.jump)) {
        jpeg_destroy_compress(&c);
        free(buffer);
        copy_message(err, e.message);
        return 1;
    }
    jpeg_create_compress(&c);
    jpeg_mem_dest(&c, (unsigned char **)&buffer, &buffer_size);
    c.image_width = width;
    c.image_height = height;
    c.input_components = channels;
    c.in_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, quality, TRUE);
    if (channels == 3) {
        static const int h[3] = {1, 2, 2}, v[3] = {1, 1, 2};
        c.comp_info[0].h_samp_factor = h[chroma];
        c.comp_info[0].v_samp_factor = v[chroma];
        c.comp_info[1].h_samp_factor = c.comp_info[1].v_samp_factor = 1;
        c.comp_info[2].h_samp_factor = c.comp_info[2].v_samp_factor = 1;
    }
    jpeg_start_compress(&c, TRUE);
    if (icc && icc_size > 0) jpeg_write_icc_profile(&c, icc, (unsigned int)icc_size);
    size_t row_bytes = (size_t)width * channels;
    while (c.next_scanline < c.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)c.next_scanline * row_bytes);
        jpeg_write_scanlines(&c, &row, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    out->data = buffer;
    out->size = buffer_size;
    return 0;
}
