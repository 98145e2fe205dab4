#ifndef ODIMO_CCRYPTO_SHIM_H
#define ODIMO_CCRYPTO_SHIM_H
#include <openssl/evp.h>
#endif
