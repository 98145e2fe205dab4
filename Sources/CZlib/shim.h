#ifndef ODIMO_CZLIB_SHIM_H
#define ODIMO_CZLIB_SHIM_H
#include <zlib.h>

// inflateInit2 is a macro around inflateInit2_; expose it as a function.
static inline int odimo_inflate_init2(z_stream *stream, int window_bits) {
  return inflateInit2(stream, window_bits);
}
#endif
