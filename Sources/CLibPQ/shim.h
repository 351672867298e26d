#ifndef BILET_CLIBPQ_SHIM_H
#define BILET_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
