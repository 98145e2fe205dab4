#ifndef ODIMO_CFREETYPE_SHIM_H
#define ODIMO_CFREETYPE_SHIM_H
#include <ft2build.h>
#include FT_FREETYPE_H
// FT_LOAD_* are macros of casts that Swift does not import.
static inline int odimo_ft_load_render(void) { return FT_LOAD_RENDER; }
static inline int odimo_ft_load_default(void) { return FT_LOAD_DEFAULT; }
#endif
