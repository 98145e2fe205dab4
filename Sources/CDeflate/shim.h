#ifndef ODIMO_CDEFLATE_SHIM_H
#define ODIMO_CDEFLATE_SHIM_H
#include <libdeflate.h>
#endif
