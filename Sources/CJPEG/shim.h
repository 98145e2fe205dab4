#ifndef ODIMO_CJPEG_SHIM_H
#define ODIMO_CJPEG_SHIM_H
#include <turbojpeg.h>
#endif
