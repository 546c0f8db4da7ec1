#include "CImageCodecs.h"

#include <stdlib.h>

void rk_buffer_free(rk_buffer *buffer) {
    if (buffer == NULL) return;
    free(buffer->data);
    buffer->data = NULL;
    buffer->size = 0;
}
