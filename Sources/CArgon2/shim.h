#ifndef BILET_CARGON2_SHIM_H
#define BILET_CARGON2_SHIM_H
#include <argon2.h>
#endif
