#ifndef ODIMO_CPNG_SHIM_H
#define ODIMO_CPNG_SHIM_H
#include <png.h>

// Composite PNG_FORMAT_* macros do not import into Swift.
static inline png_uint_32 odimo_png_format_rgba(void) { return PNG_FORMAT_RGBA; }
static inline png_uint_32 odimo_png_format_rgb(void) { return PNG_FORMAT_RGB; }
static inline png_uint_32 odimo_png_format_gray(void) { return PNG_FORMAT_GRAY; }
static inline png_uint_32 odimo_png_image_version(void) { return PNG_IMAGE_VERSION; }
static inline size_t odimo_png_image_size(const png_image *image) { return PNG_IMAGE_SIZE(*image); }
static inline int odimo_png_image_failed(const png_image *image) { return PNG_IMAGE_FAILED(*image); }
#endif
