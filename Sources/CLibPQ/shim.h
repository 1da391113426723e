#ifndef DYNAPI_CLIBPQ_SHIM_H
#define DYNAPI_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
