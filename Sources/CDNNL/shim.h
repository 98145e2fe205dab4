#ifndef ODIMO_CDNNL_SHIM_H
#define ODIMO_CDNNL_SHIM_H
#include <oneapi/dnnl/dnnl.h>
#endif
